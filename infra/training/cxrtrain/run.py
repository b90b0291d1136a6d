"""One training run: manifests -> images streamed into a shared store -> train with early stopping (one process,
or one per GPU under torchrun) -> test metrics -> ONNX + plots -> output. Resumes from a checkpoint when there is
one beside the outputs."""

import contextlib
import copy
import json
import logging
import os
import platform
import random
import shutil
import sys
import tempfile
import time
import traceback
from datetime import datetime, timezone

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import checkpoint
from . import config as config_mod
from . import assess, dist, evaluate, gradcam, manifest, nets, paired, pipeline, report
from .augment import BatchAugmentation
from .augment import mix_seed
from .cache import GIB, ImageCache
from .data import ImageError, decode, cache_path, normalise
from .storage import Storage, StorageError, is_s3, local_path
from .store import PixelStore, StreamLoader, load_order, store_key

from .config import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK  # noqa: F401  (the exit statuses of main)
from .launch import STATUS_DIR

log = logging.getLogger("cxr.train")


def _setup_logging(log_file, rank=0):
    log.handlers.clear()
    log.setLevel(logging.INFO)
    log.propagate = False
    if rank == 0:
        fmt = logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S")
        handlers = (logging.StreamHandler(sys.stdout), logging.FileHandler(log_file, encoding="utf-8"))
    else:  # the other processes of a multi-GPU run report only their problems, marked with their rank
        fmt = logging.Formatter(f"%(asctime)s %(levelname)s [rank {rank}] %(message)s", "%Y-%m-%dT%H:%M:%S")
        handlers = (logging.StreamHandler(sys.stdout),)
        log.setLevel(logging.WARNING)
    for handler in handlers:
        handler.setFormatter(fmt)
        log.addHandler(handler)


def _device_info(ctx):
    import torchvision

    device = ctx.device
    info = {"type": device.type, "torch": torch.__version__, "torchvision": torchvision.__version__,
            "threads": torch.get_num_threads(), "python": platform.python_version(), "processes": ctx.world}
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        info.update(name=props.name, cuda=torch.version.cuda, cudnn=torch.backends.cudnn.version(),
                    memoryMiB=round(props.total_memory / 2**20), gpus=ctx.world)
    else:
        info.update(name=platform.processor() or platform.machine(), cpus=os.cpu_count())
    return info


def _read_manifests(storage, cfg):
    manifests = {}
    for split, uri in (("train", cfg.train_manifest), ("val", cfg.val_manifest), ("test", cfg.test_manifest)):
        manifests[split] = manifest.read(storage, uri, split)
    return manifests


def amp_dtype(choice, device):
    """The autocast dtype: fp16 on CUDA by default (with loss scaling), bf16 when asked, none on the CPU."""
    if device.type != "cuda" or choice == "off":
        return None
    if choice == "bf16":
        if not torch.cuda.is_bf16_supported():
            raise config_mod.ConfigError("CXR_AMP=bf16 but this GPU does not support bfloat16")
        return torch.bfloat16
    return torch.float16


def _autocast(dtype):
    """Autocast on CUDA with the given dtype; nothing when None (CPU, or AMP off)."""
    return torch.autocast(device_type="cuda", dtype=dtype) if dtype is not None else contextlib.nullcontext()


def _grad_scaler(enabled):
    amp_mod = getattr(torch, "amp", None)
    if amp_mod is not None and hasattr(amp_mod, "GradScaler"):
        try:
            return amp_mod.GradScaler("cuda", enabled=enabled)
        except TypeError:
            pass
    return torch.cuda.amp.GradScaler(enabled=enabled)


def make_optimizer(name, params, lr, device):
    """Adam or SGD (momentum 0.9); the fused CUDA kernels where this torch has them: one launch per step, and
    with fp16 loss scaling the inf check stays on the GPU (no host sync per step)."""
    cls, kwargs = (torch.optim.Adam, {}) if name == "adam" else (torch.optim.SGD, {"momentum": 0.9})
    if device.type == "cuda":
        try:
            return cls(params, lr=lr, fused=True, **kwargs)
        except (TypeError, RuntimeError):  # no fused variant in this torch
            pass
    return cls(params, lr=lr, **kwargs)


