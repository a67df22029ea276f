"""Seeded generators of item banks, abilities and responses for tests and benchmarks.

Randomness is always passed in as a `numpy.random.Generator`, so every simulation is
reproducible from its seed.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .irt import FloatArray, ItemParameters, category_probabilities


def simulate_items(
    n_items: int,
    rng: np.random.Generator,
    *,
    n_steps: int | NDArray[np.int64] = 1,
    slope_range: tuple[float, float] = (0.5, 2.0),
    difficulty_sd: float = 1.0,
    rasch: bool = False,
) -> ItemParameters:
    """A random bank: a ~ U(slope_range) (or 1 for Rasch), location ~ N(0, difficulty_sd²).

    Polytomous items (K > 1) get steps spread evenly around the location, ±0.75·(K−1)/2 plus
    N(0, 0.2²) jitter, sorted — ordered steps as authors' rubrics usually produce.
    """
    steps = np.broadcast_to(np.asarray(n_steps, dtype=np.int64), (n_items,))
    a = np.ones(n_items) if rasch else rng.uniform(*slope_range, size=n_items)
    loc = rng.normal(0.0, difficulty_sd, size=n_items)
    k_max = int(steps.max())
    b = np.full((n_items, k_max), np.nan)
    for i, k in enumerate(steps):
        spread = np.linspace(-0.75, 0.75, k) * (k - 1) / 2 if k > 1 else np.zeros(1)
        b[i, :k] = np.sort(loc[i] + spread + (rng.normal(0, 0.2, k) if k > 1 else 0.0))
    return ItemParameters(a, b)


def simulate_abilities(
    n_persons: int, rng: np.random.Generator, mean: float = 0.0, sd: float = 1.0
) -> FloatArray:
    """θ ~ N(mean, sd²), (n_persons,)."""
    return rng.normal(mean, sd, size=n_persons)


def simulate_responses(
    theta: FloatArray,
    params: ItemParameters,
    rng: np.random.Generator,
    *,
    missing: float = 0.0,
    design: NDArray[np.bool_] | None = None,
    chunk: int = 4096,
) -> FloatArray:
    """Scores (n_persons, n_items) drawn from the GPCM, NaN where not administered.

    missing : probability that a response is missing completely at random.
    design : (n_persons, n_items) bool, True where the item was administered (missing by design).
    """
    n_persons = theta.shape[0]
    out = np.empty((n_persons, params.n_items))
    for start in range(0, n_persons, chunk):
        stop = min(start + chunk, n_persons)
        probs = category_probabilities(theta[start:stop], params)  # (n, m, K+1)
        cum = np.cumsum(probs, axis=2)
        u = rng.random((params.n_items, stop - start, 1))
        out[start:stop] = (u > cum[:, :, :-1]).sum(axis=2).T
    if design is not None:
        out[~design] = np.nan
    if missing > 0:
        out[rng.random(out.shape) < missing] = np.nan
    return out


def block_design(
    n_persons: int, n_items: int, n_forms: int, n_common: int, rng: np.random.Generator
) -> NDArray[np.bool_]:
    """Missing by design: `n_forms` forms share the first `n_common` items; the rest are split
    evenly between forms; persons are assigned to forms at random. (n_persons, n_items) bool."""
    unique = np.array_split(np.arange(n_common, n_items), n_forms)
    form = rng.integers(0, n_forms, size=n_persons)
    design = np.zeros((n_persons, n_items), dtype=bool)
    design[:, :n_common] = True
    for f, cols in enumerate(unique):
        design[np.ix_(form == f, cols)] = True
    return design
