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