def loss_function(class_weights):
    """Cross-entropy, each sample weighted by its class and summed over the batch size (Keras' class_weight).
    Unlike a weighted mean it is additive over samples, so averaging the gradients of processes that each hold a
    part of the batch gives exactly the gradient of the whole batch."""
    def loss(logits, y):
        per_sample = F.cross_entropy(logits, y, reduction="none")
        return (per_sample * class_weights[y]).mean() if class_weights is not None else per_sample.mean()
    return loss


def train_step(model, optimizer, scaler, loss_fn, x, y, dtype):
    """One optimisation step; returns (logits, loss) as device tensors (nothing is read back to the host)."""
    optimizer.zero_grad(set_to_none=True)
    with _autocast(dtype):
        logits = model(x)
        loss = loss_fn(logits.float(), y)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
    return logits.detach(), loss.detach()


def train_epoch(model, batches, optimizer, scaler, loss_fn, dtype, ctx, on_first_step=None):
    """One epoch over this process's batches; returns (loss sum, correct, samples) summed over all processes."""
    model.train()
    loss_sum = torch.zeros((), dtype=torch.float64, device=ctx.device)
    correct = torch.zeros((), dtype=torch.float64, device=ctx.device)
    seen = 0
    for x, y in batches:
        if on_first_step is not None:
            on_first_step()
            on_first_step = None
        logits, loss = train_step(model, optimizer, scaler, loss_fn, x, y, dtype)
        loss_sum += loss.double() * y.size(0)
        correct += (logits.argmax(1) == y).sum()
        seen += y.size(0)
    totals = torch.stack([loss_sum, correct, torch.tensor(float(seen), dtype=torch.float64, device=ctx.device)])
    return tuple(dist.all_sum(ctx, totals).tolist())


def predict(model, batches, labels, ctx, dtype):
    """(probabilities N x n float64, labels, mean unweighted loss) over a split, every process evaluating its shard;
    every process gets the whole result."""
    logits, labels, loss = predict_logits(model, batches, labels, ctx, dtype)
    return torch.softmax(torch.from_numpy(logits), dim=1).numpy(), labels, loss


def predict_logits(model, batches, labels, ctx, dtype):
    """(logits N x n float64, labels, mean unweighted loss) over a split, every process evaluating its shard;
    every process gets the whole result."""
    model.eval()
    outputs = []
    with torch.no_grad():
        for x in batches:
            with _autocast(dtype):
                outputs.append(model(x).float())
    logits = dist.gather_shards(ctx, torch.cat(outputs), batches.n)
    y = torch.from_numpy(labels).to(ctx.device)
    loss = F.cross_entropy(logits, y).item()
    return logits.double().cpu().numpy(), labels, loss


def _decoded(storage, cfg, refs):
    """{ref: uint8 image} for the evaluation set and the images it is checked against (through the download
    cache, decoded as training decodes)."""
    images = {}
    for ref in sorted(refs):
        path = cache_path(cfg.cache_dir, ref) if is_s3(ref) else local_path(ref)
        if is_s3(ref) and not os.path.exists(path):
            storage.download(ref, path)
        images[ref] = decode(path, cfg.image_size)
    return images


def _labelled_batches(entries, images, batch_size):
    """(inputs, labels) batches of a manifest's images, in manifest order, on the CPU."""
    batches = []
    for start in range(0, len(entries), batch_size):
        chunk = entries[start:start + batch_size]
        pixels = torch.from_numpy(np.stack([images[e.source_ref] for e in chunk]))
        labels = torch.tensor([e.label for e in chunk])
        batches.append((normalise(pipeline.to_input(pixels)), labels))
    return batches


class _TestImages:
    """The test split's images as (input, label) pairs by manifest position, for the report's overlays."""

    def __init__(self, splits, store):
        self.splits, self.store = splits, store

    def __len__(self):
        return len(self.splits.rows["test"])

    def __getitem__(self, i):
        pixels = torch.from_numpy(np.array(self.store.pixels[self.splits.rows["test"][i]]))
        return normalise(pipeline.to_input(pixels.unsqueeze(0)))[0], int(self.splits.labels["test"][i])


