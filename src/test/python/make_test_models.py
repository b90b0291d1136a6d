#!/usr/bin/python3
"""Builds the ONNX models, images and PyTorch reference outputs that the inference tests and benchmark use.

Runs with Debian's python3-torch / torchvision / onnx / PIL (``/usr/bin/python3``), CPU only.

    make_test_models.py fixtures [--out src/test/resources/models]
        A small VGG-style network (input 64 px, NCHW, ImageNet mean/std) exported to ONNX opset 17 with the
        cxr.* preprocessing metadata, a Keras-style NHWC variant without metadata, an int8 QDQ export of the
        small network, synthetic chest X-ray JPEG/PNG images, and reference tensors: random inputs with the
        PyTorch outputs, and torchvision's own preprocessing (Resize((s, s)) on a PIL image) of the images,
        decoded as the training program decodes them (grey sequential JPEGs with Pillow's draft).
        Small enough to commit.

    make_test_models.py vgg16 [--out target/models]
        Full torchvision VGG16 (random init, seeded; 2-class head) as fp32 ONNX (537 MB), an int8 QDQ export
        of it (static quantization calibrated on synthetic X-rays), evaluation images, a 2000x1500 JPEG and a
        MatMul model for measuring the machine's peak. Never committed: the benchmark generates it.

    make_test_models.py gradcam-pair [--out target/models]
        The training program's own export (infra/training, cxrtrain.export) of the same weights twice, with and
        without the Grad-CAM output: the small net (64 px) and VGG16 (224 px, random init, seeded). What a plain
        prediction pays for a model that can explain is the difference between the two files of a pair.

    make_test_models.py bench-torch --model target/models/vgg16-fp32.onnx ...
        PyTorch eager latency of the same (seeded) VGG16, batch 1 and 8, printed as one JSON line.

The int8 export is written here because onnxruntime's Python quantization tools are not available on
this machine: ``quantize_qdq`` inserts QuantizeLinear/DequantizeLinear pairs the way onnxruntime's
``quantize_static(quant_format=QDQ)`` does (uint8 asymmetric activations, int8 symmetric weights, per output
channel for Conv, int32 bias), so that onnxruntime fuses them into QLinearConv / QGemm kernels.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torchvision
from onnx import TensorProto, helper, numpy_helper
from PIL import Image, ImageFilter
from torchvision import transforms

OPSET = 17
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
CLASSES = ("NORMAL", "PNEUMONIA")


# ----------------------------------------------------------------------------------------------- images

def synthetic_xray(seed, width, height):
    """A grayscale image with the gross structure of a frontal chest X-ray: torso, lungs, ribs, spine,
    random opacities, film noise. Only its statistics matter (smooth fields plus noise, like the real ones)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    u = x / width - 0.5
    v = y / height - 0.5
    img = np.full((height, width), 25 + 20 * rng.random(), np.float32)
    img += 130 * np.exp(-(((u / 0.42) ** 2 + (v / 0.6) ** 2) ** 2))
    for side in (-1.0, 1.0):
        cx = side * (0.16 + 0.04 * rng.random())
        lung = np.exp(-((((u - cx) / (0.12 + 0.02 * rng.random())) ** 2 + ((v + 0.03) / 0.3) ** 2) ** 2))
        img -= (60 + 20 * rng.random()) * lung
        ribs = 0.5 + 0.5 * np.sin(2 * np.pi * (v * 11 + side * 3 * u * u + rng.random()))
        img += 18 * ribs * lung
    img += 50 * np.exp(-((u / 0.035) ** 2))
    for _ in range(int(rng.integers(0, 4))):
        bx, by = rng.uniform(-0.25, 0.25), rng.uniform(-0.2, 0.25)
        r = rng.uniform(0.03, 0.1)
        img += rng.uniform(20, 60) * np.exp(-(((u - bx) ** 2 + (v - by) ** 2) / (2 * r * r)))
    img += rng.normal(0, 6, img.shape).astype(np.float32)
    im = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "L")
    return im.filter(ImageFilter.GaussianBlur(0.8))


def training_transform(size):
    """What the training job does to an image, and so what serving must reproduce: stretch to size x size."""
    return transforms.Compose([
        transforms.Resize((size, size)),
        transforms.ToTensor(),
        transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD),
    ])


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "infra", "training"))


