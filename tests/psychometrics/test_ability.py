"""Abilities: EAP on many persons, sections borrowing strength, online updates."""

from __future__ import annotations

import time

import numpy as np

from qbank.psychometrics.ability import LearnerAbility, eap_scores, posterior
from qbank.psychometrics.sections import section_abilities
from qbank.psychometrics.simulate import simulate_abilities, simulate_items, simulate_responses


def test_eap_tracks_true_ability() -> None:
    rng = np.random.default_rng(21)
    items = simulate_items(40, rng)
    theta = simulate_abilities(2000, rng)
    est = eap_scores(simulate_responses(theta, items, rng), items)
    assert np.corrcoef(est.theta, theta)[0, 1] > 0.93
    # posterior sd is the right size: standardised errors have sd ≈ 1
    assert 0.85 < np.std((est.theta - theta) / est.sd) < 1.15


def test_posterior_of_one_person_matches_batch() -> None:
    rng = np.random.default_rng(22)
    items = simulate_items(10, rng)
    x = simulate_responses(simulate_abilities(3, rng), items, rng, missing=0.3)
    batch = eap_scores(x, items)
    post = posterior(x[1], items)
    assert abs(post.mean - batch.theta[1]) < 1e-9
    assert abs(post.weights.sum() - 1) < 1e-12
    assert post.quantile(0.1) < post.mean < post.quantile(0.9)


def test_update_after_a_20_question_drill_is_fast() -> None:
    rng = np.random.default_rng(23)
    items = simulate_items(20, rng)
    scores = simulate_responses(np.array([0.4]), items, rng)[0]
    state = LearnerAbility.start()
    state.update(items, scores)  # warm-up
    start = time.perf_counter()
    for _ in range(50):
        state.update(items, scores)
    assert (time.perf_counter() - start) / 50 < 0.005  # generous: ~0.05 ms unloaded


def test_section_estimates_borrow_strength_with_honest_intervals() -> None:
    rng = np.random.default_rng(24)
    items = simulate_items(43, rng)
    sections = np.array(["A"] * 40 + ["B"] * 3)
    theta = simulate_abilities(500, rng)
    x = simulate_responses(theta, items, rng)
    x[:, 41:] = np.where(np.arange(500)[:, None] < 100, np.nan, x[:, 41:])  # some saw only 1 of B
    res = section_abilities(x, items, sections, tau=0.5)
    a_col, b_col = res.labels.index("A"), res.labels.index("B")
    width_a = res.upper[:, a_col] - res.lower[:, a_col]
    width_b = res.upper[:, b_col] - res.lower[:, b_col]
    assert np.all(width_b > width_a)  # 3 questions cannot be as precise as 40
    # B's estimate is pulled towards the overall ability, not towards the population mean
    assert np.corrcoef(res.theta[:, b_col], res.overall.theta)[0, 1] > 0.9
    # fewer answers in B -> wider interval
    assert width_b[:100].mean() > width_b[100:].mean()
    assert np.all(res.n_answered[:100, b_col] == 1)


def test_unseen_section_gets_overall_estimate_with_wider_interval() -> None:
    rng = np.random.default_rng(25)
    items = simulate_items(30, rng)
    sections = np.array(["A"] * 20 + ["B"] * 10)
    x = simulate_responses(simulate_abilities(50, rng), items, rng)
    x[:, 20:] = np.nan
    res = section_abilities(x, items, sections, tau=0.5)
    b_col = res.labels.index("B")
    np.testing.assert_allclose(res.theta[:, b_col], res.overall.theta, atol=1e-3)
    np.testing.assert_allclose(res.sd[:, b_col], np.sqrt(res.overall.sd**2 + 0.25), atol=2e-3)
