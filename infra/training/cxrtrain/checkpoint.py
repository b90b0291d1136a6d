"""Resumable checkpoints beside the run's outputs (CXR_OUTPUT/checkpoint.pt and checkpoint.json).

After an epoch, when CXR_CHECKPOINT_SECONDS have passed since the last one, process 0 snapshots the training state
(model, optimizer, loss scaler, history, best weights, early-stopping counters) and writes it in the background
while the next epoch runs: the .pt first, then the .json that names its epoch, so a .json never announces a partial
.pt. A restarted job (AWS Batch retries a job whose spot instance was reclaimed) finds the .json, checks that it
belongs to the same training (fingerprint of parameters, manifests and classes) and continues after that epoch.
Epoch orders, augmentation draws and dropout are seeded per epoch, so a resumed run repeats what the uninterrupted
one would have done. A successful run removes both files once its outputs are written.
"""

import hashlib
import inspect
import json
import logging
import os
import threading
import time

import torch

from . import dist
from .storage import StorageError, is_s3, join, local_path

log = logging.getLogger("cxr.train")

PT, META = "checkpoint.pt", "checkpoint.json"
VERSION = 1


def fingerprint(cfg, manifests, class_names):
    """What a checkpoint must share with the run that resumes it (not the process count or infrastructure)."""
    doc = {"version": VERSION, "params": cfg.params(), "classNames": class_names,
           "manifests": [cfg.train_manifest, cfg.val_manifest, cfg.test_manifest],
           "entries": {k: [e.source_ref for e in v] for k, v in manifests.items()}}
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def scratch_dir(cache_dir, output):
    """Where a node keeps the files of one output's checkpoint on their way to and from S3."""
    return os.path.join(cache_dir, ".checkpoints", hashlib.sha256(output.encode()).hexdigest()[:16])


def cpu_copy(obj):
    """A snapshot of nested state with every tensor copied to the CPU (training goes on changing the originals)."""
    if torch.is_tensor(obj):
        return obj.detach().to("cpu", copy=True)
    if isinstance(obj, dict):
        return {k: cpu_copy(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(cpu_copy(v) for v in obj)
    return obj


def _load(path):
    kwargs = {"map_location": "cpu"}
    # Tensors and plain containers only, nothing executes on load: torch >= 2 (1.13's restricted unpickler
    # cannot read floats).
    if "weights_only" in inspect.signature(torch.load).parameters and int(torch.__version__.split(".")[0]) >= 2:
        kwargs["weights_only"] = True
    return torch.load(path, **kwargs)


class Checkpoints:
    def __init__(self, cfg, storage, ctx, print_, scratch_dir):
        self.storage, self.ctx, self.fingerprint = storage, ctx, print_
        self.output = cfg.output
        self.interval = cfg.checkpoint_seconds
        self.resume = cfg.resume
        self.scratch_dir = scratch_dir
        self.last = time.time()
        self.saved = []
        self._thread = None

    def find(self):
        """The checkpoint's description ({"epoch", ...}) when the output has one of this training, else None."""
        if not self.resume:
            return None
        try:
            raw = self.storage.read_if_exists(join(self.output, META))
        except StorageError as e:
            log.warning("cannot look for a checkpoint: %s; starting from epoch 1", e)
            return None
        if raw is None:
            return None
        try:
            meta = json.loads(raw)
        except ValueError:
            log.warning("%s is not valid JSON: starting from epoch 1", join(self.output, META))
            return None
        if meta.get("fingerprint") != self.fingerprint:
            log.warning("the checkpoint in %s belongs to another training (parameters or manifests differ): "
                        "starting from epoch 1", self.output)
            return None
        return meta

    def load(self):
        """The checkpoint's state, on the CPU. One process per node fetches it; the others read that copy."""
        uri = join(self.output, PT)
        path = local_path(uri) if not is_s3(uri) else os.path.join(self.scratch_dir, "resume.pt")
        if is_s3(uri) and self.ctx.local_rank == 0:
            self.storage.download(uri, path)
        dist.barrier(self.ctx)
        state = _load(path)
        dist.barrier(self.ctx)
        if is_s3(uri) and self.ctx.local_rank == 0:
            os.remove(path)
        return state

    def due(self):
        return self.interval is not None and time.time() - self.last >= self.interval

    def save(self, state):
        """Writes a snapshot (cpu_copy) in the background; waits for the previous one first. Process 0 only."""
        self.wait()
        self.last = time.time()
        self._thread = threading.Thread(target=self._write, args=(state,), name="cxr-checkpoint", daemon=True)
        self._thread.start()

    def _write(self, state):
        t0 = time.time()
        epoch = state["epoch"]
        try:
            os.makedirs(self.scratch_dir, exist_ok=True)
            remote = is_s3(self.output)
            pt = os.path.join(self.scratch_dir, PT) if remote else join(self.output, PT)
            os.makedirs(os.path.dirname(pt), exist_ok=True)
            torch.save(state, pt + ".tmp")
            os.replace(pt + ".tmp", pt)
            size = os.path.getsize(pt)
            meta = {"epoch": epoch, "fingerprint": self.fingerprint, "bytes": size,
                    "createdAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
            meta_path = os.path.join(self.scratch_dir, META) if remote else join(self.output, META)
            with open(meta_path + ".tmp", "w") as f:
                json.dump(meta, f)
            os.replace(meta_path + ".tmp", meta_path)
            if remote:
                self.storage.upload_file(pt, join(self.output, PT))
                self.storage.upload_file(meta_path, join(self.output, META))
                os.remove(pt)
                os.remove(meta_path)
            self.saved.append(epoch)
            log.info("checkpoint after epoch %d written to %s (%.1f MiB, %.1fs)", epoch, join(self.output, PT),
                     size / 2**20, time.time() - t0)
        except Exception as e:  # noqa: BLE001  (a checkpoint that cannot be written costs resumability, not the run)
            log.warning("checkpoint after epoch %d not written: %s", epoch, e)

    def wait(self):
        if self._thread is not None:
            self._thread.join()
            self._thread = None


def discard(storage, output):
    """Removes the checkpoint of a finished run (the .json first: it is what a restart looks for)."""
    for name in (META, PT):
        try:
            storage.delete(join(output, name))
        except StorageError as e:
            log.warning("checkpoint not removed: %s", e)
