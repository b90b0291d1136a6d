"""Images: where they are cached, decoding to grayscale at the training size, augmentation, normalisation."""

import hashlib
import io
import os

import numpy as np
import torch
from PIL import Image

from .storage import is_s3, parse_s3_uri

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
SCALE = 1.0 / 255.0


class ImageError(IOError):
    """Images of the manifests are missing or cannot be decoded (exit status 2)."""


def cache_path(cache_dir, uri):
    """Where an image is cached: under its bucket and key, so the cache survives runs of other splits."""
    if is_s3(uri):
        bucket, key = parse_s3_uri(uri)
        safe = os.path.normpath(key) if key else ""
        if safe != key or safe.startswith("..") or os.path.isabs(safe) or safe in ("", "."):
            # Keys that are not plain relative paths ("a/../b", "//x") go under their hash: no escape, no clash.
            safe = os.path.join("_", hashlib.sha256(key.encode()).hexdigest())
        return os.path.join(cache_dir, bucket, safe)
    return None


def decode(data_or_path, size):
    """Decodes an image to a size x size grayscale uint8 array, resized ignoring aspect ("stretch").

    The same image as predict's Java path, within 1 grey level (DecodeParityTest checks a shared corpus). A grey
    sequential JPEG (is_grey_sequential_jpeg) is decoded by libjpeg's DCT scaling, Pillow's draft("L", (size, size)):
    at 1/2, 1/4 or 1/8 of its size when it is at least 2, 4 or 8 times the model size on both sides; predict decodes
    the same images at the same scale with the same integer IDCTs (imaging/jpeg/GreyJpegDecoder). Every other image
    is decoded at full resolution: alpha dropped, palette and colour to ITU-R 601-2 luma, 16-bit samples to their
    high byte (Pillow's convert would clip them at 255). DICOM files go through dicom_gray first.
    """
    if isinstance(data_or_path, (bytes, bytearray)):
        raw = data_or_path
    else:
        with open(data_or_path, "rb") as f:  # read once: the DICOM check, pydicom and Pillow all use these bytes
            raw = f.read()
    if is_dicom(raw):
        gray = Image.fromarray(dicom_gray(raw), "L")
        if gray.size != (size, size):
            gray = gray.resize((size, size), Image.BILINEAR)
        return np.asarray(gray, dtype=np.uint8).copy()
    with Image.open(io.BytesIO(raw)) as img:
        if img.format == "JPEG" and is_grey_sequential_jpeg(raw):
            img.draft("L", (size, size))
        if img.mode in ("I", "I;16", "I;16B", "I;16L"):
            gray = Image.fromarray((np.asarray(img, dtype=np.int64) >> 8).clip(0, 255).astype(np.uint8), "L")
        else:
            gray = img.convert("L")
        if gray.size != (size, size):
            gray = gray.resize((size, size), Image.BILINEAR)
        return np.asarray(gray, dtype=np.uint8).copy()


_FRAME_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def is_grey_sequential_jpeg(data):
    """Whether the bytes are a JPEG whose first frame header is SOF0 or SOF1 with one 8-bit component.

    Decided from the markers, not from what Pillow makes of the file, with the walk predict uses
    (GreyJpegDecoder.isGreySequential): from SOI, marker segment by marker segment (fill bytes and standalone markers
    skipped) to the first frame header; a malformed header answers False. These are the images both sides decode by
    DCT scaling.
    """
    b = memoryview(data)
    n = len(b)
    if n < 4 or b[0] != 0xFF or b[1] != 0xD8:
        return False
    p = 2
    while p < n:
        if b[p] != 0xFF:
            return False
        while p < n and b[p] == 0xFF:
            p += 1
        if p >= n:
            return False
        marker = b[p]
        p += 1
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        if marker in (0x00, 0xD8, 0xD9, 0xDA) or p + 2 > n:
            return False
        length = (b[p] << 8) | b[p + 1]
        if length < 2:
            return False
        if marker in _FRAME_MARKERS:
            return marker in (0xC0, 0xC1) and p + 8 <= n and b[p + 2] == 8 and b[p + 7] == 1
        p += length
    return False


DICOM_SYNTAXES = ("1.2.840.10008.1.2", "1.2.840.10008.1.2.1")  # implicit and explicit VR little endian


def is_dicom(data_or_path):
    """Whether the bytes (or the file) start like DICOM Part 10: a 128-byte preamble, then "DICM"."""
    if isinstance(data_or_path, (bytes, bytearray)):
        return bytes(data_or_path[128:132]) == b"DICM"
    with open(data_or_path, "rb") as f:
        f.seek(128)
        return f.read(4) == b"DICM"


def _first(ds, keyword):
    """The first value of a numeric attribute as a float; None when absent or empty."""
    value = ds.get(keyword)
    if value is None or value == "":
        return None
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        value = value[0] if len(value) else None
    return None if value is None or value == "" else float(value)


