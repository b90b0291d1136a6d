import json

import pytest

from cxrtrain import config, launch, run
from cxrtrain.config import ConfigError

ARGS = ["--run-id", "l", "--train-manifest", "t", "--val-manifest", "v", "--test-manifest", "s", "--output", "/o"]


def cfg(*extra, **env):
    return config.load(ARGS + list(extra), env)


def test_one_process_per_visible_gpu_unless_told_otherwise():
    assert launch.processes(cfg(), lambda: 4) == 4
    assert launch.processes(cfg(), lambda: 0) == 1
    assert launch.processes(cfg(CXR_GPUS="2"), lambda: 4) == 2
    assert launch.processes(cfg("--gpus", "auto"), lambda: 8) == 8
    assert launch.processes(cfg("--device", "cpu"), lambda: 4) == 1
    assert launch.processes(cfg("--device", "cpu", CXR_GPUS="2"), lambda: 0) == 2  # gloo processes on the CPU
    assert launch.processes(cfg("--device", "cuda", CXR_GPUS="2"), lambda: 0) == 1  # the run reports no CUDA
    with pytest.raises(ConfigError, match="CXR_GPUS is 8 but this machine has 4 GPU"):
        launch.processes(cfg(CXR_GPUS="8"), lambda: 4)
    with pytest.raises(ConfigError, match="CXR_GPUS must be between 1 and 64"):
        cfg(CXR_GPUS="0")


def test_torchrun_runs_the_script_once_per_process_on_one_node():
    cmd = launch.torchrun_command(4, "/opt/train.py", ["--epochs", "2"], port=29555)
    assert cmd[1:3] == ["-m", "torch.distributed.run"]
    assert "--nproc_per_node=4" in cmd and "--nnodes=1" in cmd and "--rdzv_endpoint=127.0.0.1:29555" in cmd
    other = launch.torchrun_command(4, "/opt/train.py", [])
    assert [a for a in other if a.startswith("--rdzv_endpoint")] != ["--rdzv_endpoint=127.0.0.1:29555"]
    assert cmd[-3:] == ["/opt/train.py", "--epochs", "2"]


def test_a_problem_found_by_the_launcher_is_reported_as_the_run_s_error(tmp_path):
    out = tmp_path / "out"
    argv = ARGS[:-1] + [str(out)]
    assert run.main(argv, ConfigError("CXR_GPUS is 8 but this machine has 4 GPU(s)")) == 2
    assert json.loads((out / "error.json").read_text()) == {
        "error": "CXR_GPUS is 8 but this machine has 4 GPU(s)", "type": "ConfigError", "exitCode": 2}
    assert "failed: CXR_GPUS is 8" in (out / "train.log").read_text()
