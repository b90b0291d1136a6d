import io
import os

import numpy as np
import torch
from PIL import Image

from cxrtrain import data
from cxrtrain.dist import Context
from cxrtrain.manifest import Entry
from cxrtrain.pipeline import EvalBatches, Feeder, PixelSource, Splits
from cxrtrain.store import PixelStore


def png(array, mode="L"):
    buf = io.BytesIO()
    Image.fromarray(array, mode).save(buf, format="PNG")
    return buf.getvalue()


def test_decode_stretches_to_a_square_and_makes_grayscale():
    rgb = np.zeros((40, 80, 3), dtype=np.uint8)
    rgb[..., 0] = 200
    out = data.decode(png(rgb, "RGB"), 32)
    assert out.shape == (32, 32) and out.dtype == np.uint8
    assert abs(int(out[16, 16]) - round(200 * 0.299)) <= 1


def test_decode_keeps_an_image_of_the_target_size_as_is():
    pixels = np.random.default_rng(0).integers(0, 256, (64, 64), dtype=np.uint8)
    np.testing.assert_array_equal(data.decode(png(pixels), 64), pixels)


def test_normalise_replicates_gray_and_applies_imagenet_statistics():
    x = torch.full((1, 4, 4), 0.5)
    y = data.normalise(x)
    assert y.shape == (3, 4, 4)
    for c in range(3):
        assert torch.allclose(y[c], torch.tensor((0.5 - data.IMAGENET_MEAN[c]) / data.IMAGENET_STD[c]))


def test_over_sampled_entries_repeat_a_stored_row_without_copying_pixels(tmp_path):
    entries = [Entry("a", 0), Entry("b", 1), Entry("b", 1, copy=1)]
    splits = Splits({"train": entries, "val": [Entry("a", 0)], "test": [Entry("b", 1)]})
    assert splits.refs == ["a", "b"] and splits.rows["train"].tolist() == [0, 1, 1]
    assert splits.labels["train"].tolist() == [0, 1, 1] and splits.rows["test"].tolist() == [1]
    path = PixelStore.prepare(str(tmp_path), "k", 2, 8)
    store = PixelStore(path, 2, 8)
    assert store.pixels.shape == (2, 8, 8)
    store.put(0, np.zeros((8, 8), np.uint8))
    store.put(1, np.full((8, 8), 255, np.uint8))
    ctx = Context()
    source = PixelSource(store, Feeder(store, ctx), ctx.device)
    (x,) = list(EvalBatches(splits.rows["train"], 8, ctx, source))
    assert x.shape == (3, 3, 8, 8)
    assert torch.allclose(x[2, 0], torch.tensor((1.0 - 0.485) / 0.229))
    assert torch.allclose(x[0, 0], torch.tensor((0.0 - 0.485) / 0.229))
    store.close(remove=True)
    assert not os.path.exists(path)


def test_cache_path_follows_bucket_and_key(tmp_path):
    assert data.cache_path(str(tmp_path), "s3://bkt/images/ds/NORMAL/a.jpeg") == str(
        tmp_path / "bkt" / "images" / "ds" / "NORMAL" / "a.jpeg")
    escaped = data.cache_path(str(tmp_path), "s3://bkt/../../etc/passwd")
    assert escaped.startswith(str(tmp_path / "bkt")) and ".." not in escaped


def test_decode_keeps_the_high_byte_of_16_bit_grayscale_like_predict():
    levels = (np.arange(64 * 64, dtype=np.uint32).reshape(64, 64) * 16).astype(np.uint16)
    buf = io.BytesIO()
    Image.fromarray(levels, "I;16").save(buf, "PNG")
    np.testing.assert_array_equal(data.decode(buf.getvalue(), 64), (levels >> 8).astype(np.uint8))


def jpeg(array, mode="L", **options):
    buf = io.BytesIO()
    Image.fromarray(array, mode).save(buf, format="JPEG", **options)
    return buf.getvalue()


def smooth(height, width):
    y, x = np.mgrid[0:height, 0:width]
    return (128 + 60 * np.sin(x / 37.0) * np.cos(y / 23.0) + 40 * np.sin((x + y) / 11.0)).astype(np.uint8)


def test_only_grey_sequential_jpegs_are_recognised_from_their_markers():
    grey = smooth(64, 80)
    assert data.is_grey_sequential_jpeg(jpeg(grey, quality=90))
    assert data.is_grey_sequential_jpeg(jpeg(grey, quality=90, exif=b"Exif\x00\x00" + bytes(200)))
    assert not data.is_grey_sequential_jpeg(jpeg(grey, progressive=True))
    assert not data.is_grey_sequential_jpeg(jpeg(np.stack([grey] * 3, axis=-1), "RGB"))
    assert not data.is_grey_sequential_jpeg(png(grey))
    whole = jpeg(grey)
    sof = whole.index(b"\xff\xc0")
    assert not data.is_grey_sequential_jpeg(whole[:sof + 5])  # the frame header is cut
    assert not data.is_grey_sequential_jpeg(whole[:sof] + b"\xff\xc2" + whole[sof + 2:])  # SOF2: progressive


def test_a_large_grey_jpeg_is_decoded_at_the_draft_scale_predict_uses():
    raw = jpeg(smooth(1000, 900), quality=90)  # min(900 // 224, 1000 // 224) = 4: DCT-scaled to 1/4
    with Image.open(io.BytesIO(raw)) as img:
        img.draft("L", (224, 224))
        assert img.size == (225, 250)
        drafted = np.asarray(img.convert("L").resize((224, 224), Image.BILINEAR))
    with Image.open(io.BytesIO(raw)) as img:
        full = np.asarray(img.convert("L").resize((224, 224), Image.BILINEAR))
    out = data.decode(raw, 224)
    np.testing.assert_array_equal(out, drafted)
    assert not np.array_equal(out, full)


def test_other_jpegs_are_decoded_at_full_resolution(tmp_path):
    grey = smooth(1000, 900)
    for raw in (jpeg(grey, progressive=True, quality=90), jpeg(np.stack([grey] * 3, axis=-1), "RGB", quality=90)):
        with Image.open(io.BytesIO(raw)) as img:
            full = np.asarray(img.convert("L").resize((224, 224), Image.BILINEAR))
        np.testing.assert_array_equal(data.decode(raw, 224), full)
    path = tmp_path / "grey.jpg"
    path.write_bytes(jpeg(grey, quality=90))
    np.testing.assert_array_equal(data.decode(str(path), 224), data.decode(path.read_bytes(), 224))
