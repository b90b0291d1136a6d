"""JSON Lines split manifests: one {"source-ref", "class", "class-name", ...} object per line."""

import json
from dataclasses import dataclass
from typing import Dict, List, Optional


class ManifestError(ValueError):
    """A manifest is missing, malformed or inconsistent (exit status 2)."""


@dataclass(frozen=True)
class Entry:
    """One manifest line: an image reference and its class index."""

    source_ref: str
    label: int
    class_name: Optional[str] = None
    subtype: Optional[str] = None
    patient: Optional[str] = None
    copy: int = 0


def parse(text, uri="manifest"):
    """Parses a manifest's text. Blank lines are skipped; every other line must be a valid entry."""
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{uri} line {number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise ManifestError(f"{where}: not valid JSON ({e.msg})")
        if not isinstance(obj, dict):
            raise ManifestError(f"{where}: expected a JSON object")
        ref = obj.get("source-ref")
        if not isinstance(ref, str) or not ref:
            raise ManifestError(f"{where}: missing source-ref")
        raw_class = obj.get("class")
        try:
            label = int(raw_class)
            if isinstance(raw_class, float) or label < 0:
                raise ValueError
        except (TypeError, ValueError):
            raise ManifestError(f"{where}: class must be a non-negative class index, got {raw_class!r}")
        copy = obj.get("copy", 0)
        entries.append(Entry(source_ref=ref, label=label, class_name=obj.get("class-name"),
                             subtype=obj.get("subtype"), patient=obj.get("patient"),
                             copy=int(copy) if isinstance(copy, (int, str)) and str(copy).isdigit() else 0))
    return entries


def read(storage, uri, name):
    """Reads and parses a manifest through storage (S3 or a path); it must have entries."""
    from .storage import StorageError

    try:
        text = storage.read_bytes(uri).decode("utf-8")
    except StorageError as e:
        raise ManifestError(f"{name} manifest: {e}")
    except UnicodeDecodeError:
        raise ManifestError(f"{name} manifest {uri} is not UTF-8 text")
    entries = parse(text, uri)
    if not entries:
        raise ManifestError(f"{name} manifest {uri} has no entries")
    return entries


def class_names(manifests: Dict[str, List[Entry]], override=None):
    """The class names in class-index order: the override, else the manifests' class-name fields."""
    labels = sorted({e.label for entries in manifests.values() for e in entries})
    if override:
        if labels and labels[-1] >= len(override):
            raise ManifestError(f"class index {labels[-1]} has no name in the class names {override}")
        names = list(override)
    else:
        n = labels[-1] + 1 if labels else 0
        names = [None] * n
        for split, entries in manifests.items():
            for e in entries:
                name = e.class_name if e.class_name else str(e.label)
                if names[e.label] is None:
                    names[e.label] = name
                elif names[e.label] != name:
                    raise ManifestError(
                        f"{split} manifest: class {e.label} is named both {names[e.label]!r} and {name!r}")
        missing = [i for i, name in enumerate(names) if name is None]
        if missing:
            raise ManifestError(f"no image of class index {missing} in any manifest; pass --class-names")
    if len(names) < 2:
        raise ManifestError(f"need at least two classes, the manifests have {names}")
    return names


def class_counts(entries, n):
    """Lines per class (over-sampled copies count: they are what the loss sees)."""
    counts = [0] * n
    for e in entries:
        counts[e.label] += 1
    return counts


def balanced_weights(counts):
    """scikit-learn's 'balanced' class weights: n_samples / (n_classes * count)."""
    total, n = sum(counts), len(counts)
    empty = [i for i, c in enumerate(counts) if c == 0]
    if empty:
        raise ManifestError(f"the train manifest has no image of class index {empty}: cannot weight it")
    return [total / (n * c) for c in counts]
