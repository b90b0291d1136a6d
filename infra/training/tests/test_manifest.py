import json

import numpy as np
import pytest
from sklearn.utils.class_weight import compute_class_weight

from cxrtrain import manifest
from cxrtrain.manifest import ManifestError


def line(ref, cls, name, **extra):
    return json.dumps({"source-ref": ref, "class": cls, "class-name": name, **extra})


def test_parses_the_contract_fields_and_skips_blank_lines():
    text = "\n".join([
        line("s3://b/images/ds/NORMAL/a.jpeg", "0", "NORMAL", subtype=None, patient=None, copy=0),
        "",
        line("s3://b/images/ds/PNEUMONIA/person1_bacteria_1.jpeg", "1", "PNEUMONIA", subtype="bacteria",
             patient="person1", copy=2),
    ]) + "\n"
    entries = manifest.parse(text, "s3://b/m/train.jsonl")
    assert [e.label for e in entries] == [0, 1]
    assert entries[1].subtype == "bacteria" and entries[1].patient == "person1" and entries[1].copy == 2
    assert entries[0].source_ref == "s3://b/images/ds/NORMAL/a.jpeg"


@pytest.mark.parametrize("bad,message", [
    ("{not json", "line 2: not valid JSON"),
    ('{"class": "1"}', "line 2: missing source-ref"),
    ('{"source-ref": "s3://b/x.png", "class": "one"}', "line 2: class must be"),
    ('{"source-ref": "s3://b/x.png", "class": -1}', "line 2: class must be"),
    ('["s3://b/x.png", 1]', "line 2: expected a JSON object"),
])
def test_bad_lines_are_named(bad, message):
    text = line("s3://b/a.png", "0", "NORMAL") + "\n" + bad + "\n"
    with pytest.raises(ManifestError, match=message):
        manifest.parse(text, "train.jsonl")


def test_class_names_come_from_the_manifests_in_index_order():
    m = {"train": manifest.parse(line("a", "1", "PNEUMONIA") + "\n" + line("b", "0", "NORMAL")),
         "test": manifest.parse(line("c", "1", "PNEUMONIA"))}
    assert manifest.class_names(m) == ["NORMAL", "PNEUMONIA"]
    assert manifest.class_names(m, ["N", "P"]) == ["N", "P"]


def test_conflicting_or_missing_class_names_fail():
    with pytest.raises(ManifestError, match="named both"):
        manifest.class_names({"train": manifest.parse(line("a", "0", "NORMAL") + "\n" + line("b", "0", "OTHER"))})
    with pytest.raises(ManifestError, match="no image of class index"):
        manifest.class_names({"train": manifest.parse(line("a", "2", "X") + "\n" + line("b", "0", "NORMAL"))})
    with pytest.raises(ManifestError, match="at least two classes"):
        manifest.class_names({"train": manifest.parse(line("a", "0", "NORMAL"))})


def test_balanced_weights_match_sklearn():
    counts = [1341, 3875]
    y = np.repeat([0, 1], counts)
    expected = compute_class_weight("balanced", classes=np.array([0, 1]), y=y)
    np.testing.assert_allclose(manifest.balanced_weights(counts), expected)
    with pytest.raises(ManifestError):
        manifest.balanced_weights([10, 0])
