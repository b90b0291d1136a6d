"""Synthetic X-ray-like images and split manifests for the training tests (class 1 has a bright opacity)."""

import io
import json
import zlib

import numpy as np
from PIL import Image

CLASSES = ["NORMAL", "PNEUMONIA"]


def pixels(label, rng, size=32):
    p = rng.integers(0, 60, (size, size)).astype(np.uint8)
    if label:
        p[size // 4:size * 5 // 8, size // 4:size * 5 // 8] += 150
    return p


def png(array):
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return buf.getvalue()


def line(ref, label):
    return json.dumps({"source-ref": ref, "class": str(label), "class-name": CLASSES[label], "copy": 0})


def write_split(root, split, n, size=32, broken=None):
    """n images (alternating classes) under root/img/<split>/ and the manifest root/<split>.jsonl; returns its path.
    The same split name gives the same images in every process."""
    rng = np.random.default_rng(zlib.crc32(split.encode()))
    lines = []
    for i in range(n):
        path = root / "img" / split / f"{i % 2}_{i}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png(pixels(i % 2, rng, size)))
        lines.append(line(str(path), i % 2))
    if broken:
        lines.append(broken)
    manifest = root / f"{split}.jsonl"
    manifest.write_text("\n".join(lines) + "\n")
    return str(manifest)
