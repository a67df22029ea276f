"""Cold start: provisional parameters from the author's difficulty rating, and when to calibrate.

Mapping (documented in docs/psychometrics.md): author difficulty 1..5 → location
b ∈ {−1.5, −0.75, 0, 0.75, 1.5} on the θ scale, slope a = 1. A polytomous item with K steps gets
steps spaced 0.5 apart centred on that location (b − 0.25(K−1), …, b + 0.25(K−1)), so its
expected score crosses half marks near the rated difficulty. Provisional items are flagged so
the app can show them as uncalibrated and give them less weight in decisions.

Rule for calibration: an item is calibrated once it has `min_responses` (200) responses and,
for polytomous items, every score category has been used at least `min_per_category` (5)
times — with fewer, its slope and steps would rest mostly on the priors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .irt import FloatArray, ItemParameters

DIFFICULTY_TO_B: dict[int, float] = {1: -1.5, 2: -0.75, 3: 0.0, 4: 0.75, 5: 1.5}
STEP_SPACING = 0.5


@dataclass(frozen=True)
class ProvisionalItems:
    """params plus `provisional` (n,) bool: True where the values come from the author rating."""

    params: ItemParameters
    provisional: NDArray[np.bool_]


@dataclass(frozen=True)
class CalibrationRule:
    min_responses: int = 200
    min_per_category: int = 5


def provisional_parameters(difficulty: ArrayLike, n_steps: ArrayLike | int = 1) -> ProvisionalItems:
    """Parameters from author difficulty ratings (n,) in 1..5 and K_i steps per item."""
    d = np.asarray(difficulty, dtype=np.int64)
    if np.any((d < 1) | (d > 5)):
        raise ValueError("author difficulty must be 1..5")
    steps = np.broadcast_to(np.asarray(n_steps, dtype=np.int64), d.shape)
    loc = np.array([DIFFICULTY_TO_B[int(v)] for v in d])
    k_max = int(steps.max()) if steps.size else 1
    b = np.full((d.shape[0], k_max), np.nan)
    for i, k in enumerate(steps):
        b[i, :k] = loc[i] + STEP_SPACING * (np.arange(k) - (k - 1) / 2)
    return ProvisionalItems(ItemParameters(np.ones(d.shape[0]), b), np.ones(d.shape[0], dtype=bool))


def ready_for_calibration(
    responses: ArrayLike, n_steps: ArrayLike, rule: CalibrationRule = CalibrationRule()
) -> NDArray[np.bool_]:
    """(n_items,) True where an item has enough responses under `rule`.

    responses : (n_persons, n_items) scores, NaN = not administered.
    """
    x = np.asarray(responses, dtype=float)
    steps = np.asarray(n_steps, dtype=np.int64)
    enough = (~np.isnan(x)).sum(axis=0) >= rule.min_responses
    for i in np.flatnonzero(enough & (steps > 1)):
        counts = np.bincount(x[~np.isnan(x[:, i]), i].astype(np.int64), minlength=steps[i] + 1)
        enough[i] = bool(np.all(counts[: steps[i] + 1] >= rule.min_per_category))
    out: NDArray[np.bool_] = enough
    return out


def merge_parameters(
    provisional: ProvisionalItems, calibrated: ItemParameters, calibrated_mask: ArrayLike
) -> ProvisionalItems:
    """Take calibrated values where `calibrated_mask` (n,) is True, provisional ones elsewhere."""
    mask = np.asarray(calibrated_mask, dtype=bool)
    k = max(provisional.params.b.shape[1], calibrated.b.shape[1])
    b = np.full((mask.shape[0], k), np.nan)
    b[:, : provisional.params.b.shape[1]] = provisional.params.b
    b[mask] = np.nan
    b[mask, : calibrated.b.shape[1]] = calibrated.b[mask]
    a: FloatArray = np.where(mask, calibrated.a, provisional.params.a)
    return ProvisionalItems(ItemParameters(a, b), provisional.provisional & ~mask)