def load_rgb(path, size=None):
    """The image as RGB; for a model of the given size, decoded as the training program decodes it (grey
    sequential JPEGs DCT-scaled by Pillow's draft, cxrtrain.data.decode)."""
    from cxrtrain.data import is_grey_sequential_jpeg

    with open(path, "rb") as f:
        raw = f.read()
    with Image.open(path) as im:
        if size and im.format == "JPEG" and is_grey_sequential_jpeg(raw):
            im.draft("L", (size, size))
        return im.convert("RGB")


# ----------------------------------------------------------------------------------------------- models

class TinyVgg(nn.Module):
    """VGG in miniature: conv-relu blocks with max pooling, a flattening classifier with two hidden ReLUs."""

    def __init__(self, classes=2):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((4, 4))
        self.classifier = nn.Sequential(
            nn.Linear(32 * 4 * 4, 64), nn.ReLU(inplace=True), nn.Dropout(),
            nn.Linear(64, 32), nn.ReLU(inplace=True), nn.Dropout(),
            nn.Linear(32, classes),
        )

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


class KerasStyle(nn.Module):
    """A channels-last network ending in softmax, as a Keras VGG16 export looks to ONNX Runtime."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(4),
            nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(4),
        )
        self.fc = nn.Linear(8 * 4 * 4, 2)

    def forward(self, x):
        x = self.features(x.permute(0, 3, 1, 2))
        return torch.softmax(self.fc(torch.flatten(x, 1)), dim=1)


def vgg16(seed=0):
    """torchvision VGG16 with random (seeded, hence reproducible) weights and a 2-class head."""
    torch.manual_seed(seed)
    model = torchvision.models.vgg16(weights=None)
    model.classifier[6] = nn.Linear(4096, len(CLASSES))
    return model.eval()


def metadata(size, output="logits"):
    """The cxr.* preprocessing contract, as the training job writes it."""
    return {
        "cxr.input_size": str(size),
        "cxr.channels": "3",
        "cxr.layout": "NCHW",
        "cxr.scale": repr(1.0 / 255.0),
        "cxr.mean": ",".join(str(m) for m in IMAGENET_MEAN),
        "cxr.std": ",".join(str(s) for s in IMAGENET_STD),
        "cxr.class_names": ",".join(CLASSES),
        "cxr.threshold": "0.5",
        "cxr.resize": "stretch",
        "cxr.output": output,
    }


def export(model, example, path, meta, input_name="input", output_name="logits"):
    torch.onnx.export(model, example, path, opset_version=OPSET, do_constant_folding=True,
                      input_names=[input_name], output_names=[output_name],
                      dynamic_axes={input_name: {0: "batch"}, output_name: {0: "batch"}})
    if meta:
        m = onnx.load(path)
        set_metadata(m, meta)
        onnx.save(m, path)


def set_metadata(model, meta):
    del model.metadata_props[:]
    for k, v in meta.items():
        p = model.metadata_props.add()
        p.key, p.value = k, v


# ----------------------------------------------------------------------------------------------- int8 QDQ

_TORCH_TO_ONNX = {nn.Conv2d: "Conv", nn.ReLU: "Relu", nn.MaxPool2d: "MaxPool", nn.Linear: "Gemm",
                  nn.AdaptiveAvgPool2d: "AveragePool", nn.AvgPool2d: "AveragePool"}
_PASS_THROUGH = {"MaxPool", "AveragePool", "GlobalAveragePool", "Flatten", "Reshape"}


def calibrate(model, batches):
    """Min/max of every leaf module's output over the calibration batches, in call order."""
    records = []
    hooks = []
    for mod in model.modules():
        if type(mod) in _TORCH_TO_ONNX:
            def hook(m, _inp, out):
                records.append((_TORCH_TO_ONNX[type(m)], float(out.min()), float(out.max())))
            hooks.append(mod.register_forward_hook(hook))
    per_batch = []
    in_min, in_max = float("inf"), float("-inf")
    with torch.no_grad():
        for b in batches:
            records.clear()
            model(b)
            per_batch.append(list(records))
            in_min, in_max = min(in_min, float(b.min())), max(in_max, float(b.max()))
    for h in hooks:
        h.remove()
    merged = []
    for i, (op, _, _) in enumerate(per_batch[0]):
        merged.append((op, min(r[i][1] for r in per_batch), max(r[i][2] for r in per_batch)))
    return (in_min, in_max), merged


