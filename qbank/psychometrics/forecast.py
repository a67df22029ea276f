"""Pass probability: the distribution of a learner's total score on a paper.

Item i is worth points_i; its category k (of 0..K_i) earns k·points_i/K_i. Given θ the item
scores are independent, so the total-score distribution at each grid node θ_q is the
convolution of the item score distributions, computed exactly on a fine points grid (no normal
approximation: a 60/100 cut sits in the tail where that approximation is poorest). Integrating
over the learner's posterior gives

    P(pass) = Σ_q w_q P(S ≥ cut | θ_q)

The reported interval is [P(S ≥ cut | θ₁₀), P(S ≥ cut | θ₉₀)] with θ₁₀, θ₉₀ the 10th and 90th
posterior percentiles: the pass chance if the learner's ability were at the low or high end of
what the answers so far support. It narrows as evidence accumulates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .ability import Posterior
from .irt import FloatArray, ItemParameters, category_probabilities

RESOLUTIONS = (1.0, 0.5, 0.25, 0.2, 0.1, 0.05, 0.02, 0.01)
EPS = 1e-9


@dataclass(frozen=True)
class GroupLoss:
    """Expected points lost on a group of items (e.g. a syllabus part)."""

    label: str
    points: float
    expected_lost: float


@dataclass(frozen=True)
class PassForecast:
    """p_pass with its interval, expected score and the score distribution (grid, pmf)."""

    p_pass: float
    p_pass_low: float
    p_pass_high: float
    theta_low: float
    theta_high: float
    expected_score: float
    cut: float
    score_grid: FloatArray
    score_pmf: FloatArray
    losses: tuple[GroupLoss, ...]


def points_resolution(values: FloatArray) -> float:
    """The coarsest step of RESOLUTIONS on which every category value lies."""
    for step in RESOLUTIONS:
        ratio = values / step
        if np.all(np.abs(ratio - np.round(ratio)) < 1e-6):
            return step
    raise ValueError("category values need a resolution of at least 0.01 points")


def score_distribution(
    params: ItemParameters, points: FloatArray, nodes: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(grid (M,), pmf (Q, M)): P(total = grid_m | θ_q) by exact convolution."""
    steps = params.n_steps
    k = np.arange(int(steps.max()) + 1)
    values = np.where(k[None, :] <= steps[:, None], k[None, :] * (points / steps)[:, None], 0.0)
    res = points_resolution(values.ravel())
    offsets = np.round(values / res).astype(np.int64)  # (n, K+1) bins each category adds
    probs = category_probabilities(nodes, params)  # (n, Q, K+1)
    size = int(offsets.max(axis=1).sum()) + 1
    dist = np.zeros((nodes.shape[0], size))
    dist[:, 0] = 1.0
    reach = 0
    for i in range(params.n_items):
        new = np.zeros_like(dist)
        for c in range(int(steps[i]) + 1):
            off = offsets[i, c]
            new[:, off : off + reach + 1] += probs[i, :, c, None] * dist[:, : reach + 1]
        reach += int(offsets[i].max())
        dist = new
    grid: FloatArray = np.arange(size, dtype=np.float64) * res
    return grid, dist


def forecast_pass(
    params: ItemParameters,
    points: ArrayLike,
    posterior: Posterior,
    *,
    cut: float = 60.0,
    groups: ArrayLike | None = None,
    interval: tuple[float, float] = (0.1, 0.9),
) -> PassForecast:
    """Forecast a learner's result on a paper.

    params : the paper's items; points : (n,) points per item
    posterior : the learner's ability posterior (e.g. `LearnerAbility.posterior`)
    groups : (n,) labels (syllabus parts) for the expected points lost per group
    """
    pts = np.asarray(points, dtype=float)
    nodes, w = posterior.nodes, posterior.weights
    grid, pmf = score_distribution(params, pts, nodes)
    p_node = pmf[:, grid >= cut - EPS].sum(axis=1)  # P(pass | θ_q), increasing in θ
    mixed = w @ pmf
    theta_lo, theta_hi = (posterior.quantile(q) for q in interval)
    exp_item = _expected_points(params, pts, nodes)  # (n, Q)
    losses: tuple[GroupLoss, ...] = ()
    if groups is not None:
        labels = np.asarray(groups).astype(str)
        lost = pts[:, None] - exp_item
        losses = tuple(
            GroupLoss(g, float(pts[labels == g].sum()), float(lost[labels == g].sum(0) @ w))
            for g in dict.fromkeys(labels.tolist())
        )
    return PassForecast(
        p_pass=float(w @ p_node),
        p_pass_low=float(np.interp(theta_lo, nodes, p_node)),
        p_pass_high=float(np.interp(theta_hi, nodes, p_node)),
        theta_low=theta_lo,
        theta_high=theta_hi,
        expected_score=float(mixed @ grid),
        cut=cut,
        score_grid=grid,
        score_pmf=mixed,
        losses=losses,
    )


def _expected_points(params: ItemParameters, points: FloatArray, nodes: FloatArray) -> FloatArray:
    probs = category_probabilities(nodes, params)
    k = np.arange(probs.shape[2], dtype=float)
    out: FloatArray = (probs @ k) * (points / params.n_steps)[:, None]
    return out
