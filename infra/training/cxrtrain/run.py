"""One training run: manifests -> images -> train with early stopping -> test metrics -> ONNX + plots -> output."""

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
import torchvision
from torch import nn
from torch.utils.data import DataLoader

from . import config as config_mod
from . import assess, data, evaluate, export, gradcam, manifest, nets, paired, plots, report
from .storage import Storage, is_s3, local_path

log = logging.getLogger("cxr.train")

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def _setup_logging(log_file):
    log.handlers.clear()
    log.setLevel(logging.INFO)
    log.propagate = False
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S")
    for handler in (logging.StreamHandler(sys.stdout), logging.FileHandler(log_file, encoding="utf-8")):
        handler.setFormatter(fmt)
        log.addHandler(handler)


def _device(choice):
    if choice == "cuda" and not torch.cuda.is_available():
        raise config_mod.ConfigError("device cuda was asked for but CUDA is not available")
    if choice == "auto":
        choice = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(choice)


def _device_info(device):
    info = {"type": device.type, "torch": torch.__version__, "torchvision": torchvision.__version__,
            "threads": torch.get_num_threads(), "python": platform.python_version()}
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        info.update(name=props.name, cuda=torch.version.cuda, cudnn=torch.backends.cudnn.version(),
                    memoryMiB=round(props.total_memory / 2**20))
    else:
        info.update(name=platform.processor() or platform.machine(), cpus=os.cpu_count())
    return info


def _read_manifests(storage, cfg):
    manifests = {}
    for split, uri in (("train", cfg.train_manifest), ("val", cfg.val_manifest), ("test", cfg.test_manifest)):
        manifests[split] = manifest.read(storage, uri, split)
    return manifests


def _predict(model, loader, device, criterion=None, amp=False):
    """(probabilities N x n as float64, labels, mean loss) in eval mode."""
    model.eval()
    probs, labels, loss_sum, count = [], [], 0.0, 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            with _autocast(amp):
                logits = model(x)
            logits = logits.float()
            if criterion is not None:
                loss_sum += criterion(logits, y).item() * y.size(0)
                count += y.size(0)
            probs.append(torch.softmax(logits, dim=1).double().cpu())
            labels.append(y.cpu())
    return (torch.cat(probs).numpy(), torch.cat(labels).numpy(), loss_sum / count if count else float("nan"))


def _autocast(amp):
    """fp16 autocast on CUDA; nothing on the CPU (CPU autocast would need bfloat16)."""
    return torch.autocast(device_type="cuda", dtype=torch.float16) if amp else contextlib.nullcontext()


def _grad_scaler(enabled):
    amp_mod = getattr(torch, "amp", None)
    if amp_mod is not None and hasattr(amp_mod, "GradScaler"):
        try:
            return amp_mod.GradScaler("cuda", enabled=enabled)
        except TypeError:
            pass
    return torch.cuda.amp.GradScaler(enabled=enabled)


