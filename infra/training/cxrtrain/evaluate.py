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


def finite_or_none(value):
    """JSON has no NaN: undefined figures are written as null."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None
