#!/usr/bin/env python3
"""Trains a chest X-ray classifier on split manifests and writes model.onnx, metrics.json and plots.

Configured by the environment of the AWS Batch job (CXR_RUN_ID, CXR_TRAIN_MANIFEST, CXR_VAL_MANIFEST,
CXR_TEST_MANIFEST, CXR_OUTPUT, CXR_PARAMS, optional CXR_S3_ENDPOINT); command-line flags override it.
Run `train.py --help` for the flags. With several GPUs visible (or CXR_GPUS=n) it starts one process per GPU
under torchrun. Exit status: 0 done, 2 bad input (parameters, manifests, images), 1 any other failure.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# OpenMP threads that spin while waiting burn the CPU they wait for when the cores are shared (a CI runner,
# a laptop running the local stack): measured 4-5x slower epochs on a busy 2-core machine. Set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from cxrtrain.launch import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(script=os.path.abspath(__file__)))
