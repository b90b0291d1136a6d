"""Data parallelism: one process per GPU started by torchrun (DistributedDataParallel), or a single process.

torchrun sets WORLD_SIZE, RANK, LOCAL_WORLD_SIZE and LOCAL_RANK; without them the run is one process and the
collectives below do nothing. GPUs talk over NCCL, CPU processes over gloo; host-side agreements (has every process its
next images, did any image fail) go over a gloo group so that they never wait for the GPU.
"""

import os
from dataclasses import dataclass
from typing import Any, Optional

import torch
import torch.distributed as dist

from .config import ConfigError


@dataclass
class Context:
    world: int = 1
    rank: int = 0
    local_world: int = 1
    local_rank: int = 0
    device: torch.device = torch.device("cpu")
    backend: Optional[str] = None
    control: Any = None  # process group for host-side agreements

    @property
    def distributed(self):
        return self.world > 1

    @property
    def main(self):
        return self.rank == 0


def _int(env, name, default):
    value = env.get(name)
    return int(value) if value not in (None, "") else default


def setup(choice, env=None):
    """The context of this process: joins the process group when torchrun started it."""
    env = os.environ if env is None else env
    if choice == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device cuda was asked for but CUDA is not available")
    if choice == "auto":
        choice = "cuda" if torch.cuda.is_available() else "cpu"
    world = _int(env, "WORLD_SIZE", 1)
    ctx = Context(world=world, rank=_int(env, "RANK", 0), local_world=_int(env, "LOCAL_WORLD_SIZE", world),
                  local_rank=_int(env, "LOCAL_RANK", 0), device=torch.device(choice))
    if choice == "cuda":
        if ctx.local_rank >= torch.cuda.device_count():
            raise ConfigError(f"process {ctx.local_rank} of this node has no GPU: "
                              f"{torch.cuda.device_count()} visible")
        ctx.device = torch.device("cuda", ctx.local_rank)
        torch.cuda.set_device(ctx.device)
    if ctx.distributed:
        ctx.backend = "nccl" if ctx.device.type == "cuda" else "gloo"
        dist.init_process_group(backend=ctx.backend)
        ctx.control = dist.new_group(backend="gloo") if ctx.backend != "gloo" else dist.group.WORLD
    return ctx


def teardown(ctx):
    if ctx.distributed and dist.is_initialized():
        dist.destroy_process_group()


def barrier(ctx):
    if ctx.distributed:
        dist.barrier(group=ctx.control)


def all_sum(ctx, tensor):
    """Sums a tensor over the processes, in place (on the training device: NCCL or gloo)."""
    if ctx.distributed:
        dist.all_reduce(tensor)
    return tensor


def agree_max(ctx, values):
    """The element-wise maximum of a few integers over the processes, on the host."""
    if not ctx.distributed:
        return list(values)
    t = torch.tensor(list(values), dtype=torch.int64)
    dist.all_reduce(t, op=dist.ReduceOp.MAX, group=ctx.control)
    return t.tolist()


def broadcast_value(ctx, value):
    """Process 0's float, on every process."""
    if not ctx.distributed:
        return value
    t = torch.tensor([value], dtype=torch.float64)
    dist.broadcast(t, 0, group=ctx.control)
    return float(t.item())


def sync_buffers(ctx, module):
    """Process 0's buffers (batch-norm statistics) everywhere, so that every process evaluates the same model."""
    if ctx.distributed:
        for b in module.buffers():
            dist.broadcast(b, 0)


def shard(n, ctx):
    """This process's share of n items for evaluation: positions rank, rank + world, ... padded (wrapping around) to
    the same length on every process; returns (positions, valid)."""
    per = -(-n // ctx.world)
    positions = ctx.rank + ctx.world * torch.arange(per)
    return positions % n, positions < n


def gather_shards(ctx, local, n):
    """The n rows of a sharded result (local: this process's per x k tensor, in shard() order) on every process."""
    if not ctx.distributed:
        return local[:n]
    parts = [torch.empty_like(local) for _ in range(ctx.world)]
    dist.all_gather(parts, local.contiguous())
    return torch.stack(parts, 1).reshape(-1, *local.shape[1:])[:n]
