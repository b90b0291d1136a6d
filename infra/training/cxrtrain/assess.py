"""After training: temperature and operating point fitted on val; test metrics at that point, with bootstrap
confidence intervals; calibration before/after; the ROC (with its band), confusion and reliability plots."""

import os

import numpy as np
import torch

from . import calibration, evaluate, plots

ECE_BINS = 10


def logits_of(model, loader, device, amp=False):
    """(logits N x n as float64, labels) in eval mode."""
    model.eval()
    out, labels = [], []
    with torch.no_grad():
        for x, y in loader:
            x = x.to(device, non_blocking=True)
            if amp:
                with torch.autocast(device_type="cuda", dtype=torch.float16):
                    z = model(x)
            else:
                z = model(x)
            out.append(z.float().double().cpu())
            labels.append(y)
    return torch.cat(out).numpy(), torch.cat(labels).numpy()


def metrics_at(labels, probabilities, threshold, n_boot=0, seed=0):
    """classification_metrics plus PPV/NPV and, with n_boot > 0, their 95 % bootstrap intervals ("ci")."""
    m = evaluate.classification_metrics(labels, probabilities, threshold)
    m["ppv"] = m["precision"]
    m["npv"] = float(m["tn"]) / (m["tn"] + m["fn"]) if (m["tn"] + m["fn"]) else None
    if n_boot:
        positive = np.asarray(labels) == probabilities.shape[1] - 1
        m["ci"] = evaluate.bootstrap_ci(positive, probabilities[:, -1], threshold, n_boot=n_boot, seed=seed)
    return m


def assess(model, val_loader, test_loader, device, cfg, names, work_dir, log, amp=False):
    """Fits and measures from loaders of (inputs, labels); see assess_logits."""
    val_logits, val_y = logits_of(model, val_loader, device, amp)
    test_logits, test_y = logits_of(model, test_loader, device, amp)
    return assess_logits(val_logits, val_y, test_logits, test_y, cfg, names, work_dir, log)


def assess_logits(val_logits, val_y, test_logits, test_y, cfg, names, work_dir, log):
    """Fits and measures on the model's logits of val and test; writes roc.png, confusion_matrix.png and
    reliability.png into work_dir.

    Returns {"temperature", "threshold", "operatingPoint", "calibration", "val", "test", "testScores"}."""
    val_logits, test_logits = np.asarray(val_logits, dtype=np.float64), np.asarray(test_logits, dtype=np.float64)
    val_y, test_y = np.asarray(val_y), np.asarray(test_y)
    n = len(names)

    temperature = 1.0
    if cfg.calibration == "temperature":
        temperature = calibration.fit_temperature(val_logits, val_y)
    val_raw, test_raw = calibration.softmax(val_logits), calibration.softmax(test_logits)
    val_p, test_p = calibration.softmax(val_logits, temperature), calibration.softmax(test_logits, temperature)
    calib = {
        "method": cfg.calibration, "temperature": temperature, "bins": ECE_BINS,
        "valNll": {"before": calibration.nll(val_logits, val_y), "after": calibration.nll(val_logits, val_y,
                                                                                          temperature)},
        "ece": {"val": {"before": calibration.ece(val_raw, val_y, ECE_BINS),
                        "after": calibration.ece(val_p, val_y, ECE_BINS)},
                "test": {"before": calibration.ece(test_raw, test_y, ECE_BINS),
                         "after": calibration.ece(test_p, test_y, ECE_BINS)}},
    }
    log.info("calibration: temperature %.4f; ECE on test %.4f before, %.4f after", temperature,
             calib["ece"]["test"]["before"], calib["ece"]["test"]["after"])

    point = evaluate.operating_point(val_y == n - 1, val_p[:, -1], cfg.operating_point, cfg.target_sensitivity)
    if point is None:
        point = {"method": "fixed", "threshold": cfg.threshold,
                 "note": "val lacks a class: the configured threshold is kept"}
    threshold = point["threshold"]
    log.info("operating point (%s on val): threshold %.6f, val sensitivity %s, specificity %s", point["method"],
             threshold, point.get("sensitivity"), point.get("specificity"))

    test = metrics_at(test_y, test_p, threshold, cfg.bootstrap, cfg.seed)
    val = metrics_at(val_y, val_p, threshold)

    positive = test_y == n - 1
    band = evaluate.roc_band(positive, test_p[:, -1], seed=cfg.seed) if cfg.bootstrap else None
    fpr_at = 1.0 - test["specificity"] if test["specificity"] is not None else None
    plots.roc(os.path.join(work_dir, "roc.png"), positive, test_p[:, -1], test["roc_auc"],
              f"ROC on test ({names[-1]} positive)", band=band,
              point=(fpr_at, test["sensitivity"]) if fpr_at is not None and test["sensitivity"] is not None else None)
    plots.confusion(os.path.join(work_dir, "confusion_matrix.png"), test["confusion_matrix"], names,
                    f"Confusion matrix (test, threshold {threshold:.3f})")
    plots.reliability_diagram(os.path.join(work_dir, "reliability.png"),
                              {"uncalibrated": (test_raw, calib["ece"]["test"]["before"]),
                               f"temperature {temperature:.2f}": (test_p, calib["ece"]["test"]["after"])},
                              test_y, ECE_BINS)
    return {"temperature": temperature, "threshold": threshold, "operatingPoint": point, "calibration": calib,
            "val": val, "test": test, "testScores": test_p[:, -1]}
