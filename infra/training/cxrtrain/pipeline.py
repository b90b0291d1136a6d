"""Batches on the training device: uint8 rows of the store gathered per batch (from GPU memory when the images fit
there, else from the host through pinned memory), augmented and normalised on the device.

The epoch order is DistributedSampler's (seeded by seed + epoch, each process taking every world-th position), so
one process and n processes see the same global batches; the augmentation draws are keyed by position. Nothing here
waits for the GPU: the only host-side waits are for images that are not decoded yet.
"""

import logging
import time

import numpy as np
import torch
from torch.utils.data.distributed import DistributedSampler

from . import dist
from .augment import BatchAugmentation, epoch_generator
from .data import SCALE, normalise
from .store import FAILED, READY

log = logging.getLogger("cxr.train")

SPLITS = ("train", "val", "test")
DEVICE_SHARE = 0.8  # of the GPU memory the training leaves free, for the decoded images
DEVICE_MARGIN = 2**30


class Splits:
    """The distinct images of the manifests (the store's rows, in first-appearance order) and per split the row
    and label of every entry (over-sampled copies are repeated rows, never repeated pixels)."""

    def __init__(self, manifests):
        index = {}
        for split in SPLITS:
            for e in manifests[split]:
                index.setdefault(e.source_ref, len(index))
        self.refs = list(index)
        self.rows = {s: np.array([index[e.source_ref] for e in manifests[s]], dtype=np.int64) for s in SPLITS}
        self.labels = {s: np.array([e.label for e in manifests[s]], dtype=np.int64) for s in SPLITS}


class Feeder:
    """Makes sure a batch's rows are decoded before it is assembled. While the store is filling, every process
    waits for its own rows, then (with several processes) all agree on whether any image failed (all stop together,
    with the same error) and whether the store is complete (all stop checking at the same step)."""

    def __init__(self, store, ctx, total=None):
        self.store, self.ctx = store, ctx
        self.streaming = True
        self.total = total
        self.waited = 0.0

    def ready(self, rows):
        if not self.streaming:
            return
        t0 = time.time()
        failed, delay = False, 0.0005
        while True:
            states = self.store.states(rows)
            if (states == READY).all():
                break
            if (states == FAILED).any():
                failed = True
                break
            time.sleep(delay)
            delay = min(delay * 2, 0.02)
        self.waited += time.time() - t0
        ready, failed_any = self.store.counts()
        failed, incomplete = dist.agree_max(self.ctx, [int(failed or failed_any > 0), int(ready < self.store.n)])
        if failed:
            raise self.store.error(self.total)
        if not incomplete:
            self.streaming = False


class PixelSource:
    """Gathers store rows onto the training device."""

    def __init__(self, store, feeder, device):
        self.store, self.feeder, self.device = store, feeder, device
        self.on_device = None  # the whole store in GPU memory, once it is complete and fits
        self._host = torch.from_numpy(store.pixels)
        self._pin = device.type == "cuda"

    def place(self, mode, peak_bytes=0):
        """Moves the decoded images into GPU memory when asked (mode true) or when they fit (auto): at most 80 % of
        what the training's peak (peak_bytes) leaves free, less 1 GiB. Only once every image is decoded."""
        if self.on_device is not None or self.device.type != "cuda" or mode == "false":
            return False
        if self.store.counts()[0] < self.store.n:  # still streaming in
            return False
        need = self.store.bytes()
        free, total = torch.cuda.mem_get_info(self.device)
        room = DEVICE_SHARE * (total - max(peak_bytes, total - free)) - DEVICE_MARGIN
        if mode == "auto" and need > room:
            log.info("images stay in host memory: %.1f GiB decoded, %.1f GiB free on the GPU for them",
                     need / 2**30, max(room, 0) / 2**30)
            return False
        self.on_device = self._host.to(self.device)
        log.info("images moved to GPU memory: %.2f GiB", need / 2**30)
        return True

    def gather(self, rows, rows_device=None):
        """uint8 batch x s x s on the device."""
        self.feeder.ready(rows)
        if self.on_device is not None:
            return self.on_device[rows_device if rows_device is not None else torch.from_numpy(rows).to(self.device)]
        batch = self._host[torch.from_numpy(rows)]
        if self._pin:
            batch = batch.pin_memory()
        return batch.to(self.device, non_blocking=True)


