#!/usr/bin/python3
"""Reads a split's manifests the way their consumers do.

- Each <split>.csv with pandas, as Keras' ImageDataGenerator.flow_from_dataframe receives it:
  pandas.read_csv(...), x_col="filename", y_col="class" (string labels, as class_mode
  "categorical"/"binary" require).
- Each <split>.jsonl as a SageMaker augmented manifest: one JSON object per line with "source-ref"
  (an s3:// URI) and "class" (the class index as a string).

Usage: check_manifests.py DIR [CLASS ...]. Prints a JSON report; exits 1 on the first problem.
"""
import json
import pathlib
import sys

import pandas as pd


def fail(message):
    print(json.dumps({"ok": False, "problem": message}))
    sys.exit(1)


def main(directory, classes):
    directory = pathlib.Path(directory)
    report = {"ok": True, "splits": {}}
    for split in ("train", "val", "test"):
        df = pd.read_csv(directory / f"{split}.csv")
        for column in ("filename", "class", "class_index", "subtype", "patient", "copy", "source_ref"):
            if column not in df.columns:
                fail(f"{split}.csv has no column {column}")
        if df["filename"].isna().any() or not all(isinstance(v, str) for v in df["filename"]):
            fail(f"{split}.csv: filename must be a string on every row")
        if df["class"].isna().any() or not all(isinstance(v, str) for v in df["class"]):
            fail(f"{split}.csv: class must be a string on every row (flow_from_dataframe y_col)")
        if classes and not set(df["class"]).issubset(classes):
            fail(f"{split}.csv: unknown classes {sorted(set(df['class']) - set(classes))}")
        if classes and any(classes[i] != c for i, c in zip(df["class_index"], df["class"])):
            fail(f"{split}.csv: class_index does not match the class order")

        lines = (directory / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
        names = []
        for number, line in enumerate(lines, 1):
            row = json.loads(line)
            if not isinstance(row, dict) or not str(row.get("source-ref", "")).startswith("s3://"):
                fail(f"{split}.jsonl line {number}: no s3:// source-ref")
            if not isinstance(row.get("class"), str) or not row["class"].isdigit():
                fail(f"{split}.jsonl line {number}: class must be the class index as a string")
            names.append(row["class-name"])
        if len(lines) != len(df):
            fail(f"{split}: {len(lines)} JSON lines but {len(df)} CSV rows")
        if list(df["source_ref"]) != [json.loads(l)["source-ref"] for l in lines]:
            fail(f"{split}: the CSV and the JSON Lines list different images")
        report["splits"][split] = {"rows": len(df), "classes": df["class"].value_counts().sort_index().to_dict()}
    print(json.dumps(report, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