def _act_qparams(lo, hi):
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = (hi - lo) / 255.0 or 1.0
    zp = int(np.clip(round(-lo / scale), 0, 255))
    return np.float32(scale), np.uint8(zp)


def quantize_qdq(fp32_path, int8_path, input_range, module_ranges):
    """Static QDQ quantization of a VGG-style ONNX graph (Conv/Relu/MaxPool/AveragePool/Flatten/Gemm).

    Activations: uint8, asymmetric, min/max calibrated; the quantized tensors are the graph input, every
    Relu output, and the outputs of pass-through ops (which share their input's parameters so that
    onnxruntime can run them on uint8 and drop the pair). Weights: int8 symmetric (Conv per output channel,
    Gemm per tensor). Bias: int32 with scale = input scale x weight scale. The last Gemm stays float-out.
    """
    model = onnx.load(fp32_path)
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    # The exporter shares equal initializers (e.g. zero biases) through Identity nodes: give each consumer
    # its own copy, so every weight and bias is a plain initializer that can be quantized with its own scale.
    for node in [n for n in g.node if n.op_type == "Identity" and n.input[0] in inits]:
        copy = numpy_helper.from_array(numpy_helper.to_array(inits[node.input[0]]), node.output[0])
        g.initializer.append(copy)
        inits[copy.name] = copy
        g.node.remove(node)
    graph_inputs = [i.name for i in g.input if i.name not in inits]
    assert len(graph_inputs) == 1, graph_inputs

    # Match ONNX nodes to the calibrated torch modules, in order.
    ranges = {graph_inputs[0]: input_range}
    queue = list(module_ranges)
    for node in g.node:
        if node.op_type in ("Conv", "Relu", "MaxPool", "Gemm", "AveragePool", "GlobalAveragePool"):
            if not queue:
                raise SystemExit(f"calibration has no record for {node.name}")
            op, lo, hi = queue.pop(0)
            if op != node.op_type and not (op == "AveragePool" and node.op_type == "GlobalAveragePool"):
                raise SystemExit(f"graph order differs from the module order at {node.name}: {op} vs {node.op_type}")
            ranges[node.output[0]] = (lo, hi)
        elif node.op_type in _PASS_THROUGH:
            ranges[node.output[0]] = ranges[node.input[0]]
        elif node.op_type in ("Identity", "Dropout"):
            ranges[node.output[0]] = ranges[node.input[0]]
        else:
            raise SystemExit(f"unsupported op {node.op_type} ({node.name})")
    if queue:
        raise SystemExit(f"{len(queue)} calibration records left unmatched")

    # Which tensors get a Q/DQ pair, and with which parameters.
    qparams = {graph_inputs[0]: _act_qparams(*input_range)}
    for node in g.node:
        if node.op_type == "Relu":
            qparams[node.output[0]] = _act_qparams(0.0, ranges[node.output[0]][1])
        elif node.op_type in _PASS_THROUGH and node.input[0] in qparams:
            qparams[node.output[0]] = qparams[node.input[0]]
    new_inits = []
    new_nodes = []
    dq_name = {}

    def const(name, array):
        new_inits.append(numpy_helper.from_array(array, name))
        return name

    for t, (scale, zp) in qparams.items():
        # One scale/zero-point initializer per distinct parameter set, shared by pass-through ops.
        s = const(f"{t}_scale", np.array(scale, np.float32))
        z = const(f"{t}_zero_point", np.array(zp, np.uint8))
        new_nodes.append(helper.make_node("QuantizeLinear", [t, s, z], [f"{t}_quantized"], name=f"{t}_QuantizeLinear"))
        new_nodes.append(helper.make_node("DequantizeLinear", [f"{t}_quantized", s, z], [f"{t}_dequantized"],
                                          name=f"{t}_DequantizeLinear"))
        dq_name[t] = f"{t}_dequantized"

    drop = set()
    for node in g.node:
        for i, name in enumerate(node.input):
            if name in dq_name:
                node.input[i] = dq_name[name]
        if node.op_type not in ("Conv", "Gemm"):
            continue
        x = node.input[0]
        src = x[: -len("_dequantized")] if x.endswith("_dequantized") else None
        if src is None:
            raise SystemExit(f"input of {node.name} is not quantized")
        x_scale = float(qparams[src][0])
        w = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)
        if node.op_type == "Conv":
            w_scale = (np.abs(w).reshape(w.shape[0], -1).max(axis=1) / 127.0).astype(np.float32)
            w_scale[w_scale == 0] = 1.0
            wq = np.clip(np.round(w / w_scale.reshape(-1, 1, 1, 1)), -127, 127).astype(np.int8)
            w_zp = np.zeros(w.shape[0], np.int8)
            axis = {"axis": 0}
        else:
            attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
            if attrs.get("transA", 0):
                raise SystemExit(f"{node.name}: transA is not supported")
            w_scale = np.array(np.abs(w).max() / 127.0 or 1.0, np.float32)
            wq = np.clip(np.round(w / w_scale), -127, 127).astype(np.int8)
            w_zp = np.array(0, np.int8)
            axis = {}
        wn = node.input[1]
        const(f"{wn}_quantized", wq)
        const(f"{wn}_scale", w_scale)
        const(f"{wn}_zero_point", w_zp)
        new_nodes.append(helper.make_node("DequantizeLinear", [f"{wn}_quantized", f"{wn}_scale", f"{wn}_zero_point"],
                                          [f"{wn}_dequantized"], name=f"{wn}_DequantizeLinear", **axis))
        node.input[1] = f"{wn}_dequantized"
        drop.add(wn)
        if len(node.input) > 2 and node.input[2]:
            bn = node.input[2]
            b = numpy_helper.to_array(inits[bn]).astype(np.float64)
            b_scale = (x_scale * w_scale.astype(np.float64)).astype(np.float32)
            bq = np.round(b / b_scale.astype(np.float64)).astype(np.int32)
            const(f"{bn}_quantized", bq)
            const(f"{bn}_scale", b_scale)
            const(f"{bn}_zero_point", np.zeros(b_scale.shape, np.int32))
            new_nodes.append(helper.make_node("DequantizeLinear",
                                              [f"{bn}_quantized", f"{bn}_scale", f"{bn}_zero_point"],
                                              [f"{bn}_dequantized"], name=f"{bn}_DequantizeLinear",
                                              **({"axis": 0} if b_scale.ndim else {})))
            node.input[2] = f"{bn}_dequantized"
            drop.add(bn)

    # Topological order: every Q/DQ right before its first consumer is simplest done by a full sort.
    all_nodes = new_nodes + list(g.node)
    kept = [i for i in g.initializer if i.name not in drop]
    del g.initializer[:]
    g.initializer.extend(kept + new_inits)
    del g.node[:]
    g.node.extend(_toposort(all_nodes, {i.name for i in g.initializer} | {i.name for i in g.input}))
    onnx.checker.check_model(model)
    onnx.save(model, int8_path)


