"""Resuming after an interruption (a reclaimed spot instance: AWS Batch runs the job again)."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from synthetic import write_split
from test_distributed import TRAIN_PY

from cxrtrain import checkpoint, config
from cxrtrain.dist import Context
from cxrtrain.run import main
from cxrtrain.storage import Storage

EPOCHS = 6


def args(root, out):
    return ["--run-id", "r", "--arch", "small", "--image-size", "32", "--epochs", str(EPOCHS), "--batch-size", "8",
            "--patience", "0", "--checkpoint-seconds", "0",
            "--train-manifest", write_split(root, "train", 48), "--val-manifest", write_split(root, "val", 16),
            "--test-manifest", write_split(root, "test", 16), "--output", str(out), "--cache-dir", str(root / "cache")]


def kill_after_first_checkpoint(argv, out):
    proc = subprocess.Popen([sys.executable, TRAIN_PY, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not (out / checkpoint.META).exists():
        assert proc.poll() is None and time.time() < deadline, "the run ended before writing a checkpoint"
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_a_killed_run_resumes_from_its_checkpoint_and_ends_as_an_uninterrupted_run(tmp_path):
    full = tmp_path / "full"
    assert main(args(tmp_path, full)) == 0
    assert not (full / checkpoint.META).exists() and not (full / checkpoint.PT).exists()  # removed on success

    out = tmp_path / "interrupted"
    kill_after_first_checkpoint(args(tmp_path, out), out)
    assert not (out / "metrics.json").exists()
    stored = json.loads((out / checkpoint.META).read_text())["epoch"]
    assert 1 <= stored < EPOCHS

    assert main(args(tmp_path, out)) == 0  # the retry (in this process: the kill needed a separate one)
    resumed = json.loads((out / "metrics.json").read_text())
    k = resumed["resumedAfterEpoch"]
    log = (out / "train.log").read_text()  # both attempts: a local output's log is appended to
    assert stored <= k < EPOCHS and f"resuming after epoch {k} of {EPOCHS}" in log
    assert "decoded images kept from an earlier attempt" in log

    expected = json.loads((full / "metrics.json").read_text())
    assert len(resumed["history"]) == EPOCHS
    for a, b in zip(expected["history"], resumed["history"]):
        for key in ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "val_roc_auc"):
            assert b[key] == pytest.approx(a[key], rel=1e-9, abs=1e-12), (key, a, b)
    assert resumed["bestEpoch"] == expected["bestEpoch"] and resumed["test"] == expected["test"]
    ref_a, ref_b = (json.loads((d / "reference.json").read_text())["images"] for d in (full, out))
    for a, b in zip(ref_a, ref_b):
        assert b["probabilities"] == pytest.approx(a["probabilities"], rel=1e-9, abs=1e-12)
    assert not (out / checkpoint.META).exists() and not (out / checkpoint.PT).exists()


def test_a_checkpoint_of_other_parameters_or_with_resume_off_is_ignored(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    argv = ["--run-id", "r", "--train-manifest", "t", "--val-manifest", "v", "--test-manifest", "s",
            "--output", str(out)]
    cfg = config.load(argv, {})
    print_ = checkpoint.fingerprint(cfg, {"train": []}, ["A", "B"])
    (out / checkpoint.META).write_text(json.dumps({"epoch": 3, "fingerprint": print_}))
    found = checkpoint.Checkpoints(cfg, Storage(), Context(), print_, str(tmp_path)).find()
    assert found["epoch"] == 3
    other = config.load(argv + ["--lr", "0.01"], {})
    assert checkpoint.fingerprint(other, {"train": []}, ["A", "B"]) != print_
    assert checkpoint.Checkpoints(other, Storage(), Context(), checkpoint.fingerprint(other, {"train": []}, ["A", "B"]),
                                  str(tmp_path)).find() is None
    off = config.load(argv + ["--no-resume"], {})
    assert checkpoint.Checkpoints(off, Storage(), Context(), print_, str(tmp_path)).find() is None
    assert config.load(argv, {"CXR_RESUME": "false"}).resume is False


def test_checkpoints_are_written_only_when_their_interval_has_passed(tmp_path):
    argv = ["--run-id", "r", "--train-manifest", "t", "--val-manifest", "v", "--test-manifest", "s",
            "--output", str(tmp_path)]
    assert config.load(argv, {}).checkpoint_seconds == 300
    assert config.load(argv, {"CXR_CHECKPOINT_SECONDS": "off"}).checkpoint_seconds is None
    never = checkpoint.Checkpoints(config.load(argv + ["--checkpoint-seconds", "off"], {}), Storage(), Context(), "x",
                                   str(tmp_path))
    assert not never.due()
    hourly = checkpoint.Checkpoints(config.load(argv + ["--checkpoint-seconds", "3600"], {}), Storage(), Context(),
                                    "x", str(tmp_path))
    assert not hourly.due()
    hourly.last -= 3601
    assert hourly.due()
    assert os.listdir(tmp_path) == []