def dicom_gray(data_or_path):
    """A monochrome, uncompressed DICOM image as the 8-bit grey array the model sees (docs/dicom.md).

    pydicom reads the stored values; then, as predict's Java path (imaging/dicom/DicomPixels) does: mask to
    BitsStored and sign-extend when PixelRepresentation is 1; x = value * RescaleSlope + RescaleIntercept; the first
    WindowCenter/WindowWidth with VOILUTFunction LINEAR (PS3.3 C.11.2.1.2), LINEAR_EXACT or SIGMOID to [0, 1], else
    the image's min-max; MONOCHROME1 inverted; floor(y * 255 + 0.5). Ingest refuses every other DICOM, and so does
    this function (ImageError).
    """
    import pydicom

    src = io.BytesIO(data_or_path) if isinstance(data_or_path, (bytes, bytearray)) else data_or_path
    try:
        ds = pydicom.dcmread(src)
    except Exception as e:  # pydicom raises many kinds on a corrupt file
        raise ImageError(f"unreadable DICOM: {e}") from e
    syntax = str(ds.file_meta.get("TransferSyntaxUID", ""))
    photometric = str(ds.get("PhotometricInterpretation", ""))
    if syntax not in DICOM_SYNTAXES:
        raise ImageError(f"DICOM transfer syntax {syntax} is not uncompressed little endian")
    if int(ds.get("SamplesPerPixel", 1)) != 1 or photometric not in ("MONOCHROME1", "MONOCHROME2"):
        raise ImageError(f"DICOM {photometric} with {ds.get('SamplesPerPixel', 1)} samples is not monochrome")
    if "VOILUTSequence" in ds or "ModalityLUTSequence" in ds:
        raise ImageError("DICOM LUT sequences are not applied")
    bits = int(ds.BitsStored)
    values = ds.pixel_array.astype(np.int64) & ((1 << bits) - 1)
    if int(ds.get("PixelRepresentation", 0)) == 1:
        values = np.where(values >= (1 << (bits - 1)), values - (1 << bits), values)
    slope = _first(ds, "RescaleSlope")
    intercept = _first(ds, "RescaleIntercept")
    x = values.astype(np.float64) * (1.0 if slope is None else slope) + (0.0 if intercept is None else intercept)
    c = _first(ds, "WindowCenter")
    w = _first(ds, "WindowWidth")
    function = str(ds.get("VOILUTFunction", "") or "LINEAR").upper()
    if c is not None and w is not None:
        if function == "LINEAR_EXACT":
            y = (x - c) / w + 0.5
        elif function == "SIGMOID":
            y = 1.0 / (1.0 + np.exp(-4.0 * (x - c) / w))
        else:
            lo = c - 0.5 - (w - 1.0) / 2.0
            hi = c - 0.5 + (w - 1.0) / 2.0
            with np.errstate(divide="ignore", invalid="ignore"):
                inside = (x - (c - 0.5)) / (w - 1.0) + 0.5
            y = np.where(x <= lo, 0.0, np.where(x > hi, 1.0, inside))
        y = np.clip(y, 0.0, 1.0)
    else:
        lo, hi = float(x.min()), float(x.max())
        y = (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)
    if photometric == "MONOCHROME1":
        y = 1.0 - y
    return np.clip(np.floor(y * 255.0 + 0.5), 0, 255).astype(np.uint8)


def augmentation(aug):
    """The random training transform of one 1 x s x s float tensor in [0, 1]; None when nothing is enabled.

    This is the definition of the augmentation; training applies it to whole batches on the device
    (augment.BatchAugmentation: the same transforms, parameter distributions and fill, checked against this one).
    Chest X-rays have a left and a right (heart, situs): no flip unless asked."""
    from torchvision import transforms as T

    steps = []
    if aug.rotation_degrees or aug.width_shift or aug.height_shift or aug.zoom:
        steps.append(T.RandomAffine(
            degrees=aug.rotation_degrees,
            translate=(aug.width_shift, aug.height_shift) if (aug.width_shift or aug.height_shift) else None,
            scale=(1 - aug.zoom, 1 + aug.zoom) if aug.zoom else None,
            interpolation=T.InterpolationMode.BILINEAR, fill=0.0))
    if aug.brightness or aug.contrast:
        steps.append(T.ColorJitter(brightness=aug.brightness or 0, contrast=aug.contrast or 0))
    if aug.horizontal_flip:
        steps.append(T.RandomHorizontalFlip())
    return T.Compose(steps) if steps else None


_STATISTICS = {}


def normalise(gray):
    """1 x s x s (or N x 1 x s x s) tensor in [0, 1] -> 3 channels, ImageNet mean/std (the ONNX metadata)."""
    key = (gray.dtype, gray.device)
    if key not in _STATISTICS:  # once per device: a per-batch host-to-device copy would wait for the GPU
        _STATISTICS[key] = tuple(torch.tensor(v, dtype=gray.dtype).view(3, 1, 1).to(gray.device)
                                 for v in (IMAGENET_MEAN, IMAGENET_STD))
    mean, std = _STATISTICS[key]
    rgb = gray.expand(*gray.shape[:-3], 3, *gray.shape[-2:])
    return (rgb - mean) / std