def _toposort(nodes, available):
    available = set(available)
    pending = list(nodes)
    ordered = []
    while pending:
        progressed = False
        rest = []
        for n in pending:
            if all((not i) or i in available for i in n.input):
                ordered.append(n)
                available.update(n.output)
                progressed = True
            else:
                rest.append(n)
        if not progressed:
            raise SystemExit("cycle or missing input while ordering the QDQ graph")
        pending = rest
    return ordered


# ----------------------------------------------------------------------------------------------- commands

def write_f32(path, array):
    np.ascontiguousarray(array, dtype="<f4").tofile(path)


def cmd_fixtures(args):
    torch.set_num_threads(2)
    out = args.out
    os.makedirs(out, exist_ok=True)
    size = 64

    # Images: a gray JPEG, a gray PNG (portrait), an RGB PNG whose channels differ.
    synthetic_xray(1, 1024, 800).save(os.path.join(out, "xray-gray.jpg"), quality=90)
    synthetic_xray(2, 300, 400).save(os.path.join(out, "xray-gray.png"))
    gray = np.asarray(synthetic_xray(3, 320, 256), np.float32)
    rgb = np.stack([gray, gray * 0.9 + 10, gray * 0.8 + 20], axis=-1)
    Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB").save(os.path.join(out, "xray-rgb.png"))
    images = ["xray-gray.jpg", "xray-gray.png", "xray-rgb.png"]
    # torchvision's resize (PIL bilinear with antialias) as 8-bit images: the serving resizer's reference.
    for name in images:
        for s in (size, 224):
            load_rgb(os.path.join(out, name), s).resize((s, s), Image.BILINEAR).save(
                os.path.join(out, f"{name}.pil{s}.png"))
        # The other aspect policy: shorter side to s, then the centre s x s.
        crop = transforms.Compose([transforms.Resize(size), transforms.CenterCrop(size)])
        crop(load_rgb(os.path.join(out, name), size)).save(os.path.join(out, f"{name}.pilcrop{size}.png"))

    torch.manual_seed(0)
    tiny = TinyVgg().eval()
    export(tiny, torch.zeros(1, 3, size, size), os.path.join(out, "tiny-vgg.onnx"), metadata(size))
    torch.manual_seed(1)
    x = torch.randn(3, 3, size, size)
    with torch.no_grad():
        y = tiny(x)
        imgs = torch.stack([training_transform(size)(load_rgb(os.path.join(out, n), size)) for n in images])
        yi = tiny(imgs)
    write_f32(os.path.join(out, "tiny-vgg.inputs.f32"), x.numpy())
    write_f32(os.path.join(out, "tiny-vgg.outputs.f32"), y.numpy())
    write_f32(os.path.join(out, "tiny-vgg.image-outputs.f32"), yi.numpy())

    # int8 QDQ of the tiny network: calibrated on synthetic X-rays, checked by the Java tests.
    calib = [training_transform(size)(synthetic_xray(100 + i, 256, 256).convert("RGB")).unsqueeze(0)
             for i in range(8)]
    in_range, ranges = calibrate(tiny, calib)
    quantize_qdq(os.path.join(out, "tiny-vgg.onnx"), os.path.join(out, "tiny-vgg-int8.onnx"), in_range, ranges)

    torch.manual_seed(2)
    keras = KerasStyle().eval()
    export(keras, torch.zeros(1, size, size, 3), os.path.join(out, "tiny-keras.onnx"), None,
           input_name="input_1", output_name="predictions")
    xk = torch.rand(2, size, size, 3)
    with torch.no_grad():
        yk = keras(xk)
    write_f32(os.path.join(out, "tiny-keras.inputs.f32"), xk.numpy())
    write_f32(os.path.join(out, "tiny-keras.outputs.f32"), yk.numpy())

    manifest = {
        "tiny-vgg.onnx": {"inputs": "tiny-vgg.inputs.f32", "inputShape": list(x.shape),
                          "outputs": "tiny-vgg.outputs.f32", "outputShape": list(y.shape),
                          "images": images, "imageOutputs": "tiny-vgg.image-outputs.f32"},
        "tiny-keras.onnx": {"inputs": "tiny-keras.inputs.f32", "inputShape": list(xk.shape),
                            "outputs": "tiny-keras.outputs.f32", "outputShape": list(yk.shape)},
    }
    with open(os.path.join(out, "fixtures.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    for name in sorted(os.listdir(out)):
        print(f"{os.path.getsize(os.path.join(out, name)):>9}  {name}")


def cmd_vgg16(args):
    torch.set_num_threads(2)
    out = args.out
    os.makedirs(out, exist_ok=True)
    t0 = time.time()
    model = vgg16(args.seed)
    fp32 = os.path.join(out, "vgg16-fp32.onnx")
    export(model, torch.zeros(1, 3, 224, 224), fp32, metadata(224))
    print(f"exported {fp32} ({os.path.getsize(fp32) / 1e6:.0f} MB) in {time.time() - t0:.0f} s", flush=True)

    # Synthetic X-rays: calibration set, evaluation set (for fp32/int8 agreement), and the 2000x1500 JPEG.
    calib_dir, eval_dir = os.path.join(out, "calibration"), os.path.join(out, "synthetic")
    os.makedirs(calib_dir, exist_ok=True)
    os.makedirs(eval_dir, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    for i in range(args.calibration):
        synthetic_xray(1000 + i, int(rng.integers(900, 1600)), int(rng.integers(800, 1400))).save(
            os.path.join(calib_dir, f"calib-{i:03d}.jpg"), quality=90)
    for i in range(args.evaluation):
        synthetic_xray(2000 + i, int(rng.integers(900, 1600)), int(rng.integers(800, 1400))).save(
            os.path.join(eval_dir, f"eval-{i:03d}.jpg"), quality=90)
    big = os.path.join(out, "xray-2000x1500.jpg")
    synthetic_xray(7, 2000, 1500).save(big, quality=90)
    load_rgb(big, 224).resize((224, 224), Image.BILINEAR).save(big + ".pil224.png")

    t0 = time.time()
    tf = training_transform(224)
    batches = [tf(load_rgb(os.path.join(calib_dir, f), 224)).unsqueeze(0) for f in sorted(os.listdir(calib_dir))]
    in_range, ranges = calibrate(model, batches)
    int8 = os.path.join(out, "vgg16-int8.onnx")
    quantize_qdq(fp32, int8, in_range, ranges)
    print(f"quantized {int8} ({os.path.getsize(int8) / 1e6:.0f} MB) in {time.time() - t0:.0f} s", flush=True)

    # PyTorch's logits for the evaluation images, so the benchmark can check ORT runs the same model.
    with torch.no_grad():
        files = sorted(os.listdir(eval_dir))
        x = torch.stack([tf(load_rgb(os.path.join(eval_dir, f), 224)) for f in files])
        y = torch.cat([model(x[i:i + 8]) for i in range(0, len(files), 8)])
    write_f32(os.path.join(out, "synthetic.inputs.f32"), x.numpy())
    write_f32(os.path.join(out, "synthetic.torch-logits.f32"), y.numpy())
    with open(os.path.join(out, "synthetic.json"), "w") as f:
        json.dump({"files": files, "inputShape": list(x.shape), "outputShape": list(y.shape)}, f)

    # A square MatMul for the machine's fp32 peak, measured with the same ONNX Runtime as the model.
    n = 2048
    a = helper.make_tensor_value_info("a", TensorProto.FLOAT, [n, n])
    c = helper.make_tensor_value_info("c", TensorProto.FLOAT, [n, n])
    rng = np.random.default_rng(0)
    b = numpy_helper.from_array(rng.standard_normal((n, n)).astype(np.float32), "b")
    mm = helper.make_model(helper.make_graph([helper.make_node("MatMul", ["a", "b"], ["c"])], "matmul", [a], [c], [b]),
                           opset_imports=[helper.make_opsetid("", OPSET)])
    onnx.save(mm, os.path.join(out, "matmul-2048.onnx"))
    print("done", flush=True)


def cmd_gradcam_pair(args):
    from cxrtrain import export as cxr_export, nets as cxr_nets

    torch.set_num_threads(2)
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(args.seed)
    small = cxr_nets.small_vgg(2).eval()
    torch.manual_seed(args.seed)
    big = cxr_nets.vgg16(2, 224, 1, pretrained=False)[0].eval()
    for name, model, size in (("small", small, 64), ("vgg16", big, 224)):
        for explain in (True, False):
            path = os.path.join(args.out, f"{name}-{'gradcam' if explain else 'plain'}.onnx")
            t0 = time.time()
            cxr_export.export(model, path, size, list(CLASSES), explain=explain)
            print(f"exported {path} ({os.path.getsize(path) / 1e6:.1f} MB) in {time.time() - t0:.0f} s", flush=True)


def percentile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q / 100.0 * (len(s) - 1))))]


