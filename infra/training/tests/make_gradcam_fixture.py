"""Writes the Java tests' Grad-CAM fixture: a small net exported with its Grad-CAM output, and PyTorch autograd's
maps of src/test/resources/models/xray-gray.png (PIL-resized to 64, as the predict function decodes it).

    /usr/bin/python3 infra/training/tests/make_gradcam_fixture.py
"""

import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from cxrtrain import data, export, gradcam, nets  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "src", "test", "resources", "models")


def main():
    torch.manual_seed(3)
    model = nets.small_vgg(2).eval()
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
    with torch.no_grad():
        model[-1].weight.mul_(300.0)  # a decisive head: logits and maps of a useful size
    path = os.path.join(ROOT, "tiny-gradcam.onnx")
    export.export(model, path, 64, ["NORMAL", "PNEUMONIA"], 0.4, {"cxr.run_id": "fixture"}, temperature=1.25)
    gray = np.asarray(Image.open(os.path.join(ROOT, "xray-gray.png.pil64.png")).convert("L"), dtype=np.uint8)
    pixels = torch.from_numpy(gray).float().mul(data.SCALE)
    x = torch.stack([(pixels - m) / s for m, s in zip(data.IMAGENET_MEAN, data.IMAGENET_STD)]).unsqueeze(0)
    logits, maps = gradcam.autograd_gradcam(model, x)
    assert float(maps.max()) > 0
    np.asarray(logits.numpy(), dtype="<f4").tofile(os.path.join(ROOT, "tiny-gradcam.xray-gray.logits.f32"))
    np.asarray(maps.numpy(), dtype="<f4").tofile(os.path.join(ROOT, "tiny-gradcam.xray-gray.maps.f32"))
    print("logits", logits.numpy(), "maps", tuple(maps.shape), "peak", float(maps.max()))


if __name__ == "__main__":
    main()
