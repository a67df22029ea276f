"""Validation and indicator coding of response matrices.

A response matrix is `(n_persons, n_items)` float with NaN = not administered and integer
scores 0..K_i otherwise. The estimators work on an indicator matrix `Y` with one column per
(item, category): `Y[p, c] = 1` when person p gave category `cat[c]` to item `item[c]`. Every
likelihood over a quadrature grid is then a matrix product, `log L = Y @ log P`, and every
expected count a product `Y.T @ posterior` — missing responses simply contribute no column,
so no Python loop over persons is ever needed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .irt import FloatArray

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class IndicatorCoding:
    """Column layout of the indicator matrix.

    item, category : (C,) item index and score category of each column, C = Σ_i (K_i + 1)
    n_steps : (n_items,) K_i, the highest score of each item
    offsets : (n_items,) first column of each item
    """

    item: IntArray
    category: IntArray
    n_steps: IntArray
    offsets: IntArray

    @property
    def n_columns(self) -> int:
        return int(self.item.shape[0])


def as_response_matrix(responses: ArrayLike) -> FloatArray:
    """Check a response matrix: 2-D, NaN or non-negative integers. Returns float64 (no copy
    when it already is)."""
    x = np.asarray(responses, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError("responses must be a (n_persons, n_items) matrix")
    # NaN compares False in both tests: one temporary, no boolean masks of the matrix
    if np.any(x < 0) or np.any(np.floor(x) < x):
        raise ValueError("scores must be non-negative integers (NaN = not administered)")
    return x


def observed_steps(x: FloatArray) -> IntArray:
    """K_i = highest observed score of each item (at least 1)."""
    top = np.fmax.reduce(x, axis=0)  # fmax ignores NaN; an all-NaN column stays NaN
    steps: IntArray = np.maximum(np.nan_to_num(top, nan=1.0), 1).astype(np.int64)
    return steps


def indicator_coding(n_steps: IntArray) -> IndicatorCoding:
    n_steps = np.asarray(n_steps, dtype=np.int64)
    sizes = n_steps + 1
    item = np.repeat(np.arange(n_steps.shape[0]), sizes)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    category = np.arange(item.shape[0]) - offsets[item]
    return IndicatorCoding(item, category.astype(np.int64), n_steps, offsets)


def indicator_matrix(
    x: FloatArray, coding: IndicatorCoding, dtype: type[np.floating] = np.float32
) -> NDArray[np.floating]:
    """Y (n_persons, C) with Y[p, offset_i + x_pi] = 1 for every administered response.

    float32 by default: the matrix is 0/1 and the products it enters are dominated by memory
    traffic, so single precision halves both time and memory at no cost in accuracy.
    """
    if np.any(np.fmax.reduce(x, axis=0) > coding.n_steps):
        raise ValueError("a score exceeds the item's highest category")
    n_levels = int(coding.n_steps.max()) + 1
    full = np.empty((x.shape[0], x.shape[1], n_levels), dtype=dtype)
    for k in range(n_levels):  # NaN compares False, so a missing response sets no column
        np.equal(x, k, out=full[:, :, k], casting="unsafe")
    flat = full.reshape(x.shape[0], -1)
    if np.all(coding.n_steps == coding.n_steps[0]):
        y: NDArray[np.floating] = flat
    else:
        y = flat[:, coding.item * n_levels + coding.category]
    return y


def category_index(x: FloatArray) -> IntArray:
    """Scores as integers with −1 for not administered, (n_persons, n_items)."""
    return np.nan_to_num(x, nan=-1.0).astype(np.int64)
