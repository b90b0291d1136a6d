"""The entry point: one process per GPU under torchrun when there are several GPUs, else the run in this process.

How many processes: CXR_GPUS (--gpus) when set, else every GPU this container sees (AWS Batch exposes the job's
GPUs only), else one. On the CPU CXR_GPUS=n starts n CPU processes (gloo), which is how the tests exercise the
multi-process path without a GPU. Processes started by torchrun (LOCAL_RANK set) run the training directly.
"""

import os
import socket
import subprocess
import sys
import tempfile

from . import config as config_mod
from .config import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK

STATUS_DIR = "CXR_STATUS_DIR"  # where process 0 leaves its exit status (torchrun reports only failed or not)


def processes(cfg, cuda_devices):
    """The number of processes to run: the configured count, or one per visible GPU (one on the CPU)."""
    if cfg.device == "cpu":
        return cfg.gpus or 1
    visible = cuda_devices()
    if cfg.gpus is None:
        return max(1, visible)
    if visible and cfg.gpus > visible:
        raise config_mod.ConfigError(f"CXR_GPUS is {cfg.gpus} but this machine has {visible} GPU(s)")
    if not visible and cfg.device == "cuda":
        return 1  # the run reports that CUDA is missing
    return cfg.gpus


def _cuda_devices():
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def torchrun_command(n, script, argv, port=None):
    """torchrun on one node, one process per GPU, with its rendezvous on a free local port (torchrun's
    --standalone uses the fixed port 29400 in older versions: two runs on one host would meet there)."""
    port = port or _free_port()
    return [sys.executable, "-m", "torch.distributed.run", "--nnodes=1", f"--nproc_per_node={n}",
            "--rdzv_backend=c10d", f"--rdzv_endpoint=127.0.0.1:{port}", f"--rdzv_id=cxr-{os.getpid()}-{port}",
            "--monitor_interval=1", *_output_flags(), script, *argv]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _output_flags():
    """torch 1.x's torchrun cannot parse its own default "--redirects 0" on Python 3.11 (zero-valued flags are no
    longer iterated): there, send the processes' stdout to log files and tee it to the console."""
    try:
        from torch.distributed.elastic.multiprocessing.api import Std

        if Std.from_str("0") is None:
            return ["--redirects=1", "--tee=1"]
    except Exception:  # noqa: BLE001  (a torchrun without this module parses its defaults itself)
        pass
    return []


def main(argv=None, script=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    failure = None
    if os.environ.get("LOCAL_RANK") is None:
        try:
            cfg = config_mod.load(argv)
        except config_mod.ConfigError as e:
            print(f"error: {e}", file=sys.stderr)
            return EXIT_BAD_INPUT
        try:
            n = processes(cfg, _cuda_devices)
        except config_mod.ConfigError as e:
            n, failure = 1, e  # reported by the run like any bad parameter: train.log, error.json, exit 2
        if n > 1:
            return _torchrun(n, cfg, argv, script or sys.argv[0])
    from . import run  # torch and the rest load only in the process that trains

    return run.main(argv, failure)


def _torchrun(n, cfg, argv, script):
    env = dict(os.environ)
    # torchrun would set 1 thread per process and warn; the run sets its own share of the cores.
    env.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // n)))
    with tempfile.TemporaryDirectory(prefix="cxr-launch-") as status_dir:
        env[STATUS_DIR] = status_dir
        print(f"launching {n} training processes (torchrun, one per {'GPU' if cfg.device != 'cpu' else 'CPU share'})",
              file=sys.stderr, flush=True)
        code = subprocess.call(torchrun_command(n, script, argv), env=env)
        status_file = os.path.join(status_dir, "status")
        if os.path.exists(status_file):
            with open(status_file) as f:
                status = int(f.read().strip() or EXIT_FAILED)
            # Process 0 finished; another one may still have failed after it.
            return status if status != EXIT_OK or code == 0 else EXIT_FAILED
        return EXIT_FAILED if code != 0 else EXIT_OK
