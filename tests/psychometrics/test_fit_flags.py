"""Item fit and author flags."""

from __future__ import annotations

import numpy as np

from qbank.psychometrics.ability import eap_scores
from qbank.psychometrics.calibration import calibrate
from qbank.psychometrics.ctt import OptionAnalysis, analyse_form
from qbank.psychometrics.fit import empirical_icc, item_fit
from qbank.psychometrics.flags import FlagCode, flag_items
from qbank.psychometrics.irt import ItemParameters
from qbank.psychometrics.simulate import simulate_abilities, simulate_items, simulate_responses


def test_fit_is_near_one_for_model_data_and_flags_a_bad_item() -> None:
    rng = np.random.default_rng(51)
    items = simulate_items(25, rng, n_steps=np.array([1] * 20 + [3] * 5))
    theta = simulate_abilities(3000, rng)
    x = simulate_responses(theta, items, rng)
    x[:, 0] = rng.integers(0, 2, 3000)  # a miskeyed / random item
    cal = calibrate(x, "gpcm")
    est = eap_scores(x, cal.params)
    fit = item_fit(x, cal.params, est.theta)
    assert np.all(np.abs(fit.infit[1:] - 1) < 0.15)
    flags = flag_items(analysis=analyse_form(x).items, params=cal.params, fit=fit)
    codes = {f.code for f in flags if f.item == 0}
    assert FlagCode.LOW_DISCRIMINATION in codes
    assert all(f.item == 0 for f in flags if f.code == FlagCode.LOW_DISCRIMINATION)
    centers, props = empirical_icc(est.theta, x[:, 1], 1.0)
    assert centers.shape == (10,) and np.all(np.diff(centers) > 0)
    assert props[-1] > props[0]


def test_flags_carry_numbers_and_messages() -> None:
    params = ItemParameters.dichotomous([-0.5, 1.0, 1.0], [0.0, 3.5, 0.0])
    opt = OptionAnalysis(
        2,
        ("A", "B", "C", "D"),
        "A",
        np.array([[0.2, 0.1, 0.4, 0.3], [0.5, 0.1, 0.2, 0.2], [0.6, 0.3, 0.05, 0.05]]),
        (10, 10, 10),
    )
    flags = flag_items(params=params, options=[opt])
    by = {(f.item, f.code): f for f in flags}
    neg = by[(0, FlagCode.NEGATIVE_DISCRIMINATION)]
    assert neg.value == -0.5 and neg.statistic == "a" and neg.message
    assert by[(1, FlagCode.TOO_HARD)].value == 3.5
    distractor = by[(2, FlagCode.DISTRACTOR_ATTRACTS_STRONG)]
    assert (distractor.option == "B" and distractor.value == 0.3 - 0.1) or abs(
        distractor.value - 0.2
    ) < 1e-9
    assert [f.item for f in flags] == sorted(f.item for f in flags)
