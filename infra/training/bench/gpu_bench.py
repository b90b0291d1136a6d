#!/usr/bin/env python3
"""Training throughput against the bare training step, side by side in one run.

1. Writes a Kermany-sized synthetic set (5,216 train: 1,341 NORMAL / 3,875 PNEUMONIA; 400 val; 624 test) as
   grayscale JPEGs with local-path manifests (train.py needs no S3 for it).
2. Measures the bare training step (the step function train.py uses, on a batch already on the device: the upper
   bound of what an input pipeline can reach) and the input pipeline alone (store on the device, augmentation).
3. Counts the host syncs of a training epoch (CUDA sync debug mode).
4. Runs train.py for the default fine-tuning (last conv block + head) and full fine-tuning (all blocks) at each
   batch size, with one process (and with every GPU when there are several), and reads its metrics.json.
5. Prints images/s, GPU memory and the ratio of train.py's steady-state throughput (epochs after the first, whose
   images stream in) to the bare step, and writes results.json.

On a GPU machine:       python3 infra/training/bench/gpu_bench.py
A tiny run on the CPU:  python3 infra/training/bench/gpu_bench.py --tiny
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
import zlib
from concurrent.futures import ProcessPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
TRAINING = os.path.dirname(HERE)
sys.path.insert(0, TRAINING)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from cxrtrain import config, nets, pipeline, run  # noqa: E402
from cxrtrain.augment import BatchAugmentation  # noqa: E402
from cxrtrain.dist import Context  # noqa: E402
from cxrtrain.store import PixelStore  # noqa: E402

KERMANY = {"train": (1341, 3875), "val": (200, 200), "test": (234, 390)}
TINY = {"train": (48, 48), "val": (16, 16), "test": (16, 16)}
CONFIGS = {"default": 1, "full": 5}  # fineTuneBlocks


def _image(args):
    path, label, seed, size = args
    from PIL import Image

    rng = np.random.default_rng(seed)
    # A smooth random field (low-frequency noise, upsampled) plus, for PNEUMONIA, a bright patchy opacity.
    field = rng.normal(0, 1, (size // 16 + 1, size // 16 + 1)).astype(np.float32)
    base = np.array(Image.fromarray(field).resize((size, size), Image.BICUBIC))
    base = 90 + 25 * base + rng.normal(0, 6, (size, size))
    if label:
        cy, cx = rng.integers(size // 4, 3 * size // 4, 2)
        yy, xx = np.mgrid[:size, :size]
        base += 70 * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * (size / 10) ** 2))
    Image.fromarray(np.clip(base, 0, 255).astype(np.uint8)).save(path, quality=90)
    return path


def make_dataset(root, counts, size, workers):
    """Writes the images (once: kept between runs of the bench) and the three manifests; returns their paths."""
    jobs, manifests = [], {}
    for split, (normal, pneumonia) in counts.items():
        lines = []
        for i in range(normal + pneumonia):
            label = int(i >= normal)
            name = ["NORMAL", "PNEUMONIA"][label]
            path = os.path.join(root, "images", split, name, f"person{i}_{split}.jpeg")
            if not os.path.exists(path):
                os.makedirs(os.path.dirname(path), exist_ok=True)
                jobs.append((path, label, zlib.crc32(f"{split}/{i}".encode()), size))
            lines.append(json.dumps({"source-ref": path, "class": str(label), "class-name": name}))
        manifests[split] = os.path.join(root, f"{split}.jsonl")
        with open(manifests[split], "w") as f:
            f.write("\n".join(lines) + "\n")
    if jobs:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            list(pool.map(_image, jobs, chunksize=64))
    return manifests


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _model(arch, blocks, size, device):
    model, _ = nets.build(arch, 2, size, blocks)
    model = model.to(device)
    optimizer = run.make_optimizer("adam", [p for p in model.parameters() if p.requires_grad], 1e-4, device)
    return model, optimizer


def bare_step(arch, blocks, batch, size, device, dtype, steps, warmup):
    """Images/s of train.py's step function on one batch that already sits on the device."""
    torch.manual_seed(0)
    model, optimizer = _model(arch, blocks, size, device)
    model.train()
    scaler = run._grad_scaler(dtype == torch.float16)
    loss_fn = run.loss_function(torch.tensor([1.9, 0.7], device=device))
    x = torch.randn(batch, 3, size, size, device=device)
    y = torch.randint(0, 2, (batch,), device=device)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    for _ in range(warmup):
        run.train_step(model, optimizer, scaler, loss_fn, x, y, dtype)
    _sync(device)
    t0 = time.perf_counter()
    for _ in range(steps):
        run.train_step(model, optimizer, scaler, loss_fn, x, y, dtype)
    _sync(device)
    seconds = time.perf_counter() - t0
    memory = torch.cuda.max_memory_allocated(device) / 2**20 if device.type == "cuda" else None
    del model, optimizer
    return {"images_per_s": round(steps * batch / seconds, 1), "gpu_max_memory_mib": memory}


