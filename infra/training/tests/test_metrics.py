import numpy as np
import pytest
from sklearn import metrics as skm

from cxrtrain.evaluate import classification_metrics, roc_auc, roc_curve


def random_case(seed, n=300, ties=False):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    score = np.clip(rng.normal(0.35 + 0.3 * y, 0.25), 0, 1)
    if ties:
        score = np.round(score, 1)
    return y, np.stack([1 - score, score], axis=1)


@pytest.mark.parametrize("seed,ties", [(0, False), (1, True), (2, True)])
def test_binary_metrics_match_sklearn(seed, ties):
    y, p = random_case(seed, ties=ties)
    m = classification_metrics(y, p, threshold=0.5)
    pred = (p[:, 1] >= 0.5).astype(int)
    assert m["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    assert m["sensitivity"] == pytest.approx(skm.recall_score(y, pred, pos_label=1))
    assert m["specificity"] == pytest.approx(skm.recall_score(y, pred, pos_label=0))
    assert m["precision"] == pytest.approx(skm.precision_score(y, pred, pos_label=1))
    assert m["f1"] == pytest.approx(skm.f1_score(y, pred, pos_label=1))
    assert m["roc_auc"] == pytest.approx(skm.roc_auc_score(y, p[:, 1]))
    assert m["confusion_matrix"] == skm.confusion_matrix(y, pred).tolist()


def test_roc_curve_matches_sklearn():
    y, p = random_case(3, ties=True)
    fpr, tpr, _ = roc_curve(y == 1, p[:, 1])
    sk_fpr, sk_tpr, _ = skm.roc_curve(y, p[:, 1], drop_intermediate=False)
    np.testing.assert_allclose(fpr, sk_fpr)
    np.testing.assert_allclose(tpr, sk_tpr)


def test_positive_class_is_the_last_of_three():
    y = np.array([0, 1, 2, 2, 1, 0])
    p = np.array([[.8, .1, .1], [.2, .7, .1], [.1, .2, .7], [.5, .1, .4], [.1, .3, .6], [.3, .3, .4]])
    m = classification_metrics(y, p, threshold=0.5)
    # positive = class 2: true positives at rows 2 and 4; row 3 missed (0.4); row 4 is a false positive (0.6)
    assert (m["tp"], m["fn"], m["fp"], m["tn"]) == (1, 1, 1, 3)
    assert m["roc_auc"] == pytest.approx(skm.roc_auc_score(y == 2, p[:, 2]))
    assert len(m["confusion_matrix"]) == 3


def test_auc_is_undefined_with_one_class():
    assert roc_auc(np.array([True, True]), np.array([0.2, 0.9])) is None
    m = classification_metrics(np.array([1, 1]), np.array([[0.1, 0.9], [0.6, 0.4]]))
    assert m["roc_auc"] is None and m["specificity"] is None and m["sensitivity"] == 0.5
