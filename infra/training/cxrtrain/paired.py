"""Paired evaluation on the dataset's evaluation manifest: a leakage check against the run's training data, the new
model's scores on the evaluation images, and a paired comparison with the promoted model on the same images."""

import hashlib
import json
import os

import numpy as np

from . import assess, evaluate, manifest
from .storage import StorageError

SCORES_FILE = "evaluation.json"
COMPARED = ("roc_auc", "sensitivity", "specificity", "accuracy", "precision", "f1")


class LeakageError(manifest.ManifestError):
    """The evaluation manifest shares images, patients or contents with the run's train or val data (exit 2)."""


def content_key(pixels):
    return hashlib.sha256(np.ascontiguousarray(pixels).tobytes()).hexdigest()


def check_leakage(eval_entries, used, images, uri):
    """Raises LeakageError naming the overlap when an evaluation image is a train/val image, belongs to a patient
    with train/val images, or has the same content (decoded pixels) as one. used: {split: entries}."""
    ev_refs = {e.source_ref for e in eval_entries}
    ev_patients = {e.patient for e in eval_entries if e.patient}
    ev_contents = {content_key(images[r]): r for r in ev_refs if r in images}
    problems = []
    for split, entries in used.items():
        refs = sorted({e.source_ref for e in entries} & ev_refs)
        if refs:
            problems.append(f"{len(refs)} {split} image(s) (e.g. {', '.join(refs[:3])})")
        patients = sorted({e.patient for e in entries if e.patient} & ev_patients)
        if patients:
            problems.append(f"{len(patients)} {split} patient(s) (e.g. {', '.join(patients[:3])})")
        same = sorted({f"{r} = {ev_contents[k]}" for r in {e.source_ref for e in entries} - ev_refs
                       if r in images and (k := content_key(images[r])) in ev_contents})
        if same:
            problems.append(f"{len(same)} {split} image(s) with the content of an evaluation image "
                            f"(e.g. {'; '.join(same[:3])})")
    if problems:
        raise LeakageError(f"the evaluation manifest {uri} overlaps the training data: " + ", ".join(problems))


def scores_document(uri, entries, scores, threshold, temperature, model_uri=None):
    return {"manifest": uri, "threshold": threshold, "temperature": temperature, "model": model_uri,
            "images": [{"source-ref": e.source_ref, "class": e.label, "score": float(s)}
                       for e, s in zip(entries, scores)]}


def champion_scores(storage, champion_output, uri, entries, log):
    """The promoted model's scores on these entries from its run's evaluation.json; None (with a reason) when it
    was not scored on this manifest's images."""
    try:
        doc = json.loads(storage.read_bytes(champion_output.rstrip("/") + "/" + SCORES_FILE).decode("utf-8"))
    except (StorageError, ValueError) as e:
        return None, None, f"the promoted model has no scores on the evaluation set ({e})"
    by_ref = {row["source-ref"]: row["score"] for row in doc.get("images", [])}
    missing = [e.source_ref for e in entries if e.source_ref not in by_ref]
    if missing:
        return None, None, (f"the promoted model was scored on another evaluation set ({doc.get('manifest')}): "
                            f"{len(missing)} of {len(entries)} images have no score")
    log.info("promoted model's scores on %d evaluation images from %s", len(entries), champion_output)
    return np.array([by_ref[e.source_ref] for e in entries]), float(doc["threshold"]), None