class Input:
    """The images of a run: the shared decoded store, the bounded download cache and the threads that fill the
    store in the order training first needs the rows (the first epoch to run, then val, then test)."""

    def __init__(self, cfg, storage, ctx, splits):
        self.refs = splits.refs
        n, size = len(splits.refs), cfg.image_size
        directory = os.path.join(cfg.cache_dir, ".pixels")
        key = store_key(cfg.run_id, splits.refs, size)
        path = os.path.join(directory, key + ".u8")
        if ctx.local_rank == 0:
            PixelStore.prepare(directory, key, n, size)
        dist.barrier(ctx)
        self.store = PixelStore(path, n, size)
        ready, _ = self.store.counts()
        self.cache = ImageCache(cfg.cache_dir, storage,
                                None if cfg.cache_max_gib is None else int(cfg.cache_max_gib * GIB),
                                (ctx.local_rank, ctx.local_world), reserved=(n - ready) * size * size)
        self.feeder = pipeline.Feeder(self.store, ctx, total=n)
        self.source = pipeline.PixelSource(self.store, self.feeder, ctx.device)
        self.loader = None
        self.ready_at_first_step = None
        log.info("images: %d distinct, decoded at %dx%d into %s (%.2f GiB); download cache bound %.2f GiB%s", n,
                 size, size, path, self.store.bytes() / GIB, self.cache.total_max_bytes / GIB,
                 f", {self.cache.size_bytes / GIB:.2f} GiB cached" if self.cache.size_bytes else "")

    def start(self, sequence, threads, ctx):
        rows = load_order(sequence, ctx.world, ctx.local_world, ctx.local_rank)
        self.loader = StreamLoader(self.store, self.refs, rows, self.cache, threads).start()
        return self

    def image_errors_first(self, ctx):
        """Raises the ImageError of unreadable images, if any, once all are read: a problem of the manifests found
        while images stream in comes second, as when every image was read before training."""
        self.loader.wait()
        dist.barrier(ctx)
        if self.store.counts()[1]:
            raise self.store.error()

    def close(self, ctx):
        if self.loader is not None:
            self.loader.stop()
        self.store.close(remove=ctx.local_rank == 0)

    def stats(self):
        return {"distinctImages": self.store.n, "decodedBytes": self.store.bytes(),
                "pixelsOnDevice": self.source.on_device is not None,
                "loadSeconds": round(self.loader.seconds, 3) if self.loader else None,
                "readyAtFirstStep": self.ready_at_first_step,
                "waitSeconds": round(self.feeder.waited, 3), "cache": self.cache.stats()}


def _seed_epoch(seed, epoch, rank):
    """Dropout and any other global randomness of an epoch: a function of (seed, epoch, rank), so that a resumed
    run draws what the uninterrupted one would have."""
    torch.manual_seed(mix_seed(seed, epoch, 1 + rank))


