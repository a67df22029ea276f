"""Classical item analysis of one form (paper).

Missing responses (NaN) are handled pairwise: an item's statistics use the persons who answered
it, and a person's total is prorated — the percentage score on the items they answered, times
the form's maximum — so someone who skipped one question is not ranked as if they scored 0 on
it. Cronbach's α uses the pairwise-complete item covariance matrix (for complete 0/1 data it
equals KR-20 exactly).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .irt import FloatArray
from .responses import as_response_matrix

GROUP_FRACTION = 0.27  # Kelley's upper/lower 27 %


@dataclass(frozen=True)
class ItemAnalysis:
    """Per-item statistics, all (n_items,).

    facility : mean score / max score (p for 0/1 items)
    point_biserial : corrected item–rest correlation (item vs total of the other items)
    discrimination : D = mean score/max in the upper 27 % − in the lower 27 %
    efficiency : D / D_max, D_max the largest D possible given the item's facility
    """

    facility: FloatArray
    point_biserial: FloatArray
    discrimination: FloatArray
    efficiency: FloatArray
    n_responses: np.ndarray
    max_score: FloatArray


@dataclass(frozen=True)
class FormAnalysis:
    """Item statistics plus reliability and the score distribution of the form."""

    items: ItemAnalysis
    alpha: float
    sem: float
    mean_score: float
    sd_score: float
    score_values: FloatArray
    score_counts: np.ndarray
    n_persons: int


@dataclass(frozen=True)
class OptionAnalysis:
    """Choice rates of one item's options by ability group.

    rates : (3, n_options) share of the lower 27 %, middle, upper 27 % choosing each option
    (for multiple-response items, the share whose answer included the option).
    """

    item: int
    options: tuple[str, ...]
    key: str
    rates: FloatArray
    group_sizes: tuple[int, int, int]


def prorated_totals(x: FloatArray, max_score: FloatArray) -> FloatArray:
    """Percentage of the answered maximum, scaled to the form maximum; NaN if nothing answered."""
    seen = ~np.isnan(x)
    got = np.nansum(x, axis=1)
    possible = seen @ max_score
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = np.where(possible > 0, got / possible * max_score.sum(), np.nan)
    return out


def ability_groups(totals: FloatArray, fraction: float = GROUP_FRACTION) -> np.ndarray:
    """0 = lower, 1 = middle, 2 = upper group by total (ties broken by order); −1 if no total."""
    groups = np.full(totals.shape[0], -1)
    ok = np.flatnonzero(~np.isnan(totals))
    order = ok[np.argsort(totals[ok], kind="stable")]
    size = round(fraction * ok.size)
    groups[order] = 1
    if size:
        groups[order[:size]] = 0
        groups[order[-size:]] = 2
    return groups


def _corr(u: FloatArray, v: FloatArray) -> float:
    du, dv = u - u.mean(), v - v.mean()
    den = np.sqrt((du @ du) * (dv @ dv))
    return float(du @ dv / den) if den > 0 else float("nan")


def _efficiency(d: float, facility: float, n_upper: int, n_lower: int, n: int) -> float:
    """D over the largest D the item's total credit allows (all credit given to the top)."""
    credit = facility * n
    d_max = min(credit, n_upper) / n_upper - max(0.0, credit - (n - n_lower)) / n_lower
    return float(d / d_max) if d_max > 0 else float("nan")


def analyse_form(responses: ArrayLike, max_scores: ArrayLike | None = None) -> FormAnalysis:
    """Classical statistics of a (n_persons, n_items) score matrix (NaN = not answered)."""
    x = as_response_matrix(responses)
    n_persons, n_items = x.shape
    max_score = (
        np.maximum(np.fmax.reduce(x, axis=0), 1.0)
        if max_scores is None
        else np.asarray(max_scores, dtype=float)
    )
    max_score = np.nan_to_num(max_score, nan=1.0)
    seen = ~np.isnan(x)
    rel = x / max_score
    facility = (
        np.nanmean(np.where(seen, rel, np.nan), axis=0) if n_persons else np.full(n_items, np.nan)
    )
    totals = prorated_totals(x, max_score)
    groups = ability_groups(totals)
    pbis = np.full(n_items, np.nan)
    disc = np.full(n_items, np.nan)
    eff = np.full(n_items, np.nan)
    for i in range(n_items):
        rest = prorated_totals(np.delete(x, i, axis=1), np.delete(max_score, i))
        ok = seen[:, i] & ~np.isnan(rest)
        if ok.sum() > 2:
            pbis[i] = _corr(x[ok, i], rest[ok])
        up, low = seen[:, i] & (groups == 2), seen[:, i] & (groups == 0)
        if up.any() and low.any():
            disc[i] = rel[up, i].mean() - rel[low, i].mean()
            eff[i] = _efficiency(
                disc[i], facility[i], int(up.sum()), int(low.sum()), int(seen[:, i].sum())
            )
    alpha = _alpha(x)
    ok_tot = totals[~np.isnan(totals)]
    sd = float(ok_tot.std(ddof=1)) if ok_tot.size > 1 else float("nan")
    values, counts = np.unique(np.round(ok_tot), return_counts=True)
    return FormAnalysis(
        items=ItemAnalysis(facility, pbis, disc, eff, seen.sum(axis=0), max_score),
        alpha=alpha,
        sem=sd * float(np.sqrt(max(1.0 - alpha, 0.0))) if np.isfinite(alpha) else float("nan"),
        mean_score=float(ok_tot.mean()) if ok_tot.size else float("nan"),
        sd_score=sd,
        score_values=values.astype(float),
        score_counts=counts,
        n_persons=n_persons,
    )


def _alpha(x: FloatArray) -> float:
    """α = k/(k−1) · (1 − Σ var_i / Σ_ij cov_ij), pairwise-complete covariances."""
    k = x.shape[1]
    if k < 2:
        return float("nan")
    seen = (~np.isnan(x)).astype(float)
    xz = np.nan_to_num(x)
    n = seen.T @ seen
    with np.errstate(invalid="ignore", divide="ignore"):
        s_i = xz.T @ seen  # Σ x_i over persons who also answered j
        cov = (xz.T @ xz - s_i * s_i.T / n) / (n - 1)
    total = np.nansum(cov)
    return (
        float(k / (k - 1) * (1.0 - np.nansum(np.diag(cov)) / total)) if total > 0 else float("nan")
    )


def option_analysis(
    choices: Sequence[Sequence[str | None]] | np.ndarray,
    keys: Sequence[str],
    groups: ArrayLike,
    options: Sequence[str] = ("A", "B", "C", "D"),
) -> tuple[OptionAnalysis, ...]:
    """Option choice rates per ability group (0 lower, 1 middle, 2 upper; see `ability_groups`).

    choices : (n_persons, n_items) chosen option letters, e.g. "B" or "ACD" for a
        multiple-response item; None or "" = not answered.
    keys : the correct letters per item.
    """
    ch = np.asarray(choices, dtype=object)
    grp = np.asarray(groups)
    out = []
    for i, key in enumerate(keys):
        col = ch[:, i]
        answered = np.array([bool(c) for c in col])
        rates = np.full((3, len(options)), np.nan)
        sizes = []
        for g in range(3):
            rows = answered & (grp == g)
            sizes.append(int(rows.sum()))
            if rows.any():
                picked = [str(c) for c in col[rows]]
                rates[g] = [np.mean([o in c for c in picked]) for o in options]
        out.append(OptionAnalysis(i, tuple(options), key, rates, (sizes[0], sizes[1], sizes[2])))
    return tuple(out)
