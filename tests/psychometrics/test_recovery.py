"""Seeded parameter recovery. Tolerances are about 2× the RMSE seen with these seeds, well
inside what the sample sizes allow (SE(b) ≈ 0.05–0.08, SE(a) ≈ 0.05–0.1)."""

from __future__ import annotations

import numpy as np
import pytest

from qbank.psychometrics.calibration import Anchors, IRTCalibrator, calibrate
from qbank.psychometrics.irt import ItemParameters
from qbank.psychometrics.simulate import (
    block_design,
    simulate_abilities,
    simulate_items,
    simulate_responses,
)


def rmse(u: np.ndarray, v: np.ndarray) -> float:
    ok = ~np.isnan(u) & ~np.isnan(v)
    return float(np.sqrt(np.mean((u[ok] - v[ok]) ** 2)))


def test_rasch_recovery() -> None:
    rng = np.random.default_rng(11)
    items = simulate_items(30, rng, rasch=True)
    theta = simulate_abilities(3000, rng, sd=1.3)
    x = simulate_responses(theta, items, rng)
    cal = calibrate(x, "rasch")
    assert rmse(cal.params.b, items.b) < 0.07
    assert cal.population_sd == pytest.approx(1.3, abs=0.06)
    np.testing.assert_array_equal(cal.params.a, 1.0)
    assert cal.convergence.converged


def test_2pl_recovery_complete() -> None:
    rng = np.random.default_rng(12)
    items = simulate_items(30, rng)
    x = simulate_responses(simulate_abilities(3000, rng), items, rng)
    cal = calibrate(x, "2pl")
    assert rmse(cal.params.a, items.a) < 0.08
    assert rmse(cal.params.b, items.b) < 0.08
    # standard errors are honest: about 95 % of true values inside ±2 SE
    z = (cal.params.b[:, 0] - items.b[:, 0]) / cal.se_b[:, 0]
    assert np.mean(np.abs(z) < 2) > 0.85


def test_2pl_recovery_with_70_percent_missing() -> None:
    rng = np.random.default_rng(13)
    items = simulate_items(40, rng)
    x = simulate_responses(simulate_abilities(8000, rng), items, rng, missing=0.7)
    cal = calibrate(x, "2pl")
    assert np.isnan(x).mean() == pytest.approx(0.7, abs=0.01)
    assert rmse(cal.params.a, items.a) < 0.09
    assert rmse(cal.params.b, items.b) < 0.08


def test_gpcm_mixed_with_dichotomous_and_missing() -> None:
    rng = np.random.default_rng(14)
    steps = np.array([1] * 12 + [2] * 6 + [5] * 4)
    items = simulate_items(steps.size, rng, n_steps=steps)
    x = simulate_responses(simulate_abilities(6000, rng), items, rng, missing=0.7)
    cal = calibrate(x, "gpcm")
    np.testing.assert_array_equal(cal.params.n_steps, steps)
    assert rmse(cal.params.a, items.a) < 0.15  # ≈ 1,800 responses per item
    assert rmse(cal.params.b, items.b) < 0.15
    z = (cal.params.a - items.a) / cal.se_a
    assert np.mean(np.abs(z) < 2) > 0.85


def test_missing_by_design_recovers() -> None:
    rng = np.random.default_rng(15)
    items = simulate_items(40, rng)
    design = block_design(4000, 40, n_forms=3, n_common=10, rng=rng)
    x = simulate_responses(simulate_abilities(4000, rng), items, rng, design=design)
    cal = calibrate(x, "2pl")
    assert rmse(cal.params.b, items.b) < 0.1


def test_linking_with_fixed_anchors_recovers_the_scale() -> None:
    rng = np.random.default_rng(16)
    bank = simulate_items(30, rng)
    anchors = np.arange(10)
    # a new cohort, abler and more spread than the calibration population
    theta = simulate_abilities(5000, rng, mean=0.5, sd=1.2)
    x = simulate_responses(theta, bank, rng)
    est = IRTCalibrator("2pl").fit(x, anchors=Anchors(anchors, bank.subset(anchors)))
    new = np.arange(10, 30)
    np.testing.assert_array_equal(est.params_.a[anchors], bank.a[anchors])
    assert est.population_mean_ == pytest.approx(0.5, abs=0.06)
    assert est.population_sd_ == pytest.approx(1.2, abs=0.06)
    assert rmse(est.params_.b[new], bank.b[new]) < 0.08
    assert rmse(est.params_.a[new], bank.a[new]) < 0.1
    # without anchors the same data land on the cohort's own N(0, 1) scale: shifted by ≈ −0.5/1.2
    free = calibrate(x, "2pl")
    assert np.mean(free.params.b[new, 0] - bank.b[new, 0]) < -0.3
    assert np.isnan(est.se_a_[anchors]).all()


def test_priors_keep_small_samples_finite() -> None:
    rng = np.random.default_rng(17)
    items = ItemParameters.dichotomous([1.0, 1.0, 1.0], [-4.0, 0.0, 4.0])
    x = simulate_responses(simulate_abilities(40, rng), items, rng)
    x[:, 0] = 1.0  # everyone right
    cal = calibrate(x, "2pl")
    assert np.all(np.isfinite(cal.params.b)) and np.all(np.abs(cal.params.b) < 12)
    assert np.all(cal.params.a > 0)


def test_sklearn_conventions() -> None:
    rng = np.random.default_rng(18)
    items = simulate_items(8, rng)
    x = simulate_responses(simulate_abilities(300, rng), items, rng)
    est = IRTCalibrator("2pl", compute_se=False)
    assert est.fit(x) is est
    assert est.n_iter_ == est.result_.convergence.n_iter
    assert est.loglik_trace_.shape == (est.n_iter_,)
    assert np.isnan(est.se_a_).all()
    with pytest.raises(ValueError, match="non-negative integers"):
        est.fit(np.array([[0.5, 1.0]]))
    with pytest.raises(ValueError, match="unknown model"):
        IRTCalibrator("3pl").fit(x)  # type: ignore[arg-type]
