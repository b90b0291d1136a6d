import torch
from torchvision import transforms as T

from cxrtrain.config import Augmentation
from cxrtrain.data import augmentation


def half_bright(size=48):
    x = torch.zeros(1, size, size)
    x[:, :, : size // 2] = 0.9
    return x


def left_brighter(x):
    half = x.shape[-1] // 2
    return x[..., :half].mean() > x[..., half:].mean()


def steps(transform):
    return list(transform.transforms) if transform is not None else []


def test_default_augmentation_never_flips():
    transform = augmentation(Augmentation())
    assert not any(isinstance(s, (T.RandomHorizontalFlip, T.RandomVerticalFlip)) for s in steps(transform))
    torch.manual_seed(0)
    x = half_bright()
    for _ in range(300):
        assert left_brighter(transform(x))


def test_flip_happens_only_when_asked():
    transform = augmentation(Augmentation(horizontal_flip=True))
    torch.manual_seed(0)
    flipped = sum(not left_brighter(transform(half_bright())) for _ in range(100))
    assert 20 < flipped < 80


def test_everything_off_means_no_transform():
    off = Augmentation(rotation_degrees=0, width_shift=0, height_shift=0, zoom=0, brightness=0, contrast=0)
    assert augmentation(off) is None


def test_augmentation_keeps_shape_and_changes_pixels():
    transform = augmentation(Augmentation(rotation_degrees=15, zoom=0.2, brightness=0.2, contrast=0.2))
    torch.manual_seed(1)
    x = torch.rand(1, 64, 64)
    y = transform(x)
    assert y.shape == x.shape
    assert not torch.equal(x, y)