def _filled_store(directory, n, size):
    path = PixelStore.prepare(directory, "bench", n, size)
    store = PixelStore(path, n, size)
    rng = np.random.default_rng(0)
    for i in range(0, n, 256):
        block = rng.integers(0, 255, (min(256, n - i), size, size), dtype=np.uint8)
        store.pixels[i:i + len(block)] = block
    store.flags[:] = 1
    return store


def pipeline_checks(arch, batch, size, device, dtype, n, scratch):
    """The input pipeline alone (gather from the store on the device + augmentation + normalisation), and the host
    syncs of a training epoch through it (CUDA sync debug mode; the epoch end reads its totals once)."""
    store = _filled_store(scratch, n, size)
    ctx = Context(device=device)
    source = pipeline.PixelSource(store, pipeline.Feeder(store, ctx), device)
    source.feeder.streaming = False
    if device.type == "cuda":
        source.place("true")
    rows = np.arange(n)
    batches = pipeline.TrainBatches(rows, rows % 2, batch, ctx, 42, source, BatchAugmentation(config.Augmentation()))
    for _ in batches.epoch(1):
        pass
    _sync(device)
    t0 = time.perf_counter()
    count = 0
    for x, _ in batches.epoch(2):
        count += len(x)
    _sync(device)
    result = {"input_pipeline_images_per_s": round(count / (time.perf_counter() - t0), 1)}
    if device.type == "cuda" and hasattr(torch.cuda, "set_sync_debug_mode"):
        model, optimizer = _model(arch, 1, size, device)
        scaler = run._grad_scaler(dtype == torch.float16)
        loss_fn = run.loss_function(torch.tensor([1.9, 0.7], device=device))
        run.train_epoch(model, batches.epoch(3), optimizer, scaler, loss_fn, dtype, ctx)  # warm-up
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            torch.cuda.set_sync_debug_mode("warn")
            try:
                run.train_epoch(model, batches.epoch(4), optimizer, scaler, loss_fn, dtype, ctx)
            finally:
                torch.cuda.set_sync_debug_mode("default")
        steps = -(-n // batch)
        syncs = [str(w.message).splitlines()[0] for w in caught if "synchroniz" in str(w.message)]
        result.update(epoch_steps=steps, epoch_host_syncs=len(syncs), sync_kinds=sorted(set(syncs))[:5])
    store.close(remove=True)
    return result


def train_run(python, manifests, work, name, arch, blocks, batch, size, epochs, device, gpus):
    """train.py as a job runs it; returns the figures of its metrics.json."""
    out = os.path.join(work, "runs", name)
    env = dict(os.environ, CXR_GPUS=str(gpus))
    cmd = [python, os.path.join(TRAINING, "train.py"), "--run-id", name, "--arch", arch, "--image-size", str(size),
           "--epochs", str(epochs), "--batch-size", str(batch), "--fine-tune-blocks", str(blocks),
           "--patience", "0", "--checkpoint-seconds", "off", "--device", device,
           "--train-manifest", manifests["train"], "--val-manifest", manifests["val"],
           "--test-manifest", manifests["test"], "--output", out, "--cache-dir", os.path.join(work, "cache")]
    t0 = time.time()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{name}: train.py exit {proc.returncode}\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    with open(os.path.join(out, "metrics.json")) as f:
        m = json.load(f)
    history = m["history"]
    steady = history[1:] or history
    n_train, n_val = m["data"]["entries"]["train"], m["data"]["entries"]["val"]
    return {
        "wall_s": round(time.time() - t0, 1),
        "epoch_s": [h["seconds"] for h in history],
        "first_epoch_train_images_per_s": history[0]["train_images_per_s"],
        "train_images_per_s": round(statistics.median(h["train_images_per_s"] for h in steady), 1),
        "images_per_s_with_val": round(statistics.median((n_train + n_val) / h["seconds"] for h in steady), 1),
        "gpu_max_memory_mib": max((h.get("gpu_max_memory_mib") or 0) for h in history) or None,
        "pixels_on_device": m["input"]["pixelsOnDevice"], "ready_at_first_step": m["input"]["readyAtFirstStep"],
        "load_s": m["input"]["loadSeconds"], "processes": m["distributed"]["processes"],
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tiny", action="store_true", help="CPU, small net, 64 px, 96/32/32 images")
    p.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "cxr-gpu-bench"))
    p.add_argument("--batch-sizes", default=None, help="comma-separated (default 32,128; tiny: 16)")
    p.add_argument("--epochs", type=int, default=None, help="train.py epochs (default 4; tiny: 3)")
    p.add_argument("--steps", type=int, default=None, help="timed bare steps (default 60; tiny: 10)")
    p.add_argument("--arch", default=None, help="default vgg16; tiny: small")
    p.add_argument("--configs", default=None, help="default,full (tiny: default)")
    p.add_argument("--source-size", type=int, default=None, help="side of the synthetic JPEGs (512; tiny: 96)")
    p.add_argument("--python", default=sys.executable)
    a = p.parse_args()
    tiny = a.tiny
    device = torch.device("cpu" if tiny or not torch.cuda.is_available() else "cuda")
    arch = a.arch or ("small" if tiny else "vgg16")
    size = 64 if tiny else 224
    batches = [int(b) for b in (a.batch_sizes or ("16" if tiny else "32,128")).split(",")]
    epochs = a.epochs or (3 if tiny else 4)
    steps = a.steps or (10 if tiny else 60)
    configs = (a.configs or ("default" if arch == "small" else "default,full")).split(",")
    gpus = torch.cuda.device_count() if device.type == "cuda" else 0
    dtype = run.amp_dtype("auto", device)
    os.makedirs(a.work, exist_ok=True)
    if tiny:
        torch.set_num_threads(os.cpu_count() or 1)

    info = {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "command": " ".join(sys.argv),
            "device": torch.cuda.get_device_name(device) if device.type == "cuda" else
            f"CPU ({platform.processor() or platform.machine()}, {os.cpu_count()} cores)",
            "gpus": gpus, "torch": torch.__version__, "amp": str(dtype), "arch": arch, "imageSize": size,
            "tiny": tiny}
    print(json.dumps(info))
    t0 = time.time()
    manifests = make_dataset(os.path.join(a.work, "data-tiny" if tiny else "data"), TINY if tiny else KERMANY,
                             a.source_size or (96 if tiny else 512), os.cpu_count() or 1)
    n_train = sum(TINY["train"] if tiny else KERMANY["train"])
    print(f"data: {a.work} ({time.time() - t0:.1f}s)", flush=True)

    results = {"info": info, "bare": {}, "pipeline": {}, "train": {}}
    for name in configs:
        for batch in batches:
            key = f"{name}/b{batch}"
            results["bare"][key] = bare_step(arch, CONFIGS[name], batch, size, device, dtype, steps, max(3, steps // 6))
            print(f"bare step {key}: {results['bare'][key]}", flush=True)
    for batch in batches:
        with tempfile.TemporaryDirectory(dir=a.work) as scratch:
            results["pipeline"][f"b{batch}"] = pipeline_checks(arch, batch, size, device, dtype,
                                                               min(n_train, 16 * batch), scratch)
        print(f"input pipeline b{batch}: {results['pipeline'][f'b{batch}']}", flush=True)
    if device.type == "cuda":
        torch.cuda.empty_cache()
    runs = [(name, batch, 1) for name in configs for batch in batches]
    if gpus > 1:
        runs.append((configs[0], max(batches), gpus))
    for name, batch, n in runs:
        key = f"{name}/b{batch}" + (f"/x{n}" if n > 1 else "")
        r = train_run(a.python, manifests, a.work, key.replace("/", "-"), arch, CONFIGS[name], batch, size, epochs,
                      device.type, n)
        bare = results["bare"][f"{name}/b{batch}"]["images_per_s"] * n
        r["bare_limit_images_per_s"] = bare
        r["ratio_to_bare"] = round(r["train_images_per_s"] / bare, 3)
        results["train"][key] = r
        print(f"train.py {key}: {r}", flush=True)

    print()
    print(f"{'run':<22}{'bare img/s':>12}{'train.py img/s':>16}{'ratio':>8}{'with val':>10}{'epoch 1':>9}"
          f"{'GPU MiB':>9}")
    for key, r in results["train"].items():
        print(f"{key:<22}{r['bare_limit_images_per_s']:>12.0f}{r['train_images_per_s']:>16.0f}"
              f"{r['ratio_to_bare']:>8.2f}{r['images_per_s_with_val']:>10.0f}"
              f"{r['first_epoch_train_images_per_s']:>9.0f}{(r['gpu_max_memory_mib'] or 0):>9.0f}")
    print("ratio: train.py's median train-loop images/s over epochs 2+ / the bare step's at the same batch size "
          "(x processes); with val: train + val images per epoch second")
    with open(os.path.join(a.work, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    print(f"results: {os.path.join(a.work, 'results.json')} ({time.time() - t0:.0f}s)")


if __name__ == "__main__":
    main()
