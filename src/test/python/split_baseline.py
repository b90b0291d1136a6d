#!/usr/bin/python3
"""The usual scikit-learn way to split a chest X-ray index, on the records the Java benchmark wrote.

Reads a CSV of (imageId, label, subtype, patient, contentId) and makes a 0.6/0.2/0.2 train/val/test split two
ways, grouping by patient (an image without a patient is its own group), as people do with scikit-learn:

- StratifiedGroupKFold(n_splits=5): fold 0 is test, fold 1 is val, the other three folds are train;
- GroupShuffleSplit twice: 20% of the groups for test, then 25% of the rest for val;

then balances train with imbalanced-learn's RandomOverSampler. For each it reports the time, the patients and
identical contents found in two splits (leakage) and the largest deviation of a class's split share from the
ratio, in percentage points. Prints one JSON object.

Usage: split_baseline.py RECORDS.csv [SEED]
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from imblearn.over_sampling import RandomOverSampler
from sklearn.model_selection import GroupShuffleSplit, StratifiedGroupKFold

RATIOS = (0.6, 0.2, 0.2)


def shared(split, keys):
    """Number of keys (patients or contents) whose images fall in more than one split."""
    mask = keys.notna().to_numpy()
    frame = pd.DataFrame({"key": keys[mask].to_numpy(), "split": split[mask]})
    return int((frame.groupby("key")["split"].nunique() > 1).sum())


def evaluate(df, labels, split):
    deviation = 0.0
    for c in np.unique(labels):
        in_class = labels == c
        for s, ratio in enumerate(RATIOS):
            share = float(np.sum(split[in_class] == s)) / float(np.sum(in_class))
            deviation = max(deviation, abs(share - ratio) * 100)
    return {
        "patientsInSeveralSplits": shared(split, df["patient"]),
        "contentsInSeveralSplits": shared(split, df["contentId"]),
        "maxDeviationPercentagePoints": round(deviation, 4),
    }


def oversample(labels, split, seed):
    train = np.flatnonzero(split == 0)
    start = time.perf_counter()
    rows, y = RandomOverSampler(random_state=seed).fit_resample(train.reshape(-1, 1), labels[train])
    seconds = time.perf_counter() - start
    counts = {str(k): int(v) for k, v in zip(*np.unique(y, return_counts=True))}
    return seconds, counts, bool(np.all(split[rows.ravel()] == 0))


def main(path, seed):
    start = time.perf_counter()
    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    read_seconds = time.perf_counter() - start
    labels = df["label"].to_numpy()
    groups = df["patient"].fillna("I:" + df["imageId"]).to_numpy()
    x = np.zeros((len(df), 1))
    result = {"images": len(df), "readSeconds": round(read_seconds, 3)}

    start = time.perf_counter()
    folds = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=seed).split(x, labels, groups)
    test = next(folds)[1]
    val = next(folds)[1]
    split = np.zeros(len(df), dtype=np.int8)
    split[val] = 1
    split[test] = 2
    seconds = time.perf_counter() - start
    over_seconds, counts, train_only = oversample(labels, split, seed)
    result["StratifiedGroupKFold"] = dict(evaluate(df, labels, split), splitSeconds=round(seconds, 3),
                                          oversampleSeconds=round(over_seconds, 3), trainRowsPerClass=counts,
                                          oversampledFromTrainOnly=train_only)

    start = time.perf_counter()
    rest, test = next(GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=seed).split(x, labels, groups))
    train, val = next(GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=seed)
                      .split(x[rest], labels[rest], groups[rest]))
    split = np.zeros(len(df), dtype=np.int8)
    split[rest[val]] = 1
    split[test] = 2
    seconds = time.perf_counter() - start
    over_seconds, counts, train_only = oversample(labels, split, seed)
    result["GroupShuffleSplit"] = dict(evaluate(df, labels, split), splitSeconds=round(seconds, 3),
                                       oversampleSeconds=round(over_seconds, 3), trainRowsPerClass=counts,
                                       oversampledFromTrainOnly=train_only)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 42)
