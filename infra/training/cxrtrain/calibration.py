"""Temperature scaling (Guo et al. 2017) fitted on validation logits, and the expected calibration error."""

import numpy as np


def softmax(logits, temperature=1.0):
    """Row-wise softmax of logits / temperature, float64."""
    z = np.asarray(logits, dtype=np.float64) / float(temperature)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def nll(logits, labels, temperature=1.0):
    """Mean negative log-likelihood of the labels under softmax(logits / temperature)."""
    z = np.asarray(logits, dtype=np.float64) / float(temperature)
    m = z.max(axis=1, keepdims=True)
    log_norm = (m + np.log(np.exp(z - m).sum(axis=1, keepdims=True)))[:, 0]
    y = np.asarray(labels, dtype=np.int64)
    return float(np.mean(log_norm - z[np.arange(y.size), y]))


def fit_temperature(logits, labels, lo=0.05, hi=20.0, iterations=100):
    """The temperature T in [lo, hi] minimising the validation NLL of softmax(logits / T).

    The NLL is convex in 1/T, so a golden-section search over log T finds the minimum; a set whose classes the
    model separates perfectly drives T to lo (the bound keeps it finite)."""
    a, b = np.log(lo), np.log(hi)
    g = (np.sqrt(5) - 1) / 2
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = nll(logits, labels, np.exp(c)), nll(logits, labels, np.exp(d))
    for _ in range(iterations):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = nll(logits, labels, np.exp(c))
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = nll(logits, labels, np.exp(d))
        if b - a < 1e-7:
            break
    return float(np.exp((a + b) / 2))


def reliability(probabilities, labels, bins=10):
    """Per equal-width confidence bin (of the arg-max class): count, mean confidence, accuracy.

    Returns (edges, counts, confidence, accuracy); empty bins have NaN confidence and accuracy."""
    p = np.asarray(probabilities, dtype=np.float64)
    y = np.asarray(labels, dtype=np.int64)
    conf = p.max(axis=1)
    correct = (p.argmax(axis=1) == y).astype(np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    # Bins are (lo, hi]; the lowest also holds 0.
    which = np.clip(np.searchsorted(edges, conf, side="left") - 1, 0, bins - 1)
    counts = np.bincount(which, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(which, weights=conf, minlength=bins) / counts
        accuracy = np.bincount(which, weights=correct, minlength=bins) / counts
    return edges, counts, mean_conf, accuracy


def ece(probabilities, labels, bins=10):
    """Expected calibration error: sum over bins of (bin share) x |accuracy - mean confidence|."""
    _, counts, conf, acc = reliability(probabilities, labels, bins)
    total = counts.sum()
    if total == 0:
        return None
    used = counts > 0
    return float(np.sum(counts[used] / total * np.abs(acc[used] - conf[used])))
