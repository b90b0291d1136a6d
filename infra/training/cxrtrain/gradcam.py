"""Grad-CAM inside the model: the gradient of each class score with respect to the last convolutional block,
written as forward operations (so the exported ONNX graph computes it and ONNX Runtime needs no autograd).

For a network  A = body(x) (the last conv block's activations, K x H x W), P = maxpool(A), logits = head(P)  with a
head of average pools, flatten, linear, ReLU and dropout layers, the Grad-CAM weight of channel k is the spatial
mean of d logit_c / d A_k. The max pool routes each pooled cell's gradient to one position of A, so that mean is
(sum over the pooled cells of d logit_c / d P_k) / (H W), and the head's gradient is a chain of transposed weight
products and ReLU masks: no second network, no autograd."""

import torch
from torch import nn


class GradCam(nn.Module):
    """Wraps a classifier; forward(x) -> (logits N x C, Grad-CAM maps N x C x H x W, one per class, ReLU'd)."""

    def __init__(self, model):
        super().__init__()
        self.body, self.pool, self.head = split(model)

    def forward(self, x):
        a = self.body(x)
        p = self.pool(a)
        z, trace = p, []
        for layer in self.head:
            trace.append((layer, z.shape))
            z = layer(z)
            if isinstance(layer, nn.ReLU):
                trace[-1] = (layer, z > 0)
        logits = z
        n, c = logits.shape
        g = torch.eye(c, dtype=logits.dtype, device=logits.device).unsqueeze(0).expand(n, c, c)
        for layer, saved in reversed(trace):
            if isinstance(layer, nn.Linear):
                g = torch.matmul(g, layer.weight)
            elif isinstance(layer, nn.ReLU):
                g = g * saved.unsqueeze(1).to(g.dtype)
            elif isinstance(layer, nn.Flatten):
                g = g.reshape((n, c) + tuple(saved[1:]))
            elif isinstance(layer, nn.AdaptiveAvgPool2d):
                h, w = saved[-2], saved[-1]
                oh, ow = g.shape[-2], g.shape[-1]
                if (oh, ow) == (1, 1):
                    g = g.expand(n, c, g.shape[2], h, w) / float(h * w)
                elif (oh, ow) != (h, w):
                    raise ValueError(f"Grad-CAM: adaptive pool {h}x{w} -> {oh}x{ow} is not supported")
            elif not isinstance(layer, nn.Dropout):
                raise ValueError(f"Grad-CAM: head layer {type(layer).__name__} is not supported")
        height, width = a.shape[-2], a.shape[-1]
        weights = g.sum(dim=(-2, -1)) / float(height * width)  # N x C x K
        cam = torch.relu(torch.einsum("nck,nkhw->nchw", weights, a))
        return logits, cam


def split(model):
    """(body up to the last conv block's activation, its max pool, the head layers) of the small net or VGG16."""
    if isinstance(model, nn.Sequential):
        layers = list(model)
        head_start = max(i for i, layer in enumerate(layers) if isinstance(layer, nn.MaxPool2d))
        return nn.Sequential(*layers[:head_start]), layers[head_start], nn.ModuleList(layers[head_start + 1:])
    features = list(model.features)
    if not isinstance(features[-1], nn.MaxPool2d):
        raise ValueError("Grad-CAM: the features do not end with a max pool")
    head = [model.avgpool, nn.Flatten(1), *model.classifier]
    return nn.Sequential(*features[:-1]), features[-1], nn.ModuleList(head)


def last_block(model):
    """The module whose output is the last conv block's activation (for the autograd reference)."""
    body, _, _ = split(model)
    return body[-1]


def autograd_gradcam(model, x):
    """Reference Grad-CAM with PyTorch autograd: N x C x H x W maps of every class (for tests and the reference)."""
    captured = {}
    handle = last_block(model).register_forward_hook(lambda m, i, o: captured.__setitem__("a", o))
    try:
        model.eval()
        x = x.clone().requires_grad_(False)
        maps = []
        logits = model(x)
        a = captured["a"]
        for c in range(logits.shape[1]):
            (grad,) = torch.autograd.grad(logits[:, c].sum(), a, retain_graph=True)
            weights = grad.mean(dim=(2, 3))
            maps.append(torch.relu((weights[:, :, None, None] * a).sum(1)))
        return logits.detach(), torch.stack(maps, dim=1).detach()
    finally:
        handle.remove()
