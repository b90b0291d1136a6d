"""One self-contained HTML page per run: ROC with its band, reliability diagram, confusion matrix at the operating
point, the paired comparison with the promoted model, and Grad-CAM overlays of a few test images."""

import base64
import html
import io
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from .gradcam import GradCam  # noqa: E402

REPORT = "report.html"


def _img(path):
    with open(path, "rb") as f:
        return f'<img src="data:image/png;base64,{base64.b64encode(f.read()).decode()}" alt="{html.escape(os.path.basename(path))}">'


def gradcam_overlays(model, dataset, entries, names, threshold, temperature, k=4):
    """PNG (base64) overlays of the predicted class's Grad-CAM map on the first k test images of each class."""
    cam_model = GradCam(model.eval().cpu()).eval()
    picked, per_class = [], {}
    for i, e in enumerate(entries):
        if per_class.get(e.label, 0) < k // max(1, len(names)) + 1 and len(picked) < k:
            per_class[e.label] = per_class.get(e.label, 0) + 1
            picked.append(i)
    figures = []
    for i in picked:
        x, y = dataset[i]
        with torch.no_grad():
            logits, maps = cam_model(x.unsqueeze(0))
        p = torch.softmax(logits.double() / temperature, dim=1)[0]
        cls = len(names) - 1 if p[-1] >= threshold else int(torch.argmax(p[:-1]))
        heat = F.interpolate(maps[:, cls:cls + 1], size=x.shape[-2:], mode="bilinear", align_corners=False)[0, 0]
        heat = heat / heat.max() if float(heat.max()) > 0 else heat
        fig, ax = plt.subplots(figsize=(3, 3), dpi=100)
        ax.imshow(x[0].numpy(), cmap="gray")
        ax.imshow(heat.numpy(), cmap="jet", alpha=0.4)
        ax.set_axis_off()
        ax.set_title(f"true {names[int(y)]}, predicted {names[cls]} ({float(p[-1]):.2f})", fontsize=8)
        buf = io.BytesIO()
        fig.tight_layout()
        fig.savefig(buf, format="png")
        plt.close(fig)
        figures.append(base64.b64encode(buf.getvalue()).decode())
    return figures


def _fmt(v, digits=4):
    return "n/a" if v is None else f"{v:.{digits}f}"


def _ci(ci, name):
    c = (ci or {}).get(name) or {}
    return f"{_fmt(c.get('low'))} – {_fmt(c.get('high'))}" if c.get("low") is not None else "n/a"


def write(work_dir, metrics, overlays):
    """Writes report.html into work_dir from metrics.json's content and the plots already there."""
    t = metrics["test"]
    op, cal = metrics.get("operatingPoint") or {}, metrics.get("calibration") or {}
    rows = "".join(f"<tr><td>{name}</td><td>{_fmt(t.get(key))}</td><td>{_ci(t.get('ci'), key)}</td></tr>"
                   for name, key in (("ROC AUC", "roc_auc"), ("Sensitivity", "sensitivity"),
                                     ("Specificity", "specificity"), ("PPV", "ppv"), ("NPV", "npv")))
    evaluation = metrics.get("evaluation") or {}
    comparison = evaluation.get("comparison")
    if comparison:
        crow = "".join(
            f"<tr><td>{name}</td><td>{_fmt(m.get('new'))}</td><td>{_fmt(m.get('promoted'))}</td>"
            f"<td>{_fmt(m.get('difference'))}</td><td>{_fmt((m.get('ci') or {}).get('low'))} – "
            f"{_fmt((m.get('ci') or {}).get('high'))}</td><td>{html.escape(str(m.get('test')))}</td>"
            f"<td>{_fmt(m.get('pValueGreater'))}</td></tr>" for name, m in comparison["metrics"].items())
        paired = (f"<p>{comparison['n']} evaluation images ({html.escape(str(evaluation.get('manifest')))}); promoted "
                  f"model {html.escape(str(comparison.get('promotedVersion')))}.</p><table><tr><th>metric</th>"
                  f"<th>this model</th><th>promoted</th><th>difference</th><th>95% CI</th><th>test</th>"
                  f"<th>one-sided p</th></tr>{crow}</table>")
    elif evaluation:
        paired = f"<p>No paired comparison: {html.escape(str(evaluation.get('comparisonUnavailable', 'no promoted model')))}.</p>"
    else:
        paired = "<p>No evaluation manifest is pinned for this dataset: no paired comparison.</p>"
    ece = (cal.get("ece") or {}).get("test") or {}
    cams = "".join(f'<img src="data:image/png;base64,{b}" alt="Grad-CAM">' for b in overlays)
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Training run {html.escape(metrics['runId'])}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}img{{margin:4px}}</style></head><body>
<h1>Training run {html.escape(metrics['runId'])}</h1>
<p>{html.escape(metrics['model']['arch'])}, {metrics['epochsRun']} epochs (best {metrics['bestEpoch']}),
test n = {t['n']}, created {html.escape(metrics['createdAt'])}.</p>
<h2>Operating point and test metrics</h2>
<p>Threshold {_fmt(op.get('threshold'))} on p({html.escape(metrics['positiveClass'])}), chosen on validation
({html.escape(str(op.get('method')))}{', target sensitivity ' + _fmt(op.get('targetSensitivity'), 2) if op.get('targetSensitivity') is not None else ''}).</p>
<table><tr><th>metric</th><th>test</th><th>95% bootstrap CI</th></tr>{rows}</table>
{_img(os.path.join(work_dir, 'roc.png'))}{_img(os.path.join(work_dir, 'confusion_matrix.png'))}
<h2>Calibration</h2>
<p>Temperature {_fmt(cal.get('temperature'))}; expected calibration error on test {_fmt(ece.get('before'))} before,
{_fmt(ece.get('after'))} after.</p>
{_img(os.path.join(work_dir, 'reliability.png'))}
<h2>Paired comparison with the promoted model</h2>
{paired}
<h2>Grad-CAM (predicted class)</h2>
{cams}
<h2>Training</h2>
{_img(os.path.join(work_dir, 'loss.png'))}
</body></html>
"""
    with open(os.path.join(work_dir, REPORT), "w", encoding="utf-8") as f:
        f.write(page)
    return REPORT
