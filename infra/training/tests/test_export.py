import onnx
import torch

from cxrtrain import export, nets


def test_onnx_export_carries_the_preprocessing_metadata(tmp_path):
    torch.manual_seed(0)
    model = nets.small_vgg(2)
    path = str(tmp_path / "model.onnx")
    props = export.export(model, path, 64, ["NORMAL", "PNEUMONIA"], 0.5, {"cxr.run_id": "r1"})
    onnx.checker.check_model(path)
    proto = onnx.load(path)
    meta = {p.key: p.value for p in proto.metadata_props}
    assert meta == props
    assert meta["cxr.input_size"] == "64"
    assert meta["cxr.channels"] == "3" and meta["cxr.layout"] == "NCHW"
    assert float(meta["cxr.scale"]) == 1 / 255
    assert [float(v) for v in meta["cxr.mean"].split(",")] == [0.485, 0.456, 0.406]
    assert [float(v) for v in meta["cxr.std"].split(",")] == [0.229, 0.224, 0.225]
    assert meta["cxr.class_names"] == "NORMAL,PNEUMONIA"
    assert meta["cxr.threshold"] == "0.5" and meta["cxr.resize"] == "stretch" and meta["cxr.output"] == "logits"
    assert meta["cxr.run_id"] == "r1"
    assert max(o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")) == 17
    (inp,), (out, _) = proto.graph.input, proto.graph.output
    dims = inp.type.tensor_type.shape.dim
    assert inp.name == "input" and dims[0].dim_param == "batch" and [d.dim_value for d in dims[1:]] == [3, 64, 64]
    assert out.name == "logits" and out.type.tensor_type.shape.dim[0].dim_param == "batch"


def test_the_export_carries_a_gradcam_output_on_the_last_conv_block(tmp_path):
    torch.manual_seed(0)
    path = str(tmp_path / "model.onnx")
    props = export.export(nets.small_vgg(2), path, 64, ["NORMAL", "PNEUMONIA"], 0.3, temperature=1.5)
    assert props["cxr.explain"] == "gradcam" and props["cxr.temperature"] == "1.5" and props["cxr.threshold"] == "0.3"
    proto = onnx.load(path)
    logits, cam = proto.graph.output
    assert logits.name == "logits" and cam.name == "gradcam"
    dims = cam.type.tensor_type.shape.dim
    assert dims[0].dim_param == "batch" and len(dims) == 4
