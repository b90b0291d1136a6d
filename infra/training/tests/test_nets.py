import torch

from cxrtrain import nets


def trainable_names(model):
    return {n for n, p in model.named_parameters() if p.requires_grad}


def test_vgg16_fine_tunes_only_the_last_blocks_and_the_head():
    model, pretrained = nets.vgg16(2, 224, 1, pretrained=False)
    assert not pretrained
    assert model.classifier[6].out_features == 2
    names = trainable_names(model)
    # block 5 = features 24..28; everything before is frozen
    assert {n for n in names if n.startswith("features.")} == {
        "features.24.weight", "features.24.bias", "features.26.weight", "features.26.bias",
        "features.28.weight", "features.28.bias"}
    assert all(p.requires_grad for p in model.classifier.parameters())
    model2, _ = nets.vgg16(2, 224, 2, pretrained=False)
    assert "features.17.weight" in trainable_names(model2) and "features.14.weight" not in trainable_names(model2)
    model0, _ = nets.vgg16(2, 224, 0, pretrained=False)
    assert not any(n.startswith("features.") for n in trainable_names(model0))


def test_vgg16_at_a_small_size_gets_a_pooled_head():
    model, _ = nets.vgg16(3, 64, 5, pretrained=False)
    model.eval()
    with torch.no_grad():
        assert model(torch.zeros(2, 3, 64, 64)).shape == (2, 3)
    assert all(p.requires_grad for p in model.parameters())


def test_small_net_outputs_logits_per_class():
    model = nets.small_vgg(2).eval()
    with torch.no_grad():
        assert model(torch.zeros(4, 3, 64, 64)).shape == (4, 2)
