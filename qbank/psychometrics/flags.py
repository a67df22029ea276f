"""Flags for item authors: problems found by item analysis, each with a code, a short English
message and the numbers behind it (the app translates by code)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from .ctt import ItemAnalysis, OptionAnalysis
from .fit import ItemFit
from .irt import ItemParameters


class FlagCode(StrEnum):
    NEGATIVE_DISCRIMINATION = "negative_discrimination"
    LOW_DISCRIMINATION = "low_discrimination"
    TOO_EASY = "too_easy"
    TOO_HARD = "too_hard"
    UNDERFIT = "underfit"
    OVERFIT = "overfit"
    DISTRACTOR_ATTRACTS_STRONG = "distractor_attracts_strong"


@dataclass(frozen=True)
class FlagThresholds:
    """When a flag is raised (defaults are common rules of thumb; see docs/psychometrics.md)."""

    min_point_biserial: float = 0.15
    min_slope: float = 0.4
    max_facility: float = 0.95
    min_facility: float = 0.10
    min_b: float = -3.0
    max_b: float = 3.0
    max_mean_square: float = 1.3
    min_mean_square: float = 0.7
    distractor_margin: float = 0.05
    min_fit_responses: int = 30


@dataclass(frozen=True)
class ItemFlag:
    """item: column index; statistic: what was measured; value vs threshold; option if any."""

    item: int
    code: FlagCode
    message: str
    statistic: str
    value: float
    threshold: float
    option: str | None = None


def flag_items(
    *,
    analysis: ItemAnalysis | None = None,
    params: ItemParameters | None = None,
    fit: ItemFit | None = None,
    options: Sequence[OptionAnalysis] = (),
    thresholds: FlagThresholds = FlagThresholds(),
) -> tuple[ItemFlag, ...]:
    """All flags raised by whichever statistics are given, ordered by item."""
    t = thresholds
    flags: list[ItemFlag] = []
    if analysis is not None:
        for i, r in enumerate(analysis.point_biserial):
            if r < 0:
                flags.append(
                    ItemFlag(
                        i,
                        FlagCode.NEGATIVE_DISCRIMINATION,
                        "Stronger candidates score lower on this item than weaker ones: check the key.",
                        "point_biserial",
                        float(r),
                        0.0,
                    )
                )
            elif r < t.min_point_biserial:
                flags.append(
                    ItemFlag(
                        i,
                        FlagCode.LOW_DISCRIMINATION,
                        "The item barely separates strong from weak candidates.",
                        "point_biserial",
                        float(r),
                        t.min_point_biserial,
                    )
                )
        for i, p in enumerate(analysis.facility):
            if p > t.max_facility:
                flags.append(
                    ItemFlag(
                        i,
                        FlagCode.TOO_EASY,
                        "Almost everyone gets this item right.",
                        "facility",
                        float(p),
                        t.max_facility,
                    )
                )
            elif p < t.min_facility:
                flags.append(
                    ItemFlag(
                        i,
                        FlagCode.TOO_HARD,
                        "Almost no one gets this item right.",
                        "facility",
                        float(p),
                        t.min_facility,
                    )
                )
    if params is not None:
        for i, a in enumerate(params.a):
            if a < 0:
                flags.append(
                    ItemFlag(
                        i,
                        FlagCode.NEGATIVE_DISCRIMINATION,
                        "The IRT slope is negative: higher ability lowers the score.",
                        "a",
                        float(a),
                        0.0,
                    )
                )
            elif a < t.min_slope:
                flags.append(
                    ItemFlag(
                        i,
                        FlagCode.LOW_DISCRIMINATION,
                        "The IRT slope is low: the item carries little information.",
                        "a",
                        float(a),
                        t.min_slope,
                    )
                )
        loc = np.nanmean(params.b, axis=1)
        for i, b in enumerate(loc):
            if b < t.min_b:
                flags.append(
                    ItemFlag(
                        i,
                        FlagCode.TOO_EASY,
                        "The item is far easier than the candidates.",
                        "b",
                        float(b),
                        t.min_b,
                    )
                )
            elif b > t.max_b:
                flags.append(
                    ItemFlag(
                        i,
                        FlagCode.TOO_HARD,
                        "The item is far harder than the candidates.",
                        "b",
                        float(b),
                        t.max_b,
                    )
                )
    if fit is not None:
        for i in range(fit.infit.shape[0]):
            if fit.n[i] < t.min_fit_responses:
                continue
            worst = max(("infit", fit.infit[i]), ("outfit", fit.outfit[i]), key=lambda s: s[1])
            best = min(("infit", fit.infit[i]), ("outfit", fit.outfit[i]), key=lambda s: s[1])
            if worst[1] > t.max_mean_square:
                flags.append(
                    ItemFlag(
                        i,
                        FlagCode.UNDERFIT,
                        "Answers are more erratic than the model expects (ambiguous wording or key?).",
                        worst[0],
                        float(worst[1]),
                        t.max_mean_square,
                    )
                )
            elif best[1] < t.min_mean_square:
                flags.append(
                    ItemFlag(
                        i,
                        FlagCode.OVERFIT,
                        "Answers are more predictable than the model expects (cueing or dependence?).",
                        best[0],
                        float(best[1]),
                        t.min_mean_square,
                    )
                )
    for opt in options:
        for j, label in enumerate(opt.options):
            if label in opt.key:
                continue
            lower, upper = opt.rates[0, j], opt.rates[2, j]
            if np.isfinite(lower) and np.isfinite(upper) and upper - lower > t.distractor_margin:
                flags.append(
                    ItemFlag(
                        opt.item,
                        FlagCode.DISTRACTOR_ATTRACTS_STRONG,
                        f"Distractor {label} is chosen more by strong than by weak candidates.",
                        "upper_minus_lower_rate",
                        float(upper - lower),
                        t.distractor_margin,
                        label,
                    )
                )
    return tuple(sorted(flags, key=lambda f: f.item))
