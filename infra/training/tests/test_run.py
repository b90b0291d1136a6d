import json

from synthetic import write_split

from cxrtrain import export
from cxrtrain.run import main


def args(tmp_path, out, **manifests):
    return ["--run-id", "t", "--arch", "small", "--image-size", "32", "--epochs", "2", "--batch-size", "8",
            "--train-manifest", manifests.get("train") or write_split(tmp_path, "train", 24),
            "--val-manifest", manifests.get("val") or write_split(tmp_path, "val", 8),
            "--test-manifest", manifests.get("test") or write_split(tmp_path, "test", 8),
            "--output", str(out), "--cache-dir", str(tmp_path / "cache")]


def test_a_run_writes_model_metrics_plots_and_log(tmp_path):
    out = tmp_path / "out"
    assert main(args(tmp_path, out)) == 0
    for name in ("model.onnx", "metrics.json", "roc.png", "confusion_matrix.png", "loss.png", "train.log",
                 "reference.json", "reliability.png", "report.html", "reference-inputs.f32"):
        assert (out / name).stat().st_size > 0, name
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics["test"]) >= {"accuracy", "sensitivity", "specificity", "precision", "f1", "roc_auc",
                                    "confusion_matrix"}
    assert metrics["classNames"] == ["NORMAL", "PNEUMONIA"] and metrics["epochsRun"] == 2
    assert len(metrics["history"]) == 2 and metrics["device"]["type"] == "cpu"
    assert metrics["params"]["augmentation"]["horizontalFlip"] is False
    meta = export.read_metadata(str(out / "model.onnx"))
    assert meta["cxr.input_size"] == "32"
    # The operating point and temperature chosen on val are what the model carries and the test was scored at.
    op, calib = metrics["operatingPoint"], metrics["calibration"]
    assert op["method"] == "sensitivity" and op["targetSensitivity"] == 0.95 and op["sensitivity"] >= 0.95
    assert float(meta["cxr.threshold"]) == op["threshold"] == metrics["test"]["threshold"]
    assert float(meta["cxr.temperature"]) == calib["temperature"] > 0
    assert calib["valNll"]["after"] <= calib["valNll"]["before"] + 1e-12
    assert set(calib["ece"]["test"]) == {"before", "after"}
    page = (out / "report.html").read_text()
    assert metrics["report"] == "report.html" and page.startswith("<!doctype html>")
    assert page.count("data:image/png;base64,") >= 4 + 4 and "No evaluation manifest is pinned" in page
    ci = metrics["test"]["ci"]
    assert set(ci) >= {"roc_auc", "sensitivity", "specificity", "ppv", "npv"} and ci["resamples"] == 1000
    assert ci["sensitivity"]["low"] <= metrics["test"]["sensitivity"] <= ci["sensitivity"]["high"]
    log = (out / "train.log").read_text()
    assert "epoch 1/2 loss" in log and "epoch 2/2 loss" in log
    reference = json.loads((out / "reference.json").read_text())
    assert len(reference["images"]) == 8
    assert abs(sum(reference["images"][0]["probabilities"]) - 1) < 1e-9


def test_a_bad_manifest_line_fails_with_status_2_naming_it(tmp_path, capsys):
    out = tmp_path / "out"
    train = write_split(tmp_path, "train", 4, broken='{"source-ref": "x.png"}')
    assert main(args(tmp_path, out, train=train)) == 2
    assert "line 5: class must be" in (out / "train.log").read_text()
    assert json.loads((out / "error.json").read_text())["exitCode"] == 2


def test_missing_images_fail_with_status_2_listing_them(tmp_path):
    out = tmp_path / "out"
    broken = json.dumps({"source-ref": str(tmp_path / "nowhere.png"), "class": "0", "class-name": "NORMAL"})
    test = write_split(tmp_path, "test", 4, broken=broken)
    assert main(args(tmp_path, out, test=test)) == 2
    assert "1 of 37 images could not be read: cannot read" in (out / "train.log").read_text()
    assert "nowhere.png" in (out / "error.json").read_text()


def test_bad_parameters_fail_with_status_2(tmp_path, capsys):
    assert main(args(tmp_path, tmp_path / "out") + ["--image-size", "50"]) == 2
    assert "multiple of 32" in capsys.readouterr().err


def test_paired_evaluation_scores_both_models_on_the_evaluation_set(tmp_path):
    evaluation = write_split(tmp_path, "eval", 12)
    first, second = tmp_path / "first", tmp_path / "second"
    assert main(args(tmp_path, first) + ["--eval-manifest", evaluation]) == 0
    doc = json.loads((first / "evaluation.json").read_text())
    assert len(doc["images"]) == 12 and doc["manifest"] == evaluation
    block = json.loads((first / "metrics.json").read_text())["evaluation"]
    assert block["n"] == 12 and block["comparison"] is None and "ci" in block["metrics"]

    assert main(args(tmp_path, second) + ["--eval-manifest", evaluation, "--champion-output", str(first),
                                          "--champion-version", "v1", "--seed", "3"]) == 0
    c = json.loads((second / "metrics.json").read_text())["evaluation"]["comparison"]
    assert c["n"] == 12 and c["promotedVersion"] == "v1"
    auc = c["metrics"]["roc_auc"]
    assert auc["test"] == "DeLong" and 0 <= auc["pValueGreater"] <= 1
    assert auc["difference"] == auc["new"] - auc["promoted"]
    assert auc["promoted"] == block["metrics"]["roc_auc"]  # the first model's own figure, on the same images
    assert c["metrics"]["sensitivity"]["test"] == "paired bootstrap"
    assert "Paired comparison with the promoted model" in (second / "report.html").read_text()
    assert "DeLong" in (second / "report.html").read_text()


def test_an_evaluation_manifest_that_overlaps_the_training_data_fails_naming_the_overlap(tmp_path):
    train = write_split(tmp_path, "train", 24)
    lines = [json.loads(line) for line in open(train)]
    # One train image under another name and patient: the same content.
    copy = tmp_path / "img" / "copy.png"
    copy.write_bytes(open(lines[3]["source-ref"], "rb").read())
    overlap = tmp_path / "overlap.jsonl"
    overlap.write_text("\n".join(json.dumps(x) for x in [
        lines[0], dict(lines[1], **{"source-ref": str(copy)})]) + "\n")
    out = tmp_path / "out"
    assert main(args(tmp_path, out, train=train) + ["--eval-manifest", str(overlap)]) == 2
    error = json.loads((out / "error.json").read_text())["error"]
    assert "overlaps the training data: 1 train image(s)" in error and lines[0]["source-ref"] in error
    assert "1 train image(s) with the content of an evaluation image" in error and str(copy) in error