def train(cfg, work_dir, storage):
    """Runs the whole job, writing every output into work_dir; returns the metrics document."""
    t_start = time.time()
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads or os.cpu_count() or 1)
    device = _device(cfg.device)
    amp = device.type == "cuda"
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    log.info("run %s: arch %s, image size %d, %d epochs max, batch %d, lr %g, device %s (%d CPU threads), "
             "torch %s", cfg.run_id, cfg.arch, cfg.image_size, cfg.epochs, cfg.batch_size, cfg.learning_rate,
             device, torch.get_num_threads(), torch.__version__)

    manifests = _read_manifests(storage, cfg)
    names = manifest.class_names(manifests, cfg.class_names)
    n_classes = len(names)
    counts = {split: manifest.class_counts(entries, n_classes) for split, entries in manifests.items()}
    for split, c in counts.items():
        log.info("%s: %d entries, %s", split, sum(c), ", ".join(f"{names[i]} {c[i]}" for i in range(n_classes)))

    refs = [e.source_ref for entries in manifests.values() for e in entries]
    t0 = time.time()
    images = data.load_images(storage, refs, cfg.image_size, cfg.cache_dir, cfg.download_threads, log)
    t_data = time.time() - t0
    log.info("images: %d distinct read and decoded at %dx%d in %.1fs", len(images), cfg.image_size,
             cfg.image_size, t_data)

    # --- evaluation manifest: read, decoded and checked for leakage before any training ---
    eval_entries = None
    if cfg.eval_manifest:
        eval_entries = manifest.read(storage, cfg.eval_manifest, "evaluation")
        images.update(data.load_images(storage, sorted({e.source_ref for e in eval_entries} - set(images)),
                                       cfg.image_size, cfg.cache_dir, cfg.download_threads, log))
        paired.check_leakage(eval_entries, {"train": manifests["train"], "val": manifests["val"]}, images,
                             cfg.eval_manifest)
    # --- end of evaluation manifest ---
    train_set = data.XrayDataset(manifests["train"], images, data.augmentation(cfg.augmentation))
    val_set = data.XrayDataset(manifests["val"], images)
    test_set = data.XrayDataset(manifests["test"], images)
    workers = cfg.workers if cfg.workers is not None else (min(4, os.cpu_count() or 1) if amp else 0)
    loader_args = dict(batch_size=cfg.batch_size, num_workers=workers, pin_memory=device.type == "cuda",
                       persistent_workers=workers > 0)
    generator = torch.Generator()
    generator.manual_seed(cfg.seed)
    train_loader = DataLoader(train_set, shuffle=True, generator=generator, **loader_args)
    val_loader = DataLoader(val_set, shuffle=False, **loader_args)
    test_loader = DataLoader(test_set, shuffle=False, **loader_args)

    model, pretrained = nets.build(cfg.arch, n_classes, cfg.image_size, cfg.fine_tune_blocks)
    model = model.to(device)
    total_params, trainable_params = nets.count_parameters(model)
    log.info("model %s: %d parameters, %d trainable%s", cfg.arch, total_params, trainable_params,
             ", ImageNet weights" if pretrained else "")

    class_weights = None
    if cfg.class_weights == "auto":
        class_weights = manifest.balanced_weights(counts["train"])
        log.info("class weights: %s", ", ".join(f"{names[i]} {w:.3f}" for i, w in enumerate(class_weights)))
    criterion = nn.CrossEntropyLoss(
        weight=torch.tensor(class_weights, dtype=torch.float32, device=device) if class_weights else None)
    # Validation loss is unweighted, as Keras reports it: early stopping judges the model, not the objective.
    val_criterion = nn.CrossEntropyLoss()
    trainable = [p for p in model.parameters() if p.requires_grad]
    if cfg.optimizer == "adam":
        optimizer = torch.optim.Adam(trainable, lr=cfg.learning_rate)
    else:
        optimizer = torch.optim.SGD(trainable, lr=cfg.learning_rate, momentum=0.9)
    scaler = _grad_scaler(amp)

    history, best_loss, best_epoch, best_state, stale = [], float("inf"), 0, None, 0
    stopped_early = False
    t0 = time.time()
    for epoch in range(1, cfg.epochs + 1):
        t_epoch = time.time()
        if device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(device)
        model.train()
        loss_sum, correct, seen = 0.0, 0, 0
        for x, y in train_loader:
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            optimizer.zero_grad(set_to_none=True)
            with _autocast(amp):
                logits = model(x)
                loss = criterion(logits.float(), y)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            loss_sum += loss.item() * y.size(0)
            correct += (logits.argmax(1) == y).sum().item()
            seen += y.size(0)
        val_probs, val_labels, val_loss = _predict(model, val_loader, device, val_criterion, amp)
        val_auc = evaluate.roc_auc(val_labels == n_classes - 1, val_probs[:, -1])
        val_acc = float(np.mean(val_probs.argmax(1) == val_labels))
        seconds = time.time() - t_epoch
        row = {"epoch": epoch, "train_loss": loss_sum / seen, "train_accuracy": correct / seen,
               "val_loss": val_loss, "val_accuracy": val_acc, "val_roc_auc": val_auc, "seconds": round(seconds, 3)}
        gpu = ""
        if device.type == "cuda":
            row["gpu_max_memory_mib"] = round(torch.cuda.max_memory_allocated(device) / 2**20, 1)
            row["gpu_max_reserved_mib"] = round(torch.cuda.max_memory_reserved(device) / 2**20, 1)
            gpu = f" gpu_mem {row['gpu_max_memory_mib']:.0f}MiB"
        history.append(row)
        improved = val_loss < best_loss - 1e-6
        if improved:
            best_loss, best_epoch, stale = val_loss, epoch, 0
            best_state = copy.deepcopy({k: v.detach().cpu() for k, v in model.state_dict().items()})
        else:
            stale += 1
        log.info("epoch %d/%d loss %.4f acc %.3f val_loss %.4f val_acc %.3f val_auc %s %.1fs%s%s", epoch, cfg.epochs,
                 row["train_loss"], row["train_accuracy"], val_loss, val_acc,
                 f"{val_auc:.4f}" if val_auc is not None else "n/a", seconds, gpu, " *" if improved else "")
        if cfg.patience and stale >= cfg.patience and epoch < cfg.epochs:
            stopped_early = True
            log.info("early stop: val loss has not improved for %d epochs; best epoch %d (val loss %.4f)",
                     stale, best_epoch, best_loss)
            break
    t_train = time.time() - t0
    if best_state is not None:
        model.load_state_dict(best_state)

    t0 = time.time()
    _, _, test_loss = _predict(model, test_loader, device, val_criterion, amp)
    # --- assessment: temperature and operating point fitted on val, test metrics there with CIs, plots ---
    trust = assess.assess(model, val_loader, test_loader, device, cfg, names, work_dir, log, amp)
    test_metrics, val_metrics = trust["test"], trust["val"]
    evaluation = None
    if eval_entries is not None:
        eval_loader = DataLoader(data.XrayDataset(eval_entries, images), shuffle=False, **loader_args)
        evaluation = paired.evaluate_run(cfg, storage, model, device, eval_entries, eval_loader, names, trust,
                                         work_dir, log, amp)
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

    reference, inputs = _reference(model, manifests["test"], test_set, cfg.reference_images, names, cfg.image_size,
                                   trust["temperature"], trust["threshold"])
    # --- Grad-CAM reference: PyTorch autograd's maps of the reference images, and their input tensors ---
    if inputs is not None:
        reference["gradcam"] = gradcam.autograd_gradcam(model, inputs)[1].double().tolist()
        reference["inputsFile"] = "reference-inputs.f32"
        inputs.numpy().astype("<f4").tofile(os.path.join(work_dir, "reference-inputs.f32"))
    # --- end of Grad-CAM reference ---
    with open(os.path.join(work_dir, "reference.json"), "w") as f:
        json.dump(reference, f, indent=1)
    onnx_check = _onnx_check(onnx_path, inputs, reference)

    plots.losses(os.path.join(work_dir, "loss.png"), history, best_epoch)

    clean = lambda d: {k: evaluate.finite_or_none(v) if isinstance(v, float) else v for k, v in d.items()}  # noqa
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
        "stoppedEarly": stopped_early,
        "history": [clean(h) for h in history],
        "timings": {"data_s": round(t_data, 3), "train_s": round(t_train, 3), "test_s": round(t_test, 3),
                    "export_s": round(t_export, 3), "total_s": round(time.time() - t_start, 3),
                    "mean_epoch_s": round(float(np.mean([h["seconds"] for h in history])), 3)},
        "device": _device_info(device),
        "params": cfg.params(),
        "data": {"manifests": {"train": cfg.train_manifest, "val": cfg.val_manifest, "test": cfg.test_manifest},
                 "entries": {k: len(v) for k, v in manifests.items()}, "distinctImages": len(images),
                 "classCounts": {k: dict(zip(names, v)) for k, v in counts.items()},
                 "classWeights": dict(zip(names, class_weights)) if class_weights else None},
        "model": {"arch": cfg.arch, "pretrained": pretrained, "inputSize": cfg.image_size,
                  "parameters": total_params, "trainableParameters": trainable_params,
                  "onnxBytes": os.path.getsize(onnx_path), "opset": export.OPSET, "metadata": props,
                  "onnxCheck": onnx_check},
    }
    # --- report: one HTML page with the plots, the paired comparison and Grad-CAM overlays ---
    metrics["report"] = report.write(work_dir, metrics, report.gradcam_overlays(
        model, test_set, manifests["test"], names, trust["threshold"], trust["temperature"]))
    # --- end of report ---
    with open(os.path.join(work_dir, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2, allow_nan=False)
    return metrics


def _reference(model, entries, dataset, k, names, size, temperature=1.0, threshold=0.5):
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
        x, _ = dataset[i]
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


def main(argv=None):
    try:
        cfg = config_mod.load(argv)
    except config_mod.ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT

    remote = is_s3(cfg.output)
    work_dir = tempfile.mkdtemp(prefix=f"cxr-train-{cfg.run_id}-") if remote else local_path(cfg.output)
    os.makedirs(work_dir, exist_ok=True)
    _setup_logging(os.path.join(work_dir, "train.log"))
    storage = Storage(cfg.s3_endpoint)
    status = EXIT_OK
    try:
        train(cfg, work_dir, storage)
    except (config_mod.ConfigError, manifest.ManifestError, data.ImageError) as e:
        log.error("failed: %s", e)
        _write_error(work_dir, e, EXIT_BAD_INPUT)
        status = EXIT_BAD_INPUT
    except Exception as e:  # anything else: the traceback goes to the log, Batch marks the job FAILED
        log.error("failed: %s: %s\n%s", type(e).__name__, e, traceback.format_exc())
        _write_error(work_dir, e, EXIT_FAILED)
        status = EXIT_FAILED
    try:
        if remote or status != EXIT_OK:
            for h in log.handlers:
                h.flush()
            names = storage.upload_dir(work_dir, cfg.output)
            if remote:
                log.info("wrote %s to %s", ", ".join(names), cfg.output)
    except Exception as e:
        log.error("cannot write the outputs to %s: %s", cfg.output, e)
        status = status or EXIT_FAILED
    finally:
        for h in list(log.handlers):
            h.close()
            log.removeHandler(h)
        if remote:
            shutil.rmtree(work_dir, ignore_errors=True)
    if status != EXIT_OK:
        print(f"training run {cfg.run_id} failed (exit {status}); see train.log", file=sys.stderr)
    return status


def _write_error(work_dir, e, code):
    try:
        with open(os.path.join(work_dir, "error.json"), "w") as f:
            json.dump({"error": str(e), "type": type(e).__name__, "exitCode": code}, f)
    except OSError:
        pass
