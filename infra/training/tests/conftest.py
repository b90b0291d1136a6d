"""Puts the training program's package on the path; the tests need torch and fail without it."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as train.py: no spinning threads on shared cores

import torch  # noqa: E402  (a missing torch must fail the run, not skip it)

torch.set_num_threads(2)
