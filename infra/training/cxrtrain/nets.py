"""The networks: torchvision VGG16 for transfer learning and a small VGG-style net for CPU runs."""

import logging
import os

import torch
from torch import nn

log = logging.getLogger("cxr.train")


def small_vgg(n_classes):
    """Three conv blocks (16-32-64 channels, batch norm) and global pooling: trains on a CPU in seconds."""

    def block(cin, cout):
        # A higher batch-norm momentum than the default 0.1: small data sets give few batches per epoch, and
        # running statistics that lag the weights make the eval-mode (val, test, ONNX) outputs drift.
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout, momentum=0.3),
                nn.ReLU(inplace=True),
                nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout, momentum=0.3),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(2)]

    return nn.Sequential(*block(3, 16), *block(16, 32), *block(32, 64),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.3), nn.Linear(64, n_classes))


def imagenet_weights_file():
    """The torch hub cache file of VGG16's ImageNet weights (baked into the container image at build)."""
    from torchvision.models import VGG16_Weights

    url = VGG16_Weights.IMAGENET1K_V1.url
    return os.path.join(torch.hub.get_dir(), "checkpoints", os.path.basename(url))


def conv_blocks(features):
    """VGG16's feature extractor split into its five conv blocks (each ends with a max pool)."""
    blocks, current = [], []
    for layer in features:
        current.append(layer)
        if isinstance(layer, nn.MaxPool2d):
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def vgg16(n_classes, image_size, fine_tune_blocks, pretrained=None):
    """VGG16 with a new n-class output layer; only the last fine_tune_blocks conv blocks and the head train.

    pretrained: True/False, or None to use the ImageNet weights when the hub cache has them (never downloads)."""
    from torchvision.models import VGG16_Weights
    from torchvision.models import vgg16 as tv_vgg16

    weights_file = imagenet_weights_file()
    if pretrained is None:
        pretrained = os.path.exists(weights_file)
        if not pretrained:
            log.warning("ImageNet weights not found at %s: VGG16 starts from random weights "
                        "(build the container image to bake them in)", weights_file)
    model = tv_vgg16(weights=VGG16_Weights.IMAGENET1K_V1 if pretrained else None)

    for p in model.features.parameters():
        p.requires_grad = False
    blocks = conv_blocks(model.features)
    for block in blocks[len(blocks) - fine_tune_blocks:] if fine_tune_blocks > 0 else []:
        for layer in block:
            for p in layer.parameters():
                p.requires_grad = True

    grid = image_size // 32
    if grid % 7 == 0:
        # The classic head: the pretrained fc6/fc7 see the same 7x7x512 grid as in ImageNet training.
        model.classifier[6] = nn.Linear(model.classifier[6].in_features, n_classes)
    else:
        # fc6 expects a 7x7 grid; other sizes would up-sample in the adaptive pool, which ONNX cannot export.
        log.warning("imageSize %d is not a multiple of 224: VGG16 gets a global-average-pooling head "
                    "(fc6/fc7 not reused)", image_size)
        model.avgpool = nn.AdaptiveAvgPool2d(1)
        model.classifier = nn.Sequential(nn.Dropout(0.5), nn.Linear(512, 256), nn.ReLU(inplace=True),
                                         nn.Dropout(0.5), nn.Linear(256, n_classes))
    for p in model.classifier.parameters():
        p.requires_grad = True
    return model, bool(pretrained)


def build(arch, n_classes, image_size, fine_tune_blocks):
    """(model, pretrained) for an arch name."""
    if arch == "vgg16":
        return vgg16(n_classes, image_size, fine_tune_blocks)
    if arch == "small":
        return small_vgg(n_classes), False
    raise ValueError(f"unknown arch {arch!r}")


def count_parameters(model):
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return total, trainable
