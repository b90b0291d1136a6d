"""Run configuration: the CXR_* environment of the Batch job, overridable by command-line flags."""

import argparse
import json
import os
from dataclasses import asdict, dataclass, field
from typing import List, Optional


class ConfigError(ValueError):
    """A parameter or environment variable is missing or out of range (exit status 2)."""


EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


ARCHS = ("vgg16", "small")
OPERATING_POINTS = ("sensitivity", "youden")
CALIBRATIONS = ("temperature", "none")
OPTIMIZERS = ("adam", "sgd")
CLASS_WEIGHTS = ("auto", "none")
AMP = ("auto", "fp16", "bf16", "off")
PIXELS_ON_DEVICE = ("auto", "true", "false")

# Defaults for runs started by hand; the API resolves its own (identical) defaults and always sends them.
HYPERPARAMETER_DEFAULTS = {
    "arch": "vgg16",
    "epochs": 10,
    "batchSize": 32,
    "learningRate": None,  # arch-dependent: 1e-4 to fine-tune vgg16, 1e-3 to train small from scratch
    "imageSize": 224,
    "fineTuneBlocks": 1,
    "patience": 3,
    "optimizer": "adam",
    "seed": 42,
}
AUGMENTATION_DEFAULTS = {
    "rotationDegrees": 10.0,
    "widthShift": 0.1,
    "heightShift": 0.1,
    "zoom": 0.1,
    "brightness": 0.1,
    "contrast": 0.1,
    "horizontalFlip": False,
}


@dataclass
class Augmentation:
    """On-the-fly augmentation of training images; chest X-rays are not flipped unless asked."""

    rotation_degrees: float = 10.0
    width_shift: float = 0.1
    height_shift: float = 0.1
    zoom: float = 0.1
    brightness: float = 0.1
    contrast: float = 0.1
    horizontal_flip: bool = False


@dataclass
class Config:
    """Everything one training run needs, resolved and validated."""

    run_id: str
    train_manifest: str
    val_manifest: str
    test_manifest: str
    output: str
    arch: str = "vgg16"
    epochs: int = 10
    batch_size: int = 32
    learning_rate: float = 1e-4
    image_size: int = 224
    fine_tune_blocks: int = 1
    patience: int = 3
    optimizer: str = "adam"
    seed: int = 42
    class_weights: str = "auto"
    augmentation: Augmentation = field(default_factory=Augmentation)
    threshold: float = 0.5
    class_names: Optional[List[str]] = None
    s3_endpoint: Optional[str] = None
    cache_dir: str = "/tmp/cxr-cache"
    device: str = "auto"
    workers: Optional[int] = None  # accepted for compatibility; batches are assembled on the training device
    loader_threads: int = 16
    threads: int = 0
    reference_images: int = 8
    amp: str = "auto"
    pixels_on_device: str = "auto"
    cache_max_gib: Optional[float] = None  # None: auto (80 % of the cache volume's free space + the cache)
    checkpoint_seconds: Optional[float] = 300.0  # None: never
    resume: bool = True
    keep_checkpoint: bool = False
    gpus: Optional[int] = None  # processes to launch; None: one per visible GPU
    operating_point: str = "sensitivity"
    target_sensitivity: float = 0.95
    calibration: str = "temperature"
    bootstrap: int = 1000
    eval_manifest: Optional[str] = None
    champion_output: Optional[str] = None
    champion_version: Optional[str] = None

    def params(self):
        """The training parameters as recorded in metrics.json (no infrastructure settings)."""
        return {
            "arch": self.arch,
            "hyperparameters": {
                "epochs": self.epochs,
                "batchSize": self.batch_size,
                "learningRate": self.learning_rate,
                "imageSize": self.image_size,
                "fineTuneBlocks": self.fine_tune_blocks,
                "patience": self.patience,
                "optimizer": self.optimizer,
                "seed": self.seed,
            },
            "augmentation": {
                "rotationDegrees": self.augmentation.rotation_degrees,
                "widthShift": self.augmentation.width_shift,
                "heightShift": self.augmentation.height_shift,
                "zoom": self.augmentation.zoom,
                "brightness": self.augmentation.brightness,
                "contrast": self.augmentation.contrast,
                "horizontalFlip": self.augmentation.horizontal_flip,
            },
            "classWeights": self.class_weights,
            "threshold": self.threshold,
            "operatingPoint": {"method": self.operating_point, "targetSensitivity": self.target_sensitivity},
            "calibration": self.calibration,
            "bootstrapResamples": self.bootstrap,
        }

    def as_dict(self):
        return asdict(self)


