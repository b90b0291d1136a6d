"""Images: parallel download into a local cache, decoding to grayscale at the training size, augmentation."""

import hashlib
import io
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset
from torchvision import transforms as T

from .storage import Storage, StorageError, is_s3, local_path, parse_s3_uri

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

    The same image as predict's Java path, within 1 grey level (DecodeParityTest checks a shared corpus): full
    resolution decode (no DCT-scaled draft, which predict cannot reproduce), alpha dropped, palette and colour to
    ITU-R 601-2 luma, 16-bit samples to their high byte (Pillow's convert would clip them at 255).
    """
    src = io.BytesIO(data_or_path) if isinstance(data_or_path, (bytes, bytearray)) else data_or_path
    with Image.open(src) as img:
        if img.mode in ("I", "I;16", "I;16B", "I;16L"):
            gray = Image.fromarray((np.asarray(img, dtype=np.int64) >> 8).clip(0, 255).astype(np.uint8), "L")
        else:
            gray = img.convert("L")
        if gray.size != (size, size):
            gray = gray.resize((size, size), Image.BILINEAR)
        return np.asarray(gray, dtype=np.uint8).copy()


def load_images(storage: Storage, refs, size, cache_dir, threads=16, log=None):
    """Fetches (cached) and decodes each distinct reference; returns {ref: uint8 array}. Reports every failure."""
    unique = list(dict.fromkeys(refs))

    def fetch(ref):
        try:
            path = cache_path(cache_dir, ref) if is_s3(ref) else local_path(ref)
            if is_s3(ref) and not os.path.exists(path):
                storage.download(ref, path)
            elif not is_s3(ref) and not os.path.isfile(path):
                raise StorageError(f"cannot read {ref}: no such file")
            return ref, decode(path, size), None
        except StorageError as e:
            return ref, None, str(e)
        except (OSError, ValueError, Image.DecompressionBombError) as e:
            return ref, None, f"cannot decode {ref}: {e}"

    images, errors = {}, []
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        for i, (ref, array, error) in enumerate(pool.map(fetch, unique), start=1):
            if error:
                errors.append(error)
            else:
                images[ref] = array
            if log and (i % 1000 == 0):
                log.info("images: %d/%d read", i, len(unique))
    if errors:
        shown = "; ".join(errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        raise ImageError(f"{len(errors)} of {len(unique)} images could not be read: {shown}{more}")
    return images


def augmentation(aug):
    """The random training transform on a 1 x s x s float tensor in [0, 1]; None when nothing is enabled.

    Chest X-rays have a left and a right (heart, situs): no flip unless asked."""
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


def normalise(gray):
    """1 x s x s (or N x 1 x s x s) tensor in [0, 1] -> 3 channels, ImageNet mean/std (the ONNX metadata)."""
    mean = torch.tensor(IMAGENET_MEAN, dtype=gray.dtype).view(3, 1, 1)
    std = torch.tensor(IMAGENET_STD, dtype=gray.dtype).view(3, 1, 1)
    rgb = gray.expand(*gray.shape[:-3], 3, *gray.shape[-2:])
    return (rgb - mean) / std


class XrayDataset(Dataset):
    """Manifest entries over preloaded grayscale images, augmented on the fly when a transform is given."""

    def __init__(self, entries, images, transform=None):
        refs = list(dict.fromkeys(e.source_ref for e in entries))
        index = {ref: i for i, ref in enumerate(refs)}
        self.pixels = torch.from_numpy(np.stack([images[r] for r in refs])) if refs else torch.empty(0)
        self.rows = torch.tensor([index[e.source_ref] for e in entries], dtype=torch.long)
        self.labels = torch.tensor([e.label for e in entries], dtype=torch.long)
        self.transform = transform

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        x = self.pixels[self.rows[i]].unsqueeze(0).float() * SCALE
        if self.transform is not None:
            x = self.transform(x).clamp_(0.0, 1.0)
        return normalise(x), self.labels[i]
