"""Analytic identities of the response functions and of scoring."""

from __future__ import annotations

import numpy as np

from qbank.psychometrics.ability import LearnerAbility, eap_scores, posterior
from qbank.psychometrics.irt import (
    ItemParameters,
    category_probabilities,
    information_2pl,
    item_information,
    prob_correct,
)


def test_probability_is_one_half_at_the_difficulty() -> None:
    a = np.array([0.5, 1.0, 2.5])
    b = np.array([-1.0, 0.3, 2.0])
    p = np.array(
        [prob_correct(np.array([b[i]]), a[i : i + 1], b[i : i + 1])[0, 0] for i in range(3)]
    )
    np.testing.assert_allclose(p, 0.5, atol=1e-12)


def test_information_peaks_at_the_difficulty() -> None:
    theta = np.linspace(-4, 4, 8001)
    a, b = np.array([0.7, 1.8]), np.array([-0.6, 1.2])
    info = information_2pl(theta, a, b)
    np.testing.assert_allclose(theta[info.argmax(axis=1)], b, atol=1e-3)
    np.testing.assert_allclose(info.max(axis=1), a**2 / 4, rtol=1e-6)


def test_gpcm_with_one_step_is_the_2pl() -> None:
    theta = np.linspace(-3, 3, 13)
    params = ItemParameters.dichotomous([0.8, 1.6], [0.2, -1.1])
    probs = category_probabilities(theta, params)
    np.testing.assert_allclose(probs[:, :, 1], prob_correct(theta, params.a, params.b[:, 0]))
    np.testing.assert_allclose(
        item_information(theta, params), information_2pl(theta, params.a, params.b[:, 0])
    )


def test_eap_of_an_empty_response_vector_is_the_prior() -> None:
    params = ItemParameters.dichotomous([1.0, 1.2], [0.0, 0.5])
    est = eap_scores(np.full((3, 2), np.nan), params)
    np.testing.assert_allclose(est.theta, 0.0, atol=1e-9)
    np.testing.assert_allclose(est.sd, 1.0, atol=1e-6)
    assert (
        posterior([np.nan, np.nan], params).mean == 0.0
        or abs(posterior([np.nan, np.nan], params).mean) < 1e-9
    )


def test_online_updates_equal_batch_scoring() -> None:
    rng = np.random.default_rng(5)
    params = ItemParameters(rng.uniform(0.5, 2, 20), np.sort(rng.normal(size=(20, 2)), axis=1))
    scores = rng.integers(0, 3, 20).astype(float)
    state = LearnerAbility.start()
    for i in range(20):
        state = state.update(params.subset([i]), scores[i : i + 1])
    batch = eap_scores(scores[None, :], params)
    assert abs(state.theta - batch.theta[0]) < 1e-9
    assert abs(state.sd - batch.sd[0]) < 1e-9
    in_one_go = LearnerAbility.start().update(params, scores)
    assert abs(in_one_go.theta - state.theta) < 1e-9