def paired_bootstrap(y, a, threshold_a, b, threshold_b, n_boot=1000, seed=0, level=0.95):
    """Per metric: the difference a - b on the same resampled images, its percentile interval and the one-sided
    p-value of a > b (the share of resamples where a does not beat b)."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, y.size, size=(n_boot, y.size))
    yb = y[idx]

    def figures(s, t):
        sb = s[idx]
        pred = sb >= t
        tp, fp = (yb & pred).sum(1), (~yb & pred).sum(1)
        tn, fn = (~yb & ~pred).sum(1), (yb & ~pred).sum(1)
        with np.errstate(invalid="ignore", divide="ignore"):
            prec, sens = tp / (tp + fp), tp / (tp + fn)
            return {"roc_auc": evaluate._aucs_of_rows(yb, sb), "sensitivity": sens, "specificity": tn / (tn + fp),
                    "accuracy": (tp + tn) / y.size, "precision": prec, "f1": 2 * prec * sens / (prec + sens)}

    fa, fb = figures(a, threshold_a), figures(b, threshold_b)
    alpha = (1 - level) / 2
    out = {}
    for name in COMPARED:
        d = fa[name] - fb[name]
        d = d[np.isfinite(d)]
        out[name] = ({"low": float(np.quantile(d, alpha)), "high": float(np.quantile(d, 1 - alpha)),
                      "pValueGreater": float((np.sum(d <= 0) + 1) / (d.size + 1))} if d.size else None)
    return out


def compare(y, new_scores, new_threshold, old_scores, old_threshold, n_boot, seed):
    """Both models' metrics on the same images, the differences new - old, their intervals and p-values (DeLong
    for ROC AUC, the paired bootstrap for every metric)."""
    probs = lambda s: np.stack([1 - s, s], axis=1)  # noqa: E731
    new = assess.metrics_at(y.astype(int), probs(new_scores), new_threshold)
    old = assess.metrics_at(y.astype(int), probs(old_scores), old_threshold)
    boot = paired_bootstrap(y, new_scores, new_threshold, old_scores, old_threshold, max(n_boot, 200), seed)
    metrics = {}
    for name in COMPARED:
        a, b = new[name], old[name]
        metrics[name] = {"new": a, "promoted": b, "difference": a - b if a is not None and b is not None else None,
                         "bootstrap": boot[name]}
    dl = evaluate.delong(y, new_scores, old_scores)
    if dl is not None:
        metrics["roc_auc"]["delong"] = {k: dl[k] for k in ("standardError", "ci", "z", "pValue", "pValueGreater")}
        metrics["roc_auc"]["pValueGreater"] = dl["pValueGreater"]
        metrics["roc_auc"]["ci"] = dl["ci"]
        metrics["roc_auc"]["test"] = "DeLong"
    for name in COMPARED:
        m = metrics[name]
        if "test" not in m and m["bootstrap"] is not None:
            m.update(test="paired bootstrap", pValueGreater=m["bootstrap"]["pValueGreater"],
                     ci={"low": m["bootstrap"]["low"], "high": m["bootstrap"]["high"], "level": 0.95})
    return {"n": int(y.size), "positives": int(y.sum()), "negatives": int((~y).sum()),
            "thresholds": {"new": new_threshold, "promoted": old_threshold}, "metrics": metrics,
            "newConfusion": new["confusion_matrix"], "promotedConfusion": old["confusion_matrix"]}


def evaluate_run(cfg, storage, model, device, eval_entries, eval_loader, names, trust, work_dir, log, amp=False):
    """Scores the new model on the evaluation set (writes evaluation.json), and compares it with the promoted
    model when its scores on the same images are at hand. Returns the "evaluation" block of metrics.json."""
    from . import calibration

    logits, labels = assess.logits_of(model, eval_loader, device, amp)
    probs = calibration.softmax(logits, trust["temperature"])
    scores = probs[:, -1]
    with open(os.path.join(work_dir, SCORES_FILE), "w") as f:
        json.dump(scores_document(cfg.eval_manifest, eval_entries, scores, trust["threshold"], trust["temperature"]),
                  f)
    own = assess.metrics_at(labels, probs, trust["threshold"], cfg.bootstrap, cfg.seed)
    block = {"manifest": cfg.eval_manifest, "n": int(labels.size), "metrics": own, "comparison": None}
    y = labels == len(names) - 1
    if cfg.champion_output:
        old, old_threshold, reason = champion_scores(storage, cfg.champion_output, cfg.eval_manifest, eval_entries,
                                                     log)
        if old is None:
            block["comparisonUnavailable"] = reason
            log.info("paired comparison unavailable: %s", reason)
        else:
            c = compare(y, scores, trust["threshold"], old, old_threshold, cfg.bootstrap, cfg.seed)
            c.update(promotedVersion=cfg.champion_version, promotedOutput=cfg.champion_output)
            block["comparison"] = c
            auc = c["metrics"]["roc_auc"]
            log.info("paired on %d evaluation images: ROC AUC %s new vs %s promoted, difference %s, DeLong p %s",
                     c["n"], auc["new"], auc["promoted"], auc["difference"], auc.get("pValueGreater"))
    return block
