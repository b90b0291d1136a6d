"""ONNX export with the preprocessing metadata the predict function reads (cxr.* metadata_props)."""

import inspect

import onnx
import torch

from .data import IMAGENET_MEAN, IMAGENET_STD, SCALE

OPSET = 17
INPUT_NAME = "input"
OUTPUT_NAME = "logits"
GRADCAM_NAME = "gradcam"


def metadata(image_size, class_names, threshold, extra=None, temperature=1.0):
    """The cxr.* metadata contract: size, channels, layout, scale, mean/std, classes, threshold, resize, output,
    and the temperature the logits are divided by before the softmax (calibration)."""
    props = {
        "cxr.input_size": str(image_size),
        "cxr.channels": "3",
        "cxr.layout": "NCHW",
        "cxr.scale": repr(SCALE),
        "cxr.mean": ",".join(repr(v) for v in IMAGENET_MEAN),
        "cxr.std": ",".join(repr(v) for v in IMAGENET_STD),
        "cxr.class_names": ",".join(class_names),
        "cxr.threshold": repr(float(threshold)),
        "cxr.resize": "stretch",
        "cxr.output": "logits",
        "cxr.temperature": repr(float(temperature)),
    }
    props.update({k: str(v) for k, v in (extra or {}).items()})
    return props


def export(model, path, image_size, class_names, threshold=0.5, extra_metadata=None, temperature=1.0,
           explain=True):
    """Exports the model (eval mode, CPU, fp32) with a dynamic batch axis; checks the file; returns the metadata.

    explain: a second output, "gradcam" (batch x classes x h x w), holds each class's Grad-CAM map on the last
    convolutional block, computed in the graph (cxrtrain.gradcam); cxr.explain names it."""
    model = model.eval().cpu()
    outputs = [OUTPUT_NAME]
    if explain:
        from .gradcam import GradCam

        model = GradCam(model).eval()
        outputs.append(GRADCAM_NAME)
    dummy = torch.zeros(1, 3, image_size, image_size, dtype=torch.float32)
    kwargs = {}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        # torch >= 2.9 defaults to the dynamo exporter (needs onnxscript); the TorchScript one fits this model.
        kwargs["dynamo"] = False
    with torch.no_grad():
        torch.onnx.export(model, dummy, path, export_params=True, opset_version=OPSET, do_constant_folding=True,
                          input_names=[INPUT_NAME], output_names=outputs,
                          dynamic_axes={name: {0: "batch"} for name in [INPUT_NAME] + outputs}, **kwargs)
    proto = onnx.load(path)
    props = metadata(image_size, class_names, threshold, extra_metadata, temperature)
    if explain:
        props["cxr.explain"] = GRADCAM_NAME
    del proto.metadata_props[:]
    for key, value in props.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    proto.doc_string = "chest X-ray classifier; preprocessing in metadata_props (cxr.*)"
    onnx.save(proto, path)
    onnx.checker.check_model(path)
    return props


def read_metadata(path):
    """metadata_props of an ONNX file as a dict."""
    proto = onnx.load(path, load_external_data=False)
    return {p.key: p.value for p in proto.metadata_props}
