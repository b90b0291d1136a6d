import numpy as np
import pytest
from sklearn import metrics as skm

from cxrtrain import calibration, evaluate


def scores(seed, n=400, shift=1.5):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n).astype(bool)
    return y, rng.normal(shift * y, 1.0)


def test_temperature_scaling_undoes_overconfidence_and_lowers_nll_and_ece():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 2000)
    true_logit = rng.normal(2.0 * (2 * y - 1), 2.0)
    # Labels drawn from the calibrated model; the served logits are 3x too confident.
    y = (rng.random(y.size) < 1 / (1 + np.exp(-true_logit))).astype(int)
    logits = np.stack([np.zeros_like(true_logit), 3.0 * true_logit], axis=1)
    t = calibration.fit_temperature(logits, y)
    assert t == pytest.approx(3.0, rel=0.1)
    assert calibration.nll(logits, y, t) < calibration.nll(logits, y)
    before = calibration.ece(calibration.softmax(logits), y)
    after = calibration.ece(calibration.softmax(logits, t), y)
    assert after < before / 2 and after < 0.03
    # The optimum: the NLL is no lower a little either side.
    assert calibration.nll(logits, y, t) <= min(calibration.nll(logits, y, t * 1.05), calibration.nll(logits, y, t / 1.05))


def test_ece_by_hand():
    p = np.array([[0.1, 0.9], [0.2, 0.8], [0.75, 0.25], [0.35, 0.65]])
    y = np.array([1, 0, 0, 1])
    # bins (0.8,0.9]: conf .9 acc 1; (0.7,0.8]: confs .8 (wrong) .75 (right) -> conf .775 acc .5; (0.6,0.7]: .65 right
    expected = 0.25 * 0.1 + 0.5 * abs(0.5 - 0.775) + 0.25 * 0.35
    assert calibration.ece(p, y, bins=10) == pytest.approx(expected)


@pytest.mark.parametrize("target", [0.8, 0.9, 0.95, 1.0])
def test_operating_point_meets_the_target_sensitivity_with_the_best_specificity(target):
    y, s = scores(1)
    s = 1 / (1 + np.exp(-s))  # probabilities, as the threshold applies to
    op = evaluate.operating_point(y, s, "sensitivity", target)
    pred = s >= op["threshold"]
    sens = pred[y].mean()
    assert sens >= target and sens == pytest.approx(op["sensitivity"])
    assert (~pred[~y]).mean() == pytest.approx(op["specificity"])
    # Any higher threshold among the scores misses the target.
    higher = np.unique(s[s > op["threshold"]])
    assert all((s[y] >= h).mean() < target for h in higher[:5])


def test_youden_maximises_j_as_sklearn_sees_it():
    y, s = scores(2)
    op = evaluate.operating_point(y, s, "youden")
    fpr, tpr, thr = skm.roc_curve(y, s, drop_intermediate=False)
    assert op["youdenJ"] == pytest.approx(np.max(tpr - fpr))
    pred = s >= op["threshold"]
    assert pred[y].mean() - pred[~y].mean() == pytest.approx(op["youdenJ"])


def test_no_operating_point_without_both_classes():
    assert evaluate.operating_point(np.array([True, True]), np.array([0.1, 0.7])) is None


def test_bootstrap_intervals_cover_the_estimate_and_shrink_with_more_data():
    y, s = scores(3, n=300)
    p = 1 / (1 + np.exp(-s))
    ci = evaluate.bootstrap_ci(y, p, 0.5, n_boot=500, seed=1)
    auc = skm.roc_auc_score(y, p)
    assert ci["roc_auc"]["low"] < auc < ci["roc_auc"]["high"]
    sens = (p[y] >= 0.5).mean()
    assert ci["sensitivity"]["low"] <= sens <= ci["sensitivity"]["high"]
    for name in ("specificity", "ppv", "npv"):
        assert 0 <= ci[name]["low"] <= ci[name]["high"] <= 1
    # The bootstrap AUCs are the exact AUCs of the resamples (ties count half).
    rows = np.random.default_rng(5).integers(0, y.size, (3, y.size))
    rounded = np.round(p, 1)
    for r, auc_r in zip(rows, evaluate._aucs_of_rows(y[rows], rounded[rows])):
        assert auc_r == pytest.approx(skm.roc_auc_score(y[r], rounded[r]))
    y4, s4 = scores(3, n=1200)
    wide = ci["roc_auc"]["high"] - ci["roc_auc"]["low"]
    ci4 = evaluate.bootstrap_ci(y4, s4, 0.5, n_boot=500, seed=1)
    assert ci4["roc_auc"]["high"] - ci4["roc_auc"]["low"] < wide * 0.7
    assert evaluate.bootstrap_ci(y, p, 0.5, n_boot=200, seed=1) == evaluate.bootstrap_ci(y, p, 0.5, n_boot=200, seed=1)


def delong_by_definition(y, a, b):
    """DeLong's variance from the O(m n) kernel, for the fast version to match."""
    def comps(s):
        pos, neg = s[y], s[~y]
        psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
        return psi.mean(axis=1), psi.mean(axis=0)
    (a10, a01), (b10, b01) = comps(a), comps(b)
    m, n = y.sum(), (~y).sum()
    var = (np.var(a10 - b10, ddof=1) / m) + (np.var(a01 - b01, ddof=1) / n)
    return a10.mean() - b10.mean(), np.sqrt(var)


def test_delong_matches_its_definition_and_detects_a_better_model():
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 300).astype(bool)
    a = np.round(rng.normal(1.6 * y, 1.0), 1)   # ties on purpose
    b = np.round(a + rng.normal(0, 1.2, y.size), 1)  # the same signal, noisier
    r = evaluate.delong(y, a, b)
    diff, se = delong_by_definition(y, a, b)
    assert r["difference"] == pytest.approx(diff) and r["standardError"] == pytest.approx(se)
    assert r["aucA"] == pytest.approx(skm.roc_auc_score(y, a)) and r["aucB"] == pytest.approx(skm.roc_auc_score(y, b))
    assert r["pValueGreater"] < 0.05 and r["ci"]["low"] > 0
    reverse = evaluate.delong(y, b, a)
    assert reverse["pValueGreater"] > 0.95 and reverse["pValue"] == pytest.approx(r["pValue"])
    same = evaluate.delong(y, a, a)
    assert same["difference"] == 0 and same["pValue"] == 1.0
