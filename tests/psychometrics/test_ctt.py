"""Classical item analysis."""

from __future__ import annotations

import numpy as np
import pytest

from qbank.psychometrics.ctt import ability_groups, analyse_form, option_analysis
from qbank.psychometrics.simulate import simulate_abilities, simulate_items, simulate_responses


def kr20(x: np.ndarray) -> float:
    k = x.shape[1]
    p = x.mean(axis=0)
    return k / (k - 1) * (1 - np.sum(p * (1 - p)) / x.sum(axis=1).var())


def test_alpha_equals_kr20_for_complete_binary_data() -> None:
    rng = np.random.default_rng(41)
    items = simulate_items(20, rng)
    x = simulate_responses(simulate_abilities(800, rng), items, rng)
    res = analyse_form(x)
    assert res.alpha == pytest.approx(kr20(x), abs=1e-9)
    assert res.sem == pytest.approx(res.sd_score * np.sqrt(1 - res.alpha))
    np.testing.assert_allclose(res.items.facility, x.mean(axis=0))
    assert res.score_counts.sum() == 800


def test_corrected_point_biserial_and_discrimination() -> None:
    x = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0], [1, 1, 1], [0, 1, 0]], dtype=float)
    res = analyse_form(x)
    rest = x[:, 1:].sum(axis=1)
    assert res.items.point_biserial[0] == pytest.approx(np.corrcoef(x[:, 0], rest)[0, 1])
    assert np.all(res.items.discrimination >= 0)
    assert np.all((res.items.efficiency <= 1 + 1e-9) | np.isnan(res.items.efficiency))


def test_missing_responses_are_prorated_not_zero() -> None:
    x = np.array([[1, 1, np.nan], [1, 1, 1], [0, 0, 0], [0, np.nan, 0]], dtype=float)
    res = analyse_form(x)
    assert res.items.n_responses.tolist() == [4, 3, 3]
    assert res.items.facility[2] == pytest.approx(1 / 3)
    assert np.isfinite(res.alpha)


def test_polytomous_facility_uses_max_score() -> None:
    x = np.array([[2, 1], [1, 0], [0, 1], [2, 1]], dtype=float)
    res = analyse_form(x, max_scores=[2, 1])
    assert res.items.facility[0] == pytest.approx(5 / 8)


def test_option_rates_by_group() -> None:
    totals = np.arange(10, dtype=float)
    groups = ability_groups(totals)
    assert groups.tolist() == [0, 0, 0, 1, 1, 1, 1, 2, 2, 2]
    choices = np.array(
        [["B"], ["B"], ["C"], ["A"], ["A"], ["A"], ["A"], ["C"], ["C"], ["A"]], dtype=object
    )
    (opt,) = option_analysis(choices, ["A"], groups)
    assert opt.rates[0].tolist() == pytest.approx([0, 2 / 3, 1 / 3, 0])
    assert opt.rates[2].tolist() == pytest.approx([1 / 3, 0, 2 / 3, 0])
    multi = np.array([["AC"], [None], ["A"]], dtype=object)
    (m,) = option_analysis(multi, ["AC"], np.array([0, 0, 2]))
    assert m.rates[0].tolist() == pytest.approx([1, 0, 1, 0])
    assert m.group_sizes == (1, 0, 1)
