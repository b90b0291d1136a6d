"""PNG plots of a run: ROC curve (with its bootstrap band), confusion matrix, loss curves, reliability diagram."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

from .calibration import reliability  # noqa: E402
from .evaluate import roc_curve  # noqa: E402


def roc(path, y_true_positive, scores, auc, title, band=None, point=None):
    """band: (fpr grid, tpr low, tpr high) drawn shaded; point: (fpr, tpr) of the operating point."""
    fpr, tpr, _ = roc_curve(y_true_positive, scores)
    fig, ax = plt.subplots(figsize=(5, 5), dpi=100)
    if band is not None and band[1] is not None:
        ax.fill_between(band[0], band[1], band[2], color="tab:blue", alpha=0.2, lw=0, label="95% bootstrap band")
    if point is not None:
        ax.plot([point[0]], [point[1]], "o", color="tab:red", label="operating point")
    ax.plot(fpr, tpr, lw=2, label=f"ROC (AUC = {auc:.3f})" if auc is not None else "ROC")
    ax.plot([0, 1], [0, 1], "--", color="grey", lw=1)
    ax.set(xlim=(0, 1), ylim=(0, 1.01), xlabel="False positive rate (1 - specificity)",
           ylabel="True positive rate (sensitivity)", title=title)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def confusion(path, matrix, class_names, title):
    fig, ax = plt.subplots(figsize=(4.5, 4), dpi=100)
    im = ax.imshow(matrix, cmap="Blues")
    fig.colorbar(im, ax=ax)
    ticks = range(len(class_names))
    ax.set_xticks(list(ticks))
    ax.set_xticklabels(class_names)
    ax.set_yticks(list(ticks))
    ax.set_yticklabels(class_names)
    ax.set(xlabel="Predicted", ylabel="True", title=title)
    peak = max(max(row) for row in matrix) if matrix else 0
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            ax.text(j, i, str(count), ha="center", va="center",
                    color="white" if count > peak / 2 else "black")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def losses(path, history, best_epoch):
    epochs = [h["epoch"] for h in history]
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    ax.plot(epochs, [h["train_loss"] for h in history], "o-", label="train loss")
    ax.plot(epochs, [h["val_loss"] for h in history], "o-", label="val loss")
    if best_epoch:
        ax.axvline(best_epoch, color="grey", ls="--", lw=1, label=f"best epoch ({best_epoch})")
    ax.set(xlabel="epoch", ylabel="cross-entropy", title="Loss")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def reliability_diagram(path, curves, labels, bins=10, title="Reliability (test)"):
    """curves: {name: (probabilities N x n, ece)}; accuracy against mean confidence per bin, one line each."""
    fig, ax = plt.subplots(figsize=(5, 5), dpi=100)
    ax.plot([0, 1], [0, 1], "--", color="grey", lw=1, label="perfect calibration")
    for name, (probabilities, ece) in curves.items():
        _, counts, conf, acc = reliability(probabilities, labels, bins)
        used = counts > 0
        ax.plot(conf[used], acc[used], "o-", label=f"{name} (ECE {ece:.3f})" if ece is not None else name)
    ax.set(xlim=(0, 1), ylim=(0, 1.01), xlabel="mean confidence", ylabel="accuracy", title=title)
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
