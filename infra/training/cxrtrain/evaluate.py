"""Classification metrics with the positive class = the last class (PNEUMONIA), in plain numpy."""

import math

import numpy as np


def roc_curve(y_true, scores):
    """(fpr, tpr, thresholds) over the distinct scores, highest first, starting at (0, 0)."""
    y = np.asarray(y_true, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    order = np.argsort(-s, kind="mergesort")
    s, y = s[order], y[order]
    # The last index of each run of equal scores: ties move together.
    distinct = np.where(np.diff(s))[0]
    ends = np.r_[distinct, y.size - 1]
    tps = np.cumsum(y)[ends]
    fps = (ends + 1) - tps
    pos, neg = y.sum(), (~y).sum()
    tpr = np.r_[0.0, tps / pos] if pos else np.full(ends.size + 1, np.nan)
    fpr = np.r_[0.0, fps / neg] if neg else np.full(ends.size + 1, np.nan)
    return fpr, tpr, np.r_[np.inf, s[ends]]


def roc_auc(y_true, scores):
    """Area under the ROC curve (Mann-Whitney, ties count half); None when only one class is present."""
    y = np.asarray(y_true, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    pos, neg = int(y.sum()), int((~y).sum())
    if pos == 0 or neg == 0:
        return None
    # Average ranks (1-based), equal scores sharing the mean of their ranks.
    _, inverse, counts = np.unique(s, return_inverse=True, return_counts=True)
    ranks = (np.cumsum(counts) - (counts - 1) / 2.0)[inverse]
    return float((ranks[y].sum() - pos * (pos + 1) / 2.0) / (pos * neg))


def confusion_matrix(y_true, y_pred, n):
    """n x n counts, rows = true class, columns = predicted class."""
    m = np.zeros((n, n), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        m[int(t), int(p)] += 1
    return m


def _ratio(a, b):
    return float(a) / float(b) if b else None


def classification_metrics(y_true, probabilities, threshold=0.5):
    """Accuracy, sensitivity, specificity, precision, F1 and ROC AUC of the positive (last) class.

    probabilities: N x n class probabilities. The positive decision is p(last class) >= threshold, as the
    predict function applies cxr.threshold; with more than two classes accuracy is over the arg-max."""
    y = np.asarray(y_true, dtype=np.int64)
    p = np.asarray(probabilities, dtype=np.float64)
    n = p.shape[1]
    positive = n - 1
    score = p[:, positive]
    is_pos = y == positive
    pred_pos = score >= threshold
    if n == 2:
        predicted = pred_pos.astype(np.int64)
    else:
        predicted = np.where(pred_pos, positive, np.argmax(p[:, :positive], axis=1))
    tp = int(np.sum(is_pos & pred_pos))
    fn = int(np.sum(is_pos & ~pred_pos))
    fp = int(np.sum(~is_pos & pred_pos))
    tn = int(np.sum(~is_pos & ~pred_pos))
    precision = _ratio(tp, tp + fp)
    sensitivity = _ratio(tp, tp + fn)
    f1 = (2 * precision * sensitivity / (precision + sensitivity)
          if precision is not None and sensitivity is not None and (precision + sensitivity) > 0 else
          (0.0 if precision is not None or sensitivity is not None else None))
    return {
        "n": int(y.size),
        "accuracy": _ratio(int(np.sum(predicted == y)), y.size),
        "sensitivity": sensitivity,
        "specificity": _ratio(tn, tn + fp),
        "precision": precision,
        "f1": f1,
        "roc_auc": roc_auc(is_pos, score),
        "confusion_matrix": confusion_matrix(y, predicted, n).tolist(),
        "tp": tp, "fp": fp, "tn": tn, "fn": fn,
        "threshold": threshold,
    }


def finite_tree(obj):
    """A JSON-ready copy of nested dicts/lists: numpy scalars as Python numbers, NaN and infinities as null."""
    if isinstance(obj, dict):
        return {k: finite_tree(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite_tree(v) for v in obj]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return finite_or_none(obj)
    return obj


def finite_or_none(value):
    """JSON has no NaN: undefined figures are written as null."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


OPERATING_POINT_METHODS = ("sensitivity", "youden")


def operating_point(y_true_positive, scores, method="sensitivity", target_sensitivity=0.95):
    """The decision threshold on the positive-class probability, chosen on validation data.

    method "sensitivity": the highest threshold whose sensitivity reaches the target (the best specificity
    among the thresholds that meet it); "youden": the threshold maximising J = sensitivity + specificity - 1
    (the highest one on ties). The decision is score >= threshold, as the predict function applies it.
    Returns None when the set lacks one of the classes (no threshold can be chosen on it)."""
    y = np.asarray(y_true_positive, dtype=bool)
    if y.all() or not y.any():
        return None
    fpr, tpr, thresholds = roc_curve(y, scores)
    # Index 0 is the (0, 0) corner at an infinite threshold: no candidate.
    if method == "youden":
        j = tpr[1:] - fpr[1:]
        i = 1 + int(np.argmax(j))
    elif method == "sensitivity":
        i = 1 + int(np.argmax(tpr[1:] >= target_sensitivity - 1e-12))
    else:
        raise ValueError(f"operating point method must be one of {', '.join(OPERATING_POINT_METHODS)}")
    return {"method": method, "threshold": float(min(max(thresholds[i], 0.0), 1.0)),
            "targetSensitivity": target_sensitivity if method == "sensitivity" else None,
            "sensitivity": float(tpr[i]), "specificity": float(1.0 - fpr[i]), "youdenJ": float(tpr[i] - fpr[i])}


def _aucs_of_rows(y, s):
    """ROC AUC of each row of (y, s) (B x N), NaN where a row has one class only; ties count half."""
    from scipy.stats import rankdata

    ranks = rankdata(s, axis=1)
    pos = y.sum(axis=1).astype(np.float64)
    neg = y.shape[1] - pos
    with np.errstate(invalid="ignore", divide="ignore"):
        return ((ranks * y).sum(axis=1) - pos * (pos + 1) / 2.0) / (pos * neg)


def bootstrap_ci(y_true_positive, scores, threshold, n_boot=1000, level=0.95, seed=0):
    """Percentile bootstrap confidence intervals of ROC AUC, sensitivity, specificity, PPV and NPV.

    Resamples images with replacement n_boot times (seeded: the same run gives the same intervals); a resample
    where a figure is undefined (no positives, say) does not count for that figure. Returns
    {name: {"low": .., "high": ..}} plus the method's parameters."""
    y = np.asarray(y_true_positive, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, y.size, size=(n_boot, y.size))
    yb, sb = y[idx], s[idx]
    pred = sb >= threshold
    tp = (yb & pred).sum(axis=1)
    fp = (~yb & pred).sum(axis=1)
    tn = (~yb & ~pred).sum(axis=1)
    fn = (yb & ~pred).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        figures = {"roc_auc": _aucs_of_rows(yb, sb), "sensitivity": tp / (tp + fn), "specificity": tn / (tn + fp),
                   "ppv": tp / (tp + fp), "npv": tn / (tn + fn)}
    alpha = (1.0 - level) / 2.0
    out = {}
    for name, values in figures.items():
        values = values[np.isfinite(values)]
        out[name] = ({"low": float(np.quantile(values, alpha)), "high": float(np.quantile(values, 1 - alpha))}
                     if values.size else {"low": None, "high": None})
    out.update(method="percentile bootstrap", level=level, resamples=n_boot, seed=seed)
    return out


def _placements(y, s):
    """DeLong's structural components: V10 per positive, V01 per negative (ties count half)."""
    from scipy.stats import rankdata

    pos, neg = s[y], s[~y]
    m, n = pos.size, neg.size
    all_ranks = rankdata(np.r_[pos, neg])
    v10 = (all_ranks[:m] - rankdata(pos)) / n
    v01 = 1.0 - (all_ranks[m:] - rankdata(neg)) / m
    return v10, v01


def delong(y_true_positive, scores_a, scores_b, level=0.95):
    """DeLong's paired test of two ROC AUCs on the same images (DeLong, DeLong & Clarke-Pearson 1988).

    Returns the two AUCs, their difference a - b, its standard error and confidence interval, and the p-values
    (two-sided, and one-sided for a > b). None when the set lacks one of the classes."""
    from scipy.stats import norm

    y = np.asarray(y_true_positive, dtype=bool)
    m, n = int(y.sum()), int((~y).sum())
    if m == 0 or n == 0:
        return None
    comps = [_placements(y, np.asarray(s, dtype=np.float64)) for s in (scores_a, scores_b)]
    v10 = np.stack([c[0] for c in comps])
    v01 = np.stack([c[1] for c in comps])
    aucs = v10.mean(axis=1)
    s10 = np.cov(v10) if m > 1 else np.zeros((2, 2))
    s01 = np.cov(v01) if n > 1 else np.zeros((2, 2))
    cov = s10 / m + s01 / n
    diff = float(aucs[0] - aucs[1])
    var = float(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1])
    se = float(np.sqrt(var)) if var > 0 else 0.0
    z_crit = float(norm.ppf(0.5 + level / 2))
    if se > 0:
        z = diff / se
        p_two, p_greater = float(2 * norm.sf(abs(z))), float(norm.sf(z))
    else:
        z = None
        p_two, p_greater = (1.0, 1.0) if diff == 0 else (0.0, 0.0 if diff > 0 else 1.0)
    return {"method": "DeLong", "aucA": float(aucs[0]), "aucB": float(aucs[1]), "difference": diff,
            "standardError": se, "ci": {"low": diff - z_crit * se, "high": diff + z_crit * se, "level": level},
            "z": z, "pValue": p_two, "pValueGreater": p_greater, "positives": m, "negatives": n}


def roc_band(y_true_positive, scores, n_boot=200, level=0.95, seed=0, points=101):
    """A pointwise percentile-bootstrap band of the ROC curve: (fpr grid, tpr low, tpr high)."""
    y = np.asarray(y_true_positive, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    grid = np.linspace(0.0, 1.0, points)
    rng = np.random.default_rng(seed)
    curves = []
    for _ in range(n_boot):
        i = rng.integers(0, y.size, y.size)
        if y[i].all() or not y[i].any():
            continue
        fpr, tpr, _ = roc_curve(y[i], s[i])
        curves.append(np.interp(grid, fpr, tpr))
    if not curves:
        return grid, None, None
    curves = np.array(curves)
    alpha = (1.0 - level) / 2.0
    return grid, np.quantile(curves, alpha, axis=0), np.quantile(curves, 1 - alpha, axis=0)