def to_input(pixels_u8):
    """uint8 batch x s x s -> float batch x 1 x s x s in [0, 1]."""
    return pixels_u8.unsqueeze(1).float().mul_(SCALE)


class TrainBatches:
    """One process's training batches of an epoch: (normalised images, labels) on the device."""

    def __init__(self, rows, labels, batch_size, ctx, seed, source, augment=None):
        self.rows, self.ctx, self.seed, self.source = rows, ctx, seed, source
        self.labels = torch.from_numpy(labels).to(ctx.device)
        self.rows_device = torch.from_numpy(rows).to(ctx.device)
        self.batch_size = max(1, -(-batch_size // ctx.world))  # batch_size is the global batch
        self.augment = augment if augment is not None and augment.enabled else None
        self.sampler = DistributedSampler(range(len(rows)), num_replicas=ctx.world, rank=ctx.rank, shuffle=True,
                                          seed=seed, drop_last=False)

    @property
    def global_batch(self):
        return self.batch_size * self.ctx.world

    def order(self, epoch, rank=None):
        """Indices into the split that a process takes in an epoch (this one by default)."""
        if rank is None or rank == self.ctx.rank:
            sampler = self.sampler
        else:
            sampler = DistributedSampler(range(len(self.rows)), num_replicas=self.ctx.world, rank=rank,
                                         shuffle=True, seed=self.seed, drop_last=False)
        sampler.set_epoch(epoch)
        return np.fromiter(iter(sampler), dtype=np.int64, count=sampler.num_samples)

    def global_order(self, epoch):
        """The epoch's padded global order: position p is taken by process p % world."""
        parts = [self.order(epoch, r) for r in range(self.ctx.world)]
        return np.stack(parts, 1).reshape(-1)

    def epoch(self, epoch):
        """Yields (x, y) for this process; x normalised float batch x 3 x s x s, y labels, both on the device."""
        local = self.order(epoch)
        positions = self.ctx.rank + self.ctx.world * np.arange(len(local))
        draws = None
        if self.augment is not None:
            n_global = self.sampler.total_size
            draws = BatchAugmentation.draw(n_global, epoch_generator(self.seed, epoch)).to(self.ctx.device)
        local_device = torch.from_numpy(local).to(self.ctx.device)
        positions_device = torch.from_numpy(positions).to(self.ctx.device)
        for start in range(0, len(local), self.batch_size):
            sel = local_device[start:start + self.batch_size]
            rows = self.rows[local[start:start + self.batch_size]]
            x = to_input(self.source.gather(rows, self.rows_device[sel]))
            if draws is not None:
                x = self.augment(x, draws[positions_device[start:start + self.batch_size]])
            yield normalise(x), self.labels[sel]


class EvalBatches:
    """This process's shard of a split, unaugmented, in batches; gather_shards() puts the results back in order."""

    def __init__(self, rows, batch_size, ctx, source):
        self.rows, self.source = rows, source
        self.n = len(rows)
        positions, _ = dist.shard(self.n, ctx)
        self.local = positions.numpy()
        self.local_device = positions.to(ctx.device)
        self.rows_device = torch.from_numpy(rows).to(ctx.device)
        self.batch_size = max(1, -(-batch_size // ctx.world))

    def __iter__(self):
        for start in range(0, len(self.local), self.batch_size):
            sel = self.local_device[start:start + self.batch_size]
            rows = self.rows[self.local[start:start + self.batch_size]]
            yield normalise(to_input(self.source.gather(rows, self.rows_device[sel])))


def first_use(splits, train_orders, ctx):
    """The rows in the order the processes first consume them: the training epochs still to run (their padded
    global orders), then val and test shard by shard. Position p of each part is consumed by process p % world."""
    parts = [splits.rows["train"][order] for order in train_orders]
    for split in ("val", "test"):
        rows = splits.rows[split]
        per = -(-len(rows) // ctx.world)
        padded = np.resize(rows, per * ctx.world)  # wraps around, as dist.shard() pads
        parts.append(padded)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