def _parser():
    p = argparse.ArgumentParser(
        prog="train.py",
        description="Fine-tunes VGG16 (or a small VGG-style net) on split manifests, evaluates it on the test "
        "manifest and exports ONNX. Configured by the CXR_* environment; flags override it.")
    p.add_argument("--run-id", help="run id (CXR_RUN_ID)")
    p.add_argument("--train-manifest", help="train JSON Lines manifest, s3:// URI or path (CXR_TRAIN_MANIFEST)")
    p.add_argument("--val-manifest", help="val manifest (CXR_VAL_MANIFEST)")
    p.add_argument("--test-manifest", help="test manifest (CXR_TEST_MANIFEST)")
    p.add_argument("--output", help="output prefix, s3:// URI or directory (CXR_OUTPUT)")
    p.add_argument("--params", help="JSON parameters as in CXR_PARAMS (flags below override it)")
    p.add_argument("--arch", choices=ARCHS)
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--learning-rate", "--lr", type=float, dest="learning_rate")
    p.add_argument("--image-size", type=int)
    p.add_argument("--fine-tune-blocks", type=int)
    p.add_argument("--patience", type=int)
    p.add_argument("--optimizer", choices=OPTIMIZERS)
    p.add_argument("--seed", type=int)
    p.add_argument("--class-weights", choices=CLASS_WEIGHTS)
    p.add_argument("--horizontal-flip", action="store_true", default=None)
    p.add_argument("--no-augmentation", action="store_true", help="train without augmentation")
    p.add_argument("--class-names", help="comma-separated class names in class-index order "
                   "(CXR_CLASS_NAMES; default: the manifests' class-name fields)")
    p.add_argument("--s3-endpoint", help="S3 endpoint URL, path-style (CXR_S3_ENDPOINT)")
    p.add_argument("--cache-dir", help="image download cache (CXR_CACHE_DIR, default /tmp/cxr-cache)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), help="CXR_DEVICE, default auto")
    p.add_argument("--workers", type=int, help="data loader worker processes (CXR_WORKERS)")
    p.add_argument("--threads", type=int, help="CPU threads for torch (CXR_THREADS, default: all cores, "
                   "shared between the processes of a multi-process run)")
    p.add_argument("--loader-threads", type=int, help="threads that download and decode images (CXR_LOADER_THREADS, "
                   "default 16 per process)")
    p.add_argument("--amp", choices=AMP, help="mixed precision on CUDA (CXR_AMP, default auto = fp16; off on the CPU)")
    p.add_argument("--pixels-on-device", choices=PIXELS_ON_DEVICE,
                   help="keep the decoded images in GPU memory once loaded (CXR_PIXELS_ON_DEVICE, default auto: "
                        "when they fit beside the training's peak memory)")
    p.add_argument("--cache-max-gib", help="bound of the downloaded-image cache in GiB, 0 keeps nothing on disk "
                   "(CXR_CACHE_MAX_GIB, default auto: 80%% of the cache volume's free space plus the cache)")
    p.add_argument("--checkpoint-seconds", help="write a resumable checkpoint beside the outputs after an epoch when "
                   "this many seconds passed since the last one; 0 every epoch, off never "
                   "(CXR_CHECKPOINT_SECONDS, default 300)")
    p.add_argument("--no-resume", action="store_true", default=None,
                   help="start over even when the output has a checkpoint (CXR_RESUME=false)")
    p.add_argument("--keep-checkpoint", action="store_true", default=None,
                   help="keep the checkpoint after a successful run (CXR_KEEP_CHECKPOINT=true)")
    p.add_argument("--gpus", help="processes to launch, one per GPU, under torchrun (CXR_GPUS, default auto: every "
                   "visible GPU; 1 on the CPU)")
    p.add_argument("--operating-point", choices=OPERATING_POINTS,
                   help="how the threshold is chosen on val: the target sensitivity, or Youden's J")
    p.add_argument("--target-sensitivity", type=float, help="sensitivity the threshold must reach on val (0.95)")
    p.add_argument("--calibration", choices=CALIBRATIONS, help="temperature scaling fitted on val, or none")
    p.add_argument("--bootstrap", type=int, help="bootstrap resamples of the confidence intervals (1000)")
    p.add_argument("--eval-manifest", help="the dataset's evaluation manifest (CXR_EVAL_MANIFEST): scored, "
                   "checked for leakage, compared with the promoted model")
    p.add_argument("--champion-output", help="output prefix of the promoted model's run (CXR_CHAMPION_OUTPUT)")
    p.add_argument("--champion-version", help="the promoted model's version (CXR_CHAMPION_VERSION)")
    return p


def _num(value, name, kind, lo, hi):
    try:
        v = kind(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a {kind.__name__}, got {value!r}")
    if kind is int and isinstance(value, float) and value != int(value):
        raise ConfigError(f"{name} must be an integer, got {value!r}")
    if not (lo <= v <= hi):
        raise ConfigError(f"{name} must be between {lo} and {hi}, got {v}")
    return v


def _bool(value, name):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ConfigError(f"{name} must be true or false, got {value!r}")


def load(argv=None, env=None):
    """Resolves the configuration: built-in defaults < CXR_PARAMS < CXR_* variables < flags."""
    env = os.environ if env is None else env
    args = _parser().parse_args(argv)

    raw_params = args.params if args.params is not None else env.get("CXR_PARAMS", "")
    try:
        params = json.loads(raw_params) if raw_params.strip() else {}
    except json.JSONDecodeError as e:
        raise ConfigError(f"CXR_PARAMS is not valid JSON: {e}")
    if not isinstance(params, dict):
        raise ConfigError("CXR_PARAMS must be a JSON object")
    hyper = dict(HYPERPARAMETER_DEFAULTS)
    given = params.get("hyperparameters") or {}
    if not isinstance(given, dict):
        raise ConfigError("CXR_PARAMS.hyperparameters must be an object")
    hyper.update({k: v for k, v in given.items() if v is not None})
    if params.get("arch") is not None:
        hyper["arch"] = params["arch"]
    aug = dict(AUGMENTATION_DEFAULTS)
    given_aug = params.get("augmentation") or {}
    if not isinstance(given_aug, dict):
        raise ConfigError("CXR_PARAMS.augmentation must be an object")
    aug.update({k: v for k, v in given_aug.items() if v is not None})
    class_weights = params.get("classWeights") or "auto"

    overrides = {
        "arch": args.arch, "epochs": args.epochs, "batchSize": args.batch_size,
        "learningRate": args.learning_rate, "imageSize": args.image_size,
        "fineTuneBlocks": args.fine_tune_blocks, "patience": args.patience,
        "optimizer": args.optimizer, "seed": args.seed,
    }
    hyper.update({k: v for k, v in overrides.items() if v is not None})
    if args.class_weights:
        class_weights = args.class_weights
    if args.horizontal_flip:
        aug["horizontalFlip"] = True
    if args.no_augmentation:
        aug.update(rotationDegrees=0, widthShift=0, heightShift=0, zoom=0, brightness=0, contrast=0,
                   horizontalFlip=False)

    def pick(flag, var):
        value = flag if flag is not None else env.get(var)
        return value if value not in (None, "") else None

    required = {
        "run_id": pick(args.run_id, "CXR_RUN_ID"),
        "train_manifest": pick(args.train_manifest, "CXR_TRAIN_MANIFEST"),
        "val_manifest": pick(args.val_manifest, "CXR_VAL_MANIFEST"),
        "test_manifest": pick(args.test_manifest, "CXR_TEST_MANIFEST"),
        "output": pick(args.output, "CXR_OUTPUT"),
    }
    missing = [k for k, v in required.items() if v is None]
    if missing:
        names = {"run_id": "CXR_RUN_ID (--run-id)", "train_manifest": "CXR_TRAIN_MANIFEST (--train-manifest)",
                 "val_manifest": "CXR_VAL_MANIFEST (--val-manifest)",
                 "test_manifest": "CXR_TEST_MANIFEST (--test-manifest)", "output": "CXR_OUTPUT (--output)"}
        raise ConfigError("missing " + ", ".join(names[m] for m in missing))

    arch = hyper["arch"]
    if arch not in ARCHS:
        raise ConfigError(f"arch must be one of {', '.join(ARCHS)}, got {arch!r}")
    optimizer = hyper["optimizer"]
    if optimizer not in OPTIMIZERS:
        raise ConfigError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {optimizer!r}")
    if class_weights not in CLASS_WEIGHTS:
        raise ConfigError(f"classWeights must be one of {', '.join(CLASS_WEIGHTS)}, got {class_weights!r}")
    lr = hyper["learningRate"]
    if lr is None:
        lr = 1e-4 if arch == "vgg16" else 1e-3
    image_size = _num(hyper["imageSize"], "imageSize", int, 32, 1024)
    if image_size % 32 != 0:
        raise ConfigError(f"imageSize must be a multiple of 32 (five 2x poolings), got {image_size}")

    op = params.get("operatingPoint") or {}
    if not isinstance(op, dict):
        raise ConfigError("CXR_PARAMS.operatingPoint must be an object")
    op_method = args.operating_point or op.get("method") or "sensitivity"
    if op_method not in OPERATING_POINTS:
        raise ConfigError(f"operatingPoint.method must be one of {', '.join(OPERATING_POINTS)}, got {op_method!r}")
    target = args.target_sensitivity if args.target_sensitivity is not None else op.get("targetSensitivity", 0.95)
    calibration = args.calibration or params.get("calibration") or "temperature"
    if calibration not in CALIBRATIONS:
        raise ConfigError(f"calibration must be one of {', '.join(CALIBRATIONS)}, got {calibration!r}")
    bootstrap = args.bootstrap if args.bootstrap is not None else params.get("bootstrapResamples", 1000)

    class_names = pick(args.class_names, "CXR_CLASS_NAMES")
    threads = pick(args.threads, "CXR_THREADS")
    workers = pick(args.workers, "CXR_WORKERS")
    loader_threads = pick(args.loader_threads, "CXR_LOADER_THREADS")
    amp = pick(args.amp, "CXR_AMP") or "auto"
    if amp not in AMP:
        raise ConfigError(f"CXR_AMP must be one of {', '.join(AMP)}, got {amp!r}")
    on_device = (pick(args.pixels_on_device, "CXR_PIXELS_ON_DEVICE") or "auto").lower()
    if on_device not in PIXELS_ON_DEVICE:
        raise ConfigError(f"CXR_PIXELS_ON_DEVICE must be one of {', '.join(PIXELS_ON_DEVICE)}, got {on_device!r}")
    cache_max = pick(args.cache_max_gib, "CXR_CACHE_MAX_GIB")
    checkpoint = pick(args.checkpoint_seconds, "CXR_CHECKPOINT_SECONDS")
    resume = False if args.no_resume else _bool(pick(None, "CXR_RESUME") or "true", "CXR_RESUME")
    keep = True if args.keep_checkpoint else _bool(pick(None, "CXR_KEEP_CHECKPOINT") or "false", "CXR_KEEP_CHECKPOINT")
    gpus = pick(args.gpus, "CXR_GPUS")
    return Config(
        **required,
        arch=arch,
        epochs=_num(hyper["epochs"], "epochs", int, 1, 1000),
        batch_size=_num(hyper["batchSize"], "batchSize", int, 1, 4096),
        learning_rate=_num(lr, "learningRate", float, 1e-7, 1.0),
        image_size=image_size,
        fine_tune_blocks=_num(hyper["fineTuneBlocks"], "fineTuneBlocks", int, 0, 5),
        patience=_num(hyper["patience"], "patience", int, 0, 1000),
        optimizer=optimizer,
        seed=_num(hyper["seed"], "seed", int, 0, 2**31 - 1),
        class_weights=class_weights,
        augmentation=Augmentation(
            rotation_degrees=_num(aug["rotationDegrees"], "rotationDegrees", float, 0, 180),
            width_shift=_num(aug["widthShift"], "widthShift", float, 0, 1),
            height_shift=_num(aug["heightShift"], "heightShift", float, 0, 1),
            zoom=_num(aug["zoom"], "zoom", float, 0, 0.9),
            brightness=_num(aug["brightness"], "brightness", float, 0, 1),
            contrast=_num(aug["contrast"], "contrast", float, 0, 1),
            horizontal_flip=_bool(aug["horizontalFlip"], "horizontalFlip"),
        ),
        class_names=[c.strip() for c in class_names.split(",")] if class_names else None,
        s3_endpoint=pick(args.s3_endpoint, "CXR_S3_ENDPOINT"),
        cache_dir=pick(args.cache_dir, "CXR_CACHE_DIR") or "/tmp/cxr-cache",
        device=pick(args.device, "CXR_DEVICE") or "auto",
        workers=_num(workers, "workers", int, 0, 64) if workers is not None else None,
        threads=_num(threads, "threads", int, 1, 1024) if threads is not None else 0,
        loader_threads=_num(loader_threads, "loaderThreads", int, 1, 256) if loader_threads is not None else 16,
        amp=amp,
        pixels_on_device=on_device,
        cache_max_gib=_auto(cache_max, "CXR_CACHE_MAX_GIB", float, 0, 1e6),
        checkpoint_seconds=None if str(checkpoint).lower() == "off" else (
            _num(checkpoint, "CXR_CHECKPOINT_SECONDS", float, 0, 1e7) if checkpoint is not None else 300.0),
        resume=resume,
        keep_checkpoint=keep,
        gpus=_auto(gpus, "CXR_GPUS", int, 1, 64),
        operating_point=op_method,
        target_sensitivity=_num(target, "operatingPoint.targetSensitivity", float, 0.5, 1.0),
        calibration=calibration,
        bootstrap=_num(bootstrap, "bootstrapResamples", int, 0, 100000),
        eval_manifest=pick(args.eval_manifest, "CXR_EVAL_MANIFEST"),
        champion_output=pick(args.champion_output, "CXR_CHAMPION_OUTPUT"),
        champion_version=pick(args.champion_version, "CXR_CHAMPION_VERSION"),
    )


def _auto(value, name, kind, lo, hi):
    """A number, or None for "auto" / not given."""
    if value is None or str(value).lower() == "auto":
        return None
    return _num(value, name, kind, lo, hi)