def cmd_bench_torch(args):
    torch.set_num_threads(args.threads)
    model = vgg16(args.seed)
    result = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    with torch.no_grad():
        for batch, iters in ((1, args.iters1), (8, args.iters8)):
            x = torch.randn(batch, 3, 224, 224)
            model(x)
            times = []
            for _ in range(iters):
                t = time.perf_counter()
                model(x)
                times.append((time.perf_counter() - t) * 1000)
            result[f"batch{batch}"] = {"iterations": iters, "p50": percentile(times, 50), "p95": percentile(times, 95)}
    print(json.dumps(result), flush=True)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fixtures")
    f.add_argument("--out", default="src/test/resources/models")
    v = sub.add_parser("vgg16")
    v.add_argument("--out", default="target/models")
    v.add_argument("--seed", type=int, default=0)
    v.add_argument("--calibration", type=int, default=16)
    v.add_argument("--evaluation", type=int, default=32)
    g = sub.add_parser("gradcam-pair")
    g.add_argument("--out", default="target/models")
    g.add_argument("--seed", type=int, default=0)
    b = sub.add_parser("bench-torch")
    b.add_argument("--seed", type=int, default=0)
    b.add_argument("--threads", type=int, default=2)
    b.add_argument("--iters1", type=int, default=10)
    b.add_argument("--iters8", type=int, default=3)
    args = p.parse_args(argv)
    {"fixtures": cmd_fixtures, "vgg16": cmd_vgg16, "gradcam-pair": cmd_gradcam_pair, "bench-torch": cmd_bench_torch}[args.cmd](args)


if __name__ == "__main__":
    main(sys.argv[1:])
