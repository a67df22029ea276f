"""Item response functions on the logistic metric (no scaling constant D).

One representation serves every model: the generalized partial credit model (GPCM),
P(X = k | θ) ∝ exp(Σ_{v≤k} a (θ − b_v)), k = 0..K. With one step (K = 1) it is the 2PL; with
a = 1 for every item it is the (partial credit) Rasch model.

Shapes: θ is (Q,); `a` is (n_items,); `b` is (n_items, K_max) with NaN padding for items that
have fewer steps. Results are (n_items, Q) or (n_items, Q, K_max + 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ItemParameters:
    """Parameters of a set of items. `b[i, v]` is step v+1 of item i (NaN past its last step)."""

    a: FloatArray
    b: FloatArray

    def __post_init__(self) -> None:
        if self.a.ndim != 1 or self.b.ndim != 2 or self.b.shape[0] != self.a.shape[0]:
            raise ValueError("a must be (n,) and b (n, K)")

    @classmethod
    def dichotomous(cls, a: ArrayLike1D, b: ArrayLike1D) -> ItemParameters:
        a_arr = np.asarray(a, dtype=float)
        return cls(a_arr, np.asarray(b, dtype=float).reshape(-1, 1))

    @property
    def n_items(self) -> int:
        return int(self.a.shape[0])

    @property
    def n_steps(self) -> NDArray[np.int64]:
        """K_i, the highest score of each item (1 for dichotomous items)."""
        steps: NDArray[np.int64] = np.sum(~np.isnan(self.b), axis=1).astype(np.int64)
        return steps

    def subset(self, index: NDArray[np.int64] | list[int]) -> ItemParameters:
        idx = np.asarray(index, dtype=np.int64)
        return ItemParameters(self.a[idx], self.b[idx])


ArrayLike1D = FloatArray | list[float] | tuple[float, ...]


def category_probabilities(theta: FloatArray, params: ItemParameters) -> FloatArray:
    """P(X_i = k | θ_q) as (n_items, Q, K_max + 1); categories past an item's K_i are 0."""
    theta = np.atleast_1d(np.asarray(theta, dtype=float))
    steps = np.nan_to_num(params.b, nan=0.0)
    valid = ~np.isnan(params.b)  # (n, K)
    # z[i, q, k] = Σ_{v<=k} a_i (θ_q − b_iv), with z[..., 0] = 0
    inc = params.a[:, None, None] * (theta[None, :, None] - steps[:, None, :])
    inc = np.where(valid[:, None, :], inc, 0.0)
    z = np.concatenate([np.zeros((*inc.shape[:2], 1)), np.cumsum(inc, axis=2)], axis=2)
    allowed = np.concatenate([np.ones((params.n_items, 1), bool), valid], axis=1)[:, None, :]
    z = np.where(allowed, z, -np.inf)
    z -= z.max(axis=2, keepdims=True)
    ez = np.exp(z)
    out: FloatArray = ez / ez.sum(axis=2, keepdims=True)
    return out


def prob_correct(theta: FloatArray, a: FloatArray, b: FloatArray) -> FloatArray:
    """2PL probability of a correct answer, (n_items, Q), computed stably."""
    z = np.asarray(a, float)[:, None] * (
        np.atleast_1d(theta)[None, :] - np.asarray(b, float)[:, None]
    )
    out: FloatArray = 0.5 * (1.0 + np.tanh(0.5 * z))
    return out


def expected_score(theta: FloatArray, params: ItemParameters) -> FloatArray:
    """E[X_i | θ_q] in raw score units 0..K_i, (n_items, Q)."""
    probs = category_probabilities(theta, params)
    k = np.arange(probs.shape[2], dtype=float)
    out: FloatArray = probs @ k
    return out


def item_information(theta: FloatArray, params: ItemParameters) -> FloatArray:
    """Fisher information a_i² Var(X_i | θ_q), (n_items, Q). For the 2PL this is a²P(1−P)."""
    probs = category_probabilities(theta, params)
    k = np.arange(probs.shape[2], dtype=float)
    mean = probs @ k
    var = probs @ (k**2) - mean**2
    out: FloatArray = params.a[:, None] ** 2 * np.maximum(var, 0.0)
    return out


def information_2pl(theta: FloatArray, a: FloatArray, b: FloatArray) -> FloatArray:
    """Fast path of `item_information` for dichotomous items, (n_items, Q)."""
    p = prob_correct(theta, a, b)
    out: FloatArray = np.asarray(a, float)[:, None] ** 2 * p * (1.0 - p)
    return out
