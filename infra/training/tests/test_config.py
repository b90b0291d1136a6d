import json

import pytest

from cxrtrain import config
from cxrtrain.config import ConfigError

ENV = {
    "CXR_RUN_ID": "r1",
    "CXR_TRAIN_MANIFEST": "s3://b/manifests/ds/s1/train.jsonl",
    "CXR_VAL_MANIFEST": "s3://b/manifests/ds/s1/val.jsonl",
    "CXR_TEST_MANIFEST": "s3://b/manifests/ds/s1/test.jsonl",
    "CXR_OUTPUT": "s3://b/training-runs/r1/",
}


def test_reads_the_job_environment_and_params():
    params = {"arch": "small", "classWeights": "none",
              "hyperparameters": {"epochs": 3, "batchSize": 8, "learningRate": 0.01, "imageSize": 64,
                                  "fineTuneBlocks": 2, "patience": 1, "arch": "small"},
              "augmentation": {"rotationDegrees": 5, "horizontalFlip": True}}
    cfg = config.load([], dict(ENV, CXR_PARAMS=json.dumps(params), CXR_S3_ENDPOINT="http://127.0.0.1:4566"))
    assert (cfg.run_id, cfg.arch, cfg.epochs, cfg.batch_size, cfg.image_size) == ("r1", "small", 3, 8, 64)
    assert cfg.learning_rate == 0.01 and cfg.class_weights == "none" and cfg.fine_tune_blocks == 2
    assert cfg.augmentation.rotation_degrees == 5 and cfg.augmentation.horizontal_flip
    assert cfg.augmentation.zoom == 0.1  # default kept
    assert cfg.s3_endpoint == "http://127.0.0.1:4566"
    assert cfg.params()["hyperparameters"]["epochs"] == 3


def test_flags_override_the_environment():
    cfg = config.load(["--arch", "small", "--epochs", "2", "--image-size", "96", "--lr", "0.5",
                       "--output", "/tmp/out"], dict(ENV, CXR_PARAMS='{"hyperparameters": {"epochs": 9}}'))
    assert (cfg.arch, cfg.epochs, cfg.image_size, cfg.learning_rate, cfg.output) == ("small", 2, 96, 0.5, "/tmp/out")


def test_defaults_keep_horizontal_flip_off_and_pick_the_learning_rate_by_arch():
    cfg = config.load([], ENV)
    assert cfg.arch == "vgg16" and cfg.learning_rate == 1e-4 and not cfg.augmentation.horizontal_flip
    assert cfg.class_weights == "auto"
    assert config.load(["--arch", "small"], ENV).learning_rate == 1e-3


@pytest.mark.parametrize("params,message", [
    ({"hyperparameters": {"imageSize": 100}}, "multiple of 32"),
    ({"hyperparameters": {"epochs": 0}}, "epochs must be between"),
    ({"hyperparameters": {"fineTuneBlocks": 6}}, "fineTuneBlocks"),
    ({"hyperparameters": {"batchSize": "x"}}, "batchSize must be a int"),
    ({"arch": "resnet"}, "arch must be one of"),
    ({"classWeights": "maybe"}, "classWeights"),
    ({"augmentation": {"horizontalFlip": "yes"}}, "horizontalFlip"),
])
def test_bad_params_are_named(params, message):
    with pytest.raises(ConfigError, match=message):
        config.load([], dict(ENV, CXR_PARAMS=json.dumps(params)))


def test_missing_variables_are_listed():
    with pytest.raises(ConfigError, match="CXR_RUN_ID.*CXR_OUTPUT"):
        config.load([], {"CXR_TRAIN_MANIFEST": "x", "CXR_VAL_MANIFEST": "y", "CXR_TEST_MANIFEST": "z"})


def test_operating_point_and_calibration_default_and_can_be_set():
    cfg = config.load([], dict(ENV))
    assert (cfg.operating_point, cfg.target_sensitivity, cfg.calibration, cfg.bootstrap) == (
        "sensitivity", 0.95, "temperature", 1000)
    params = {"operatingPoint": {"method": "youden"}, "calibration": "none", "bootstrapResamples": 200}
    cfg = config.load([], dict(ENV, CXR_PARAMS=json.dumps(params)))
    assert (cfg.operating_point, cfg.calibration, cfg.bootstrap) == ("youden", "none", 200)
    cfg = config.load(["--target-sensitivity", "0.9"], dict(ENV))
    assert cfg.target_sensitivity == 0.9 and cfg.params()["operatingPoint"]["targetSensitivity"] == 0.9
    with pytest.raises(ConfigError, match="targetSensitivity must be between 0.5 and 1.0"):
        config.load([], dict(ENV, CXR_PARAMS=json.dumps({"operatingPoint": {"targetSensitivity": 1.5}})))
    with pytest.raises(ConfigError, match="operatingPoint.method must be one of"):
        config.load([], dict(ENV, CXR_PARAMS=json.dumps({"operatingPoint": {"method": "f1"}})))