def train(cfg, work_dir, storage, ctx):
    """Runs the whole job; process 0 writes every output into work_dir and returns the metrics document (the other
    processes return None)."""
    t_start = time.time()
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads or max(1, (os.cpu_count() or 1) // ctx.local_world))
    device = ctx.device
    dtype = amp_dtype(cfg.amp, device)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    log.info("run %s: arch %s, image size %d, %d epochs max, batch %d, lr %g, device %s%s (%d CPU threads), "
             "amp %s, torch %s", cfg.run_id, cfg.arch, cfg.image_size, cfg.epochs, cfg.batch_size, cfg.learning_rate,
             device, f" x {ctx.world} processes ({ctx.backend})" if ctx.distributed else "", torch.get_num_threads(),
             {None: "off", torch.float16: "fp16", torch.bfloat16: "bf16"}[dtype], torch.__version__)
    if cfg.workers is not None:
        log.info("CXR_WORKERS/--workers is not used any more: batches are assembled and augmented on the device")

    manifests = _read_manifests(storage, cfg)
    names = manifest.class_names(manifests, cfg.class_names)
    n_classes = len(names)
    counts = {split: manifest.class_counts(entries, n_classes) for split, entries in manifests.items()}
    for split, c in counts.items():
        log.info("%s: %d entries, %s", split, sum(c), ", ".join(f"{names[i]} {c[i]}" for i in range(n_classes)))
    splits = pipeline.Splits(manifests)

    checkpoints = checkpoint.Checkpoints(cfg, storage, ctx, checkpoint.fingerprint(cfg, manifests, names),
                                         checkpoint.scratch_dir(cfg.cache_dir, cfg.output))
    resume = checkpoints.find()
    start_epoch = resume["epoch"] + 1 if resume else 1

    # --- evaluation manifest: read, decoded and checked for leakage before any training ---
    eval_entries, eval_images = None, None
    if cfg.eval_manifest and ctx.main:
        eval_entries = manifest.read(storage, cfg.eval_manifest, "evaluation")
        eval_images = _decoded(storage, cfg, {e.source_ref for e in eval_entries}
                               | {e.source_ref for sp in ("train", "val") for e in manifests[sp]})
        paired.check_leakage(eval_entries, {"train": manifests["train"], "val": manifests["val"]}, eval_images,
                             cfg.eval_manifest)
    # --- end of evaluation manifest ---
    inp = Input(cfg, storage, ctx, splits)
    try:
        return _train(cfg, work_dir, ctx, dtype, manifests, names, counts, splits, checkpoints, resume, start_epoch,
                      inp, t_start, storage, eval_entries, eval_images)
    finally:
        inp.close(ctx)


def _train(cfg, work_dir, ctx, dtype, manifests, names, counts, splits, checkpoints, resume, start_epoch, inp,
           t_start, storage=None, eval_entries=None, eval_images=None):
    device, n_classes = ctx.device, len(names)
    augment = BatchAugmentation(cfg.augmentation)
    train_batches = pipeline.TrainBatches(splits.rows["train"], splits.labels["train"], cfg.batch_size, ctx,
                                          cfg.seed, inp.source, augment)
    val_batches = pipeline.EvalBatches(splits.rows["val"], cfg.batch_size, ctx, inp.source)
    test_batches = pipeline.EvalBatches(splits.rows["test"], cfg.batch_size, ctx, inp.source)
    first = [train_batches.global_order(start_epoch)] if start_epoch <= cfg.epochs else []
    inp.start(pipeline.first_use(splits, first, ctx), cfg.loader_threads, ctx)
    if ctx.distributed and cfg.batch_size % ctx.world:
        log.warning("batch size %d is not a multiple of %d processes: %d per process, global batch %d",
                    cfg.batch_size, ctx.world, train_batches.batch_size, train_batches.global_batch)

    model, pretrained = nets.build(cfg.arch, n_classes, cfg.image_size, cfg.fine_tune_blocks)
    model = model.to(device)
    if ctx.distributed and device.type == "cuda" and any(isinstance(m, nn.modules.batchnorm._BatchNorm)
                                                         for m in model.modules()):
        model = nn.SyncBatchNorm.convert_sync_batchnorm(model)  # batch statistics over the global batch
    total_params, trainable_params = nets.count_parameters(model)
    log.info("model %s: %d parameters, %d trainable%s", cfg.arch, total_params, trainable_params,
             ", ImageNet weights" if pretrained else "")

    class_weights = None
    if cfg.class_weights == "auto":
        try:
            class_weights = manifest.balanced_weights(counts["train"])
        except manifest.ManifestError:
            inp.image_errors_first(ctx)
            raise
        log.info("class weights: %s", ", ".join(f"{names[i]} {w:.3f}" for i, w in enumerate(class_weights)))
    loss_fn = loss_function(torch.tensor(class_weights, dtype=torch.float32, device=device)
                            if class_weights else None)
    optimizer = make_optimizer(cfg.optimizer, [p for p in model.parameters() if p.requires_grad],
                               cfg.learning_rate, device)
    scaler = _grad_scaler(dtype == torch.float16)

    s = {"history": [], "best_loss": float("inf"), "best_epoch": 0, "best_state": None, "stale": 0,
         "stopped_early": False, "train_s": 0.0}
    if resume:
        state = checkpoints.load()
        if state.get("fingerprint") != checkpoints.fingerprint:
            raise RuntimeError("the checkpoint's state does not match its description (fingerprint)")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        if state.get("scaler") and scaler.is_enabled():
            scaler.load_state_dict(state["scaler"])
        s.update(state["progress"])
        start_epoch = state["epoch"] + 1
        log.info("resuming after epoch %d of %d (checkpoint of %s; best epoch %d)", state["epoch"], cfg.epochs,
                 resume.get("createdAt", "?"), s["best_epoch"])
    net = model
    if ctx.distributed:
        net = nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)

    first_step = []

    def started():
        first_step.append(time.time() - t_start)
        inp.ready_at_first_step = inp.store.counts()[0]
        log.info("first training step %.1fs after the start, %d of %d images decoded", first_step[0],
                 inp.ready_at_first_step, inp.store.n)

    last_peak = 0
    for epoch in range(start_epoch, cfg.epochs + 1):
        if s["stopped_early"]:
            break
        t_epoch = time.time()
        if device.type == "cuda":
            inp.source.place(cfg.pixels_on_device, last_peak)
            torch.cuda.reset_peak_memory_stats(device)
        _seed_epoch(cfg.seed, epoch, ctx.rank)
        t_loop = time.time()
        loss_total, correct, seen = train_epoch(net, train_batches.epoch(epoch), optimizer, scaler, loss_fn, dtype,
                                                ctx, None if first_step else started)
        t_train = time.time() - t_loop
        dist.sync_buffers(ctx, model)
        t_val = time.time()
        val_probs, val_labels, val_loss = predict(model, val_batches, splits.labels["val"], ctx, dtype)
        val_loss = dist.broadcast_value(ctx, val_loss)  # every process takes process 0's early-stopping decisions
        val_auc = evaluate.roc_auc(val_labels == n_classes - 1, val_probs[:, -1])
        val_acc = float(np.mean(val_probs.argmax(1) == val_labels))
        seconds = time.time() - t_epoch
        s["train_s"] += t_train
        row = {"epoch": epoch, "train_loss": loss_total / seen, "train_accuracy": correct / seen,
               "val_loss": val_loss, "val_accuracy": val_acc, "val_roc_auc": val_auc, "seconds": round(seconds, 3),
               "train_seconds": round(t_train, 3), "val_seconds": round(time.time() - t_val, 3),
               "train_samples": int(seen), "train_images_per_s": round(seen / t_train, 1) if t_train > 0 else None}
        gpu = ""
        if device.type == "cuda":
            last_peak = torch.cuda.max_memory_reserved(device)
            row["gpu_max_memory_mib"] = round(torch.cuda.max_memory_allocated(device) / 2**20, 1)
            row["gpu_max_reserved_mib"] = round(last_peak / 2**20, 1)
            gpu = f" gpu_mem {row['gpu_max_memory_mib']:.0f}MiB"
        s["history"].append(row)
        improved = val_loss < s["best_loss"] - 1e-6
        if improved:
            s.update(best_loss=val_loss, best_epoch=epoch, stale=0,
                     best_state=copy.deepcopy({k: v.detach().cpu() for k, v in model.state_dict().items()}))
        else:
            s["stale"] += 1
        log.info("epoch %d/%d loss %.4f acc %.3f val_loss %.4f val_acc %.3f val_auc %s %.1fs (%.0f img/s)%s%s",
                 epoch, cfg.epochs, row["train_loss"], row["train_accuracy"], val_loss, val_acc,
                 f"{val_auc:.4f}" if val_auc is not None else "n/a", seconds, row["train_images_per_s"] or 0, gpu,
                 " *" if improved else "")
        if cfg.patience and s["stale"] >= cfg.patience and epoch < cfg.epochs:
            s["stopped_early"] = True
            log.info("early stop: val loss has not improved for %d epochs; best epoch %d (val loss %.4f)",
                     s["stale"], s["best_epoch"], s["best_loss"])
        if ctx.main and epoch < cfg.epochs and not s["stopped_early"] and checkpoints.due():
            checkpoints.save(checkpoint.cpu_copy({
                "epoch": epoch, "fingerprint": checkpoints.fingerprint, "model": model.state_dict(),
                "optimizer": optimizer.state_dict(), "scaler": scaler.state_dict(), "progress": s}))
    checkpoints.wait()
    if s["best_state"] is not None:
        model.load_state_dict(s["best_state"])
    history, best_epoch, best_loss = s["history"], s["best_epoch"], s["best_loss"]

    t0 = time.time()
    test_logits, test_labels, test_loss = predict_logits(model, test_batches, splits.labels["test"], ctx, dtype)
    val_logits, val_labels, _ = predict_logits(model, val_batches, splits.labels["val"], ctx, dtype)
    inp.loader.stop()
    if not ctx.main:
        return None
    from . import export  # onnx: only the process that writes the outputs needs it

    # --- assessment: temperature and operating point fitted on val, test metrics there with CIs, plots ---
    trust = assess.assess_logits(val_logits, val_labels, test_logits, test_labels, cfg, names, work_dir, log)
    test_metrics, val_metrics = trust["test"], trust["val"]
    evaluation = None
    if eval_entries is not None:
        eval_batches = _labelled_batches(eval_entries, eval_images, cfg.batch_size)
        evaluation = paired.evaluate_run(cfg, storage, model, ctx.device, eval_entries, eval_batches, names, trust,
                                         work_dir, log, dtype is not None and ctx.device.type == "cuda")
    # --- end of assessment ---
    test_metrics["loss"] = test_loss
    t_test = time.time() - t0
    log.info("test: accuracy %.4f sensitivity %s specificity %s precision %s f1 %s roc_auc %s (n=%d)",
             test_metrics["accuracy"], *(_fmt(test_metrics[k]) for k in
                                         ("sensitivity", "specificity", "precision", "f1", "roc_auc")),
             test_metrics["n"])

    t0 = time.time()
    onnx_path = os.path.join(work_dir, "model.onnx")
    created = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    props = export.export(model, onnx_path, cfg.image_size, names, trust["threshold"],
                          {"cxr.run_id": cfg.run_id, "cxr.arch": cfg.arch, "cxr.created_at": created},
                          temperature=trust["temperature"])
    t_export = time.time() - t0
    log.info("exported %s (%.1f MiB, opset %d) in %.1fs", onnx_path, os.path.getsize(onnx_path) / 2**20,
             export.OPSET, t_export)

    reference, inputs = _reference(model, manifests["test"], splits, inp.store, cfg.reference_images, names,
                                   cfg.image_size, trust["temperature"], trust["threshold"])
    # --- Grad-CAM reference: PyTorch autograd's maps of the reference images, and their input tensors ---
    if inputs is not None:
        reference["gradcam"] = gradcam.autograd_gradcam(model, inputs)[1].double().tolist()
        reference["inputsFile"] = "reference-inputs.f32"
        inputs.numpy().astype("<f4").tofile(os.path.join(work_dir, "reference-inputs.f32"))
    # --- end of Grad-CAM reference ---
    with open(os.path.join(work_dir, "reference.json"), "w") as f:
        json.dump(reference, f, indent=1)
    onnx_check = _onnx_check(onnx_path, inputs, reference)

    try:
        from . import plots
    except ImportError as e:  # the image installs matplotlib; a bare PyTorch environment may not have it
        log.warning("no plots: %s", e)
    else:
        plots.losses(os.path.join(work_dir, "loss.png"), history, best_epoch)

    clean = lambda d: {k: evaluate.finite_or_none(v) if isinstance(v, float) else v for k, v in d.items()}  # noqa
    trained = [h for h in history if h.get("train_seconds")]
    metrics = {
        "runId": cfg.run_id,
        "createdAt": created,
        "classNames": names,
        "positiveClass": names[-1],
        "test": evaluate.finite_tree(test_metrics),
        "val": evaluate.finite_tree(val_metrics),
        "operatingPoint": evaluate.finite_tree(trust["operatingPoint"]),
        "calibration": evaluate.finite_tree(trust["calibration"]),
        "evaluation": evaluate.finite_tree(evaluation),
        "bestEpoch": best_epoch,
        "bestValLoss": evaluate.finite_or_none(best_loss),
        "epochsRun": len(history),
        "stoppedEarly": s["stopped_early"],
        "resumedAfterEpoch": start_epoch - 1 if resume else None,
        "history": [clean(h) for h in history],
        "timings": {"data_s": round(inp.loader.seconds, 3), "first_step_s": round(first_step[0], 3)
                    if first_step else None, "train_s": round(s["train_s"], 3), "test_s": round(t_test, 3),
                    "export_s": round(t_export, 3), "total_s": round(time.time() - t_start, 3),
                    "mean_epoch_s": round(float(np.mean([h["seconds"] for h in history])), 3) if history else None,
                    "mean_train_images_per_s": round(float(np.mean([h["train_images_per_s"] for h in trained])), 1)
                    if trained else None},
        "device": _device_info(ctx),
        "distributed": {"processes": ctx.world, "backend": ctx.backend, "globalBatch": train_batches.global_batch,
                        "batchPerProcess": train_batches.batch_size},
        "input": inp.stats(),
        "params": cfg.params(),
        "data": {"manifests": {"train": cfg.train_manifest, "val": cfg.val_manifest, "test": cfg.test_manifest},
                 "entries": {k: len(v) for k, v in manifests.items()}, "distinctImages": len(splits.refs),
                 "classCounts": {k: dict(zip(names, v)) for k, v in counts.items()},
                 "classWeights": dict(zip(names, class_weights)) if class_weights else None},
        "model": {"arch": cfg.arch, "pretrained": pretrained, "inputSize": cfg.image_size,
                  "parameters": total_params, "trainableParameters": trainable_params,
                  "onnxBytes": os.path.getsize(onnx_path), "opset": export.OPSET, "metadata": props,
                  "onnxCheck": onnx_check},
    }
    # --- report: one HTML page with the plots, the paired comparison and Grad-CAM overlays ---
    metrics["report"] = report.write(work_dir, metrics, report.gradcam_overlays(
        model, _TestImages(splits, inp.store), manifests["test"], names, trust["threshold"], trust["temperature"]))
    # --- end of report ---
    with open(os.path.join(work_dir, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2, allow_nan=False)
    return metrics


def _reference(model, entries, splits, store, k, names, size, temperature=1.0, threshold=0.5):
    """PyTorch's probabilities (softmax of logits / temperature) for the first k distinct test images, on the CPU
    in fp32 (as ONNX Runtime runs)."""
    model = model.eval().cpu()
    rows, inputs, seen = [], [], set()
    for i, e in enumerate(entries):
        if len(rows) >= k:
            break
        if e.source_ref in seen:
            continue
        seen.add(e.source_ref)
        pixels = torch.from_numpy(np.array(store.pixels[splits.rows["test"][i]]))
        x = normalise(pipeline.to_input(pixels.unsqueeze(0)))[0]
        inputs.append(x)
        with torch.no_grad():
            p = torch.softmax(model(x.unsqueeze(0)).double() / temperature, dim=1)[0].tolist()
        rows.append({"source-ref": e.source_ref, "class": e.label, "probabilities": p})
    return ({"inputSize": size, "classNames": names, "images": rows, "temperature": temperature,
             "threshold": threshold,
             "note": "PyTorch eval-mode class probabilities (softmax of the logits / temperature), CPU fp32"},
            torch.stack(inputs) if inputs else None)


def _onnx_check(onnx_path, inputs, reference, tolerance=1e-4):
    """Runs the export in ONNX Runtime when it is installed (the container image has it) and compares."""
    from . import export

    try:
        import onnxruntime
    except ImportError:
        log.info("onnxruntime not installed: the export is checked structurally only (onnx.checker)")
        return None
    if inputs is None:
        return None
    session = onnxruntime.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    logits = session.run([export.OUTPUT_NAME], {export.INPUT_NAME: inputs.numpy().astype(np.float32)})[0]
    logits = logits.astype(np.float64) / reference.get("temperature", 1.0)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    expected = np.array([row["probabilities"] for row in reference["images"]])
    diff = float(np.abs(probs - expected).max())
    log.info("ONNX Runtime %s reproduces PyTorch's probabilities within %.2e on %d test images",
             onnxruntime.__version__, diff, len(expected))
    if diff > tolerance:
        raise RuntimeError(f"the ONNX export differs from PyTorch by {diff:.2e} (> {tolerance:g})")
    check = {"onnxruntime": onnxruntime.__version__, "maxAbsProbabilityDiff": diff, "images": len(expected)}
    if "gradcam" in reference:
        cam = session.run([export.GRADCAM_NAME], {export.INPUT_NAME: inputs.numpy().astype(np.float32)})[0]
        want = np.array(reference["gradcam"])
        cam_diff = float(np.abs(cam - want).max()) / max(1.0, float(np.abs(want).max()))
        log.info("ONNX Runtime's Grad-CAM equals PyTorch autograd's within %.2e (relative to the peak)", cam_diff)
        if cam_diff > tolerance:
            raise RuntimeError(f"the ONNX Grad-CAM differs from PyTorch autograd by {cam_diff:.2e} (> {tolerance:g})")
        check["maxGradcamDiff"] = cam_diff
    return check


def _fmt(v):
    return f"{v:.4f}" if v is not None else "n/a"


def main(argv=None, failure=None):
    """Runs the job; failure: a problem the launcher found, reported as the run's error."""
    try:
        cfg = config_mod.load(argv)
    except config_mod.ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return _exit(EXIT_BAD_INPUT)

    rank = int(os.environ.get("RANK") or 0)
    remote = is_s3(cfg.output)
    own_dir = remote or rank != 0  # process 0 of a local output writes straight into it
    work_dir = tempfile.mkdtemp(prefix=f"cxr-train-{cfg.run_id}-") if own_dir else local_path(cfg.output)
    os.makedirs(work_dir, exist_ok=True)
    _setup_logging(os.path.join(work_dir, "train.log"), rank)
    storage = Storage(cfg.s3_endpoint)
    status = EXIT_OK
    ctx = None
    try:
        if failure is not None:
            raise failure
        ctx = dist.setup(cfg.device)
        train(cfg, work_dir, storage, ctx)
    except (config_mod.ConfigError, manifest.ManifestError, ImageError) as e:
        log.error("failed: %s", e)
        _write_error(work_dir, e, EXIT_BAD_INPUT)
        status = EXIT_BAD_INPUT
    except Exception as e:  # anything else: the traceback goes to the log, Batch marks the job FAILED
        log.error("failed: %s: %s\n%s", type(e).__name__, e, traceback.format_exc())
        _write_error(work_dir, e, EXIT_FAILED)
        status = EXIT_FAILED
    finally:
        if ctx is not None:
            dist.teardown(ctx)
    try:
        if rank == 0 and (remote or status != EXIT_OK):
            for h in log.handlers:
                h.flush()
            names = storage.upload_dir(work_dir, cfg.output)
            if remote:
                log.info("wrote %s to %s", ", ".join(names), cfg.output)
        if rank == 0 and status == EXIT_OK and not cfg.keep_checkpoint:
            checkpoint.discard(storage, cfg.output)
    except Exception as e:
        log.error("cannot write the outputs to %s: %s", cfg.output, e)
        status = status or EXIT_FAILED
    finally:
        for h in list(log.handlers):
            h.close()
            log.removeHandler(h)
        if own_dir:
            shutil.rmtree(work_dir, ignore_errors=True)
    if rank != 0:
        if status != EXIT_OK:
            _await_process_0()
        return status
    if status != EXIT_OK:
        print(f"training run {cfg.run_id} failed (exit {status}); see train.log", file=sys.stderr)
    return _exit(status)


def _exit(status):
    """Leaves the exit status where the launcher of a multi-process run looks for it (torchrun reports only
    whether a process failed, not with which status)."""
    directory = os.environ.get(STATUS_DIR)
    if directory:
        with open(os.path.join(directory, "status.tmp"), "w") as f:
            f.write(str(status))
        os.replace(os.path.join(directory, "status.tmp"), os.path.join(directory, "status"))
    return status


def _await_process_0(timeout=120):
    """A failed process stays until process 0 has reported (error.json, train.log uploaded): torchrun stops the
    others as soon as one process exits with an error."""
    directory = os.environ.get(STATUS_DIR)
    deadline = time.time() + timeout
    while directory and time.time() < deadline and not os.path.exists(os.path.join(directory, "status")):
        time.sleep(0.2)


def _write_error(work_dir, e, code):
    try:
        with open(os.path.join(work_dir, "error.json"), "w") as f:
            json.dump({"error": str(e), "type": type(e).__name__, "exitCode": code}, f)
    except OSError:
        pass
