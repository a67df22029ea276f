"""Ability estimation on a grid: EAP for many persons, one person's posterior, online updates.

EAP (expected a posteriori) θ̂ = Σ_q θ_q w_q with posterior weights w_q ∝ π_q Π_i P(x_i | θ_q);
the posterior sd is the standard error reported to learners. For many persons the likelihood
over the grid is one matrix product of the response indicators with log P (`responses.py`).
Scoring uses 81 nodes over ±6 sd (spacing 0.15): finer than calibration's 41 because a single
long test can leave a posterior only ~0.15 wide, and scoring is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .irt import FloatArray, ItemParameters, category_probabilities
from .quadrature import QuadratureGrid, normal_grid
from .responses import as_response_matrix, indicator_coding, indicator_matrix

SCORING_POINTS = 81
LOG_FLOOR = 1e-300
EXACT_SIZE = 2_000_000


@dataclass(frozen=True)
class AbilityEstimates:
    """theta (N,) EAP estimates, sd (N,) posterior sds, n_answered (N,)."""

    theta: FloatArray
    sd: FloatArray
    n_answered: np.ndarray


@dataclass(frozen=True)
class Posterior:
    """A posterior over grid nodes: nodes (Q,), weights (Q,) summing to 1."""

    nodes: FloatArray
    weights: FloatArray

    @property
    def mean(self) -> float:
        return float(self.weights @ self.nodes)

    @property
    def sd(self) -> float:
        return float(np.sqrt(max(float(self.weights @ self.nodes**2) - self.mean**2, 0.0)))

    def quantile(self, q: float) -> float:
        """Inverse of the piecewise-linear posterior CDF."""
        cdf = np.cumsum(self.weights)
        return float(np.interp(q, cdf, self.nodes))


def scoring_grid(
    mean: float = 0.0, sd: float = 1.0, n_points: int = SCORING_POINTS
) -> QuadratureGrid:
    return normal_grid(n_points, mean, sd)


def log_likelihood_grid(x: FloatArray, params: ItemParameters, nodes: FloatArray) -> FloatArray:
    """log P(responses | θ_q) for every person, (N, Q). Missing responses contribute 0."""
    coding = indicator_coding(params.n_steps)
    # single precision for big batches (as in the E-step): half the memory traffic, and the
    # posterior weights change by ~1e-5 relative
    dtype = np.float64 if x.size <= EXACT_SIZE else np.float32
    y = indicator_matrix(x, coding, dtype=dtype)
    probs = category_probabilities(nodes, params)
    log_p = np.log(np.maximum(probs[coding.item, :, coding.category], LOG_FLOOR))
    out: FloatArray = np.asarray(y @ log_p.astype(dtype), dtype=np.float64)
    return out


def _normalise(log_post: FloatArray) -> FloatArray:
    w = np.exp(log_post - log_post.max(axis=-1, keepdims=True))
    out: FloatArray = w / w.sum(axis=-1, keepdims=True)
    return out


def eap_scores(
    responses: ArrayLike, params: ItemParameters, *, grid: QuadratureGrid | None = None
) -> AbilityEstimates:
    """EAP and posterior sd for every row of a (N, n_items) response matrix (NaN = not seen).

    A person with no responses gets the prior mean and sd.
    """
    x = as_response_matrix(responses)
    grid = grid or scoring_grid()
    post = _normalise(log_likelihood_grid(x, params, grid.nodes) + np.log(grid.weights))
    mean = post @ grid.nodes
    var = np.maximum(post @ grid.nodes**2 - mean**2, 0.0)
    return AbilityEstimates(mean, np.sqrt(var), (~np.isnan(x)).sum(axis=1))


def posterior(
    responses: ArrayLike, params: ItemParameters, *, grid: QuadratureGrid | None = None
) -> Posterior:
    """Posterior weights on the grid for one person's (n_items,) response vector."""
    grid = grid or scoring_grid()
    x = as_response_matrix(np.asarray(responses, dtype=float).reshape(1, -1))
    log_post = log_likelihood_grid(x, params, grid.nodes)[0] + np.log(grid.weights)
    return Posterior(grid.nodes, _normalise(log_post))


@dataclass(frozen=True)
class LearnerAbility:
    """One learner's running posterior, updated answer by answer (well under 1 ms per update).

    Keeps the unnormalised log-posterior on the grid; `update` adds log P(score | θ_q) of the
    answered items. Immutable: each update returns a new state that the caller stores.
    """

    nodes: FloatArray
    log_post: FloatArray

    @classmethod
    def start(
        cls, mean: float = 0.0, sd: float = 1.0, n_points: int = SCORING_POINTS
    ) -> LearnerAbility:
        grid = scoring_grid(mean, sd, n_points)
        return cls(grid.nodes, np.log(grid.weights))

    def update(self, params: ItemParameters, scores: ArrayLike) -> LearnerAbility:
        """Add the answers `scores` (m,) to items `params` (m items); NaN scores are skipped."""
        s = np.atleast_1d(np.asarray(scores, dtype=float))
        seen = ~np.isnan(s)
        if not seen.any():
            return self
        idx = np.flatnonzero(seen)
        a = params.a[idx]
        b = params.b[idx]
        k = np.arange(b.shape[1] + 1)
        # log P(X = s | θ_q) = z_s − logsumexp_k z_k with z_k = a (kθ − Σ_{v≤k} b_v): written
        # out rather than via category_probabilities, because per-call overhead is the cost here
        # categories first: reductions then run across whole (items × nodes) slices, which is
        # much faster than reducing a length-2 innermost axis
        cum = np.concatenate([np.zeros((1, idx.size)), np.cumsum(b.T, axis=0)], axis=0)
        z = a[None, :, None] * (k[:, None, None] * self.nodes[None, None, :] - cum[:, :, None])
        z[np.isnan(z)] = -np.inf
        top = z.max(axis=0)
        lse = top + np.log(np.exp(z - top).sum(axis=0))
        picked = z[s[idx].astype(np.int64), np.arange(idx.size)] - lse
        return LearnerAbility(self.nodes, self.log_post + picked.sum(axis=0))

    @property
    def posterior(self) -> Posterior:
        return Posterior(self.nodes, _normalise(self.log_post))

    @property
    def theta(self) -> float:
        return self.posterior.mean

    @property
    def sd(self) -> float:
        return self.posterior.sd
