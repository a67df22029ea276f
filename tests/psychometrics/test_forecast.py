"""Pass forecast: exact convolution against simulation and simple closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from qbank.psychometrics.ability import LearnerAbility, Posterior
from qbank.psychometrics.forecast import forecast_pass, points_resolution, score_distribution
from qbank.psychometrics.irt import ItemParameters, category_probabilities
from qbank.psychometrics.simulate import simulate_items, simulate_responses


def paper(rng: np.random.Generator) -> tuple[ItemParameters, np.ndarray]:
    steps = np.array([1] * 40 + [2] * 20 + [5] * 4)  # 40 single, 20 multiple (0/1/2), 4 short
    points = np.array([1.0] * 40 + [2.0] * 20 + [5.0] * 4)  # 100 points
    return simulate_items(steps.size, rng, n_steps=steps), points


def test_score_distribution_matches_simulation() -> None:
    rng = np.random.default_rng(31)
    items, points = paper(rng)
    grid, pmf = score_distribution(items, points, np.array([0.3]))
    assert pmf.sum() == pytest.approx(1.0)
    x = simulate_responses(np.full(20000, 0.3), items, rng)
    totals = (x * (points / items.n_steps)).sum(axis=1)
    assert (pmf[0] @ grid) == pytest.approx(totals.mean(), abs=0.1)
    assert (pmf[0][grid >= 60].sum()) == pytest.approx(np.mean(totals >= 60), abs=0.01)


def test_half_points_get_a_half_point_grid() -> None:
    assert points_resolution(np.array([0.0, 0.5, 1.0, 2.5])) == 0.5
    params = ItemParameters.dichotomous([1.0], [0.0])
    grid, pmf = score_distribution(params, np.array([1.5]), np.array([0.0]))
    np.testing.assert_allclose(grid, [0.0, 0.5, 1.0, 1.5])
    np.testing.assert_allclose(pmf[0], [0.5, 0, 0, 0.5])


def test_forecast_integrates_over_the_posterior_and_reports_losses() -> None:
    rng = np.random.default_rng(32)
    items, points = paper(rng)
    learner = LearnerAbility.start(mean=0.5, sd=0.4)
    groups = np.array(["part1"] * 32 + ["part2"] * 32)
    fc = forecast_pass(items, points, learner.posterior, cut=60, groups=groups)
    assert 0 <= fc.p_pass_low <= fc.p_pass <= fc.p_pass_high <= 1
    assert fc.theta_low < 0.5 < fc.theta_high
    assert fc.score_pmf.sum() == pytest.approx(1.0)
    lost = sum(g.expected_lost for g in fc.losses)
    assert lost == pytest.approx(100 - fc.expected_score, abs=1e-6)
    assert [g.label for g in fc.losses] == ["part1", "part2"]
    # a point-mass posterior: the forecast is P(S ≥ cut | θ) and the interval collapses
    point = Posterior(np.array([0.5]), np.array([1.0]))
    fc1 = forecast_pass(items, points, point, cut=60)
    assert fc1.p_pass_low == pytest.approx(fc1.p_pass) == pytest.approx(fc1.p_pass_high)


def test_certain_learner_passes_and_fails_at_the_cut() -> None:
    params = ItemParameters.dichotomous([1.0] * 4, [0.0] * 4)
    probs = category_probabilities(np.array([0.0]), params)
    assert probs[0, 0, 1] == pytest.approx(0.5)
    post = Posterior(np.array([0.0]), np.array([1.0]))
    fc = forecast_pass(params, np.full(4, 25.0), post, cut=60)
    # pass needs 3 or 4 of 4 fair coins: 5/16
    assert fc.p_pass == pytest.approx(5 / 16)
    assert fc.expected_score == pytest.approx(50.0)
