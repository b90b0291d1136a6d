import pytest
import torch

from cxrtrain import gradcam, nets


def check(model, size, n=2):
    torch.manual_seed(1)
    model.eval()
    x = torch.randn(n, 3, size, size)
    logits, cam = gradcam.GradCam(model).eval()(x)
    ref_logits, ref_cam = gradcam.autograd_gradcam(model, x)
    torch.testing.assert_close(logits, ref_logits, atol=1e-5, rtol=1e-5)
    assert cam.shape == ref_cam.shape
    assert (ref_cam > 0).any(), "a map that is all zero proves nothing"
    assert float((cam - ref_cam).abs().max()) <= 1e-4 * max(1.0, float(ref_cam.abs().max()))


def test_small_net_gradcam_in_forward_operations_equals_autograd():
    torch.manual_seed(0)
    model = nets.small_vgg(2)
    # Trained-looking batch-norm statistics, so that the activations are not trivial.
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
    check(model, 64)


@pytest.mark.parametrize("size", [64, 224])
def test_vgg16_gradcam_equals_autograd_with_either_head(size):
    torch.manual_seed(0)
    model, _ = nets.vgg16(2, size, 1, pretrained=False)  # 64: global-pooling head; 224: the classic fc6/fc7 head
    check(model, size, n=4 if size == 64 else 1)
