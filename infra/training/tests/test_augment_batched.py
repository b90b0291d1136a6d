"""The batched device augmentation against the per-image torchvision transform it replaces (data.augmentation)."""

import numpy as np
import pytest
import torch
from scipy import stats
from torchvision import transforms as T
from torchvision.transforms import InterpolationMode
from torchvision.transforms import functional as TF

from cxrtrain.augment import BatchAugmentation, epoch_generator
from cxrtrain.config import Augmentation
from cxrtrain.data import augmentation

SIZE = 32
N = 1200
ALPHA = 1e-3


def scene(size=SIZE):
    """An asymmetric image: an off-centre long bright bar (its angle shows the rotation) on a horizontal gradient."""
    x = torch.linspace(0.05, 0.4, size).repeat(size, 1)
    x[8:11, 8:28] = 0.95
    return x.unsqueeze(0)


def summary(batch):
    """Per image: mean, std, intensity centroid x and y, the radial spread around the centroid and the x-y
    covariance (orientation)."""
    b = batch.reshape(len(batch), SIZE, SIZE).double()
    ys, xs = torch.meshgrid(torch.arange(SIZE).double(), torch.arange(SIZE).double(), indexing="ij")
    mass = b.sum((1, 2)) + 1e-9
    cx, cy = (b * xs).sum((1, 2)) / mass, (b * ys).sum((1, 2)) / mass
    dx, dy = xs - cx.view(-1, 1, 1), ys - cy.view(-1, 1, 1)
    spread = (b * (dx ** 2 + dy ** 2)).sum((1, 2)) / mass
    return {"mean": b.mean((1, 2)), "std": b.std((1, 2)), "cx": cx, "cy": cy, "spread": spread,
            "cov": (b * dx * dy).sum((1, 2)) / mass}


def per_image(aug, n=N, seed=0):
    transform = augmentation(aug)
    torch.manual_seed(seed)
    x = scene()
    return torch.stack([transform(x).clamp(0, 1) for _ in range(n)])


def batched(aug, n=N, seed=0):
    draws = BatchAugmentation.draw(n, epoch_generator(seed, 1))
    return BatchAugmentation(aug)(scene().expand(n, 1, SIZE, SIZE).clone(), draws)


def p_values(a, b):
    sa, sb = summary(a), summary(b)
    return {k: stats.ks_2samp(sa[k].numpy(), sb[k].numpy()).pvalue for k in sa}


def test_given_the_same_parameters_the_batch_equals_torchvision_image_by_image():
    aug = BatchAugmentation(Augmentation(rotation_degrees=20, width_shift=0.15, height_shift=0.1, zoom=0.2,
                                         brightness=0.3, contrast=0.3, horizontal_flip=True))
    torch.manual_seed(3)
    x = torch.rand(16, 1, 40, 40)
    draws = torch.rand(16, 8, dtype=torch.float64)
    out = aug(x, draws)
    p = aug.parameters(draws, 40)
    assert p["brightness_first"].any() and (~p["brightness_first"]).any() and p["flip"].any()
    for i in range(16):
        y = TF.affine(x[i], float(p["angle"][i]), [int(p["tx"][i]), int(p["ty"][i])], float(p["scale"][i]),
                      [0.0, 0.0], interpolation=InterpolationMode.BILINEAR, fill=[0.0])
        b, c = float(p["brightness"][i]), float(p["contrast"][i])
        if p["brightness_first"][i]:
            y = TF.adjust_contrast(TF.adjust_brightness(y, b), c)
        else:
            y = TF.adjust_brightness(TF.adjust_contrast(y, c), b)
        if p["flip"][i]:
            y = TF.hflip(y)
        torch.testing.assert_close(out[i], y.clamp(0, 1), atol=1e-5, rtol=0)


def test_parameters_are_drawn_from_torchvision_distributions():
    cfg = Augmentation()  # the defaults: 10 degrees, 0.1 shifts and zoom, 0.1 brightness and contrast
    affine = T.RandomAffine(degrees=cfg.rotation_degrees, translate=(cfg.width_shift, cfg.height_shift),
                            scale=(1 - cfg.zoom, 1 + cfg.zoom))
    jitter = T.ColorJitter(brightness=cfg.brightness, contrast=cfg.contrast)
    torch.manual_seed(0)
    tv = {k: [] for k in ("angle", "tx", "ty", "scale", "brightness", "contrast", "brightness_first")}
    for _ in range(4000):
        angle, (tx, ty), scale, _ = affine.get_params(affine.degrees, affine.translate, affine.scale, None,
                                                      [SIZE, SIZE])
        order, b, c, _, _ = jitter.get_params(jitter.brightness, jitter.contrast, None, None)
        order = order.tolist()
        for k, v in zip(tv, (angle, tx, ty, scale, b, c, order.index(0) < order.index(1))):
            tv[k].append(float(v))
    ours = BatchAugmentation(cfg).parameters(BatchAugmentation.draw(4000, epoch_generator(1, 1)), SIZE)
    for k, values in tv.items():
        mine = ours[k].double().numpy()
        assert stats.ks_2samp(values, mine).pvalue > ALPHA, k
    assert set(np.unique(ours["tx"].numpy())) == set(np.unique(tv["tx"])) == {-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0}


@pytest.mark.parametrize("aug", [
    Augmentation(),
    Augmentation(rotation_degrees=25, width_shift=0.2, height_shift=0.05, zoom=0.25, brightness=0.4, contrast=0.4,
                 horizontal_flip=True),
], ids=["defaults", "strong-with-flip"])
def test_augmented_images_are_distributed_as_with_the_per_image_transform(aug):
    pv = p_values(per_image(aug), batched(aug, seed=5))
    assert min(pv.values()) > ALPHA, pv


@pytest.mark.parametrize("wrong", [
    Augmentation(rotation_degrees=15), Augmentation(width_shift=0.15), Augmentation(zoom=0.15),
    Augmentation(brightness=0.2), Augmentation(contrast=0.2), Augmentation(horizontal_flip=True),
], ids=["rotation", "shift", "zoom", "brightness", "contrast", "flip"])
def test_the_comparison_detects_a_wrong_range(wrong, reference=[]):
    if not reference:
        reference.append(per_image(Augmentation()))
    assert min(p_values(reference[0], batched(wrong, seed=5)).values()) < ALPHA


def test_default_batched_augmentation_never_flips():
    half = torch.zeros(300, 1, 48, 48)
    half[..., :24] = 0.9
    out = BatchAugmentation(Augmentation())(half, BatchAugmentation.draw(300, epoch_generator(0, 1)))
    assert (out[..., :24].mean((1, 2, 3)) > out[..., 24:].mean((1, 2, 3))).all()


def test_draws_depend_only_on_the_position():
    a = BatchAugmentation.draw(10, epoch_generator(7, 3))
    b = BatchAugmentation.draw(13, epoch_generator(7, 3))
    assert torch.equal(a, b[:10])
    assert not torch.equal(a, BatchAugmentation.draw(10, epoch_generator(7, 4)))


def test_nothing_enabled_means_disabled():
    off = Augmentation(rotation_degrees=0, width_shift=0, height_shift=0, zoom=0, brightness=0, contrast=0)
    assert not BatchAugmentation(off).enabled and BatchAugmentation(Augmentation()).enabled
