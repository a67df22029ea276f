"""Item parameters for papers and practice: the active calibration run's values where an item is
calibrated, the cold-start values from the author's difficulty rating elsewhere (marked
provisional). Score categories follow `score_steps`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from qbank.psychometrics.coldstart import ProvisionalItems, provisional_parameters

DEFAULT_DIFFICULTY = 3


def score_steps(qtype: str, points: float, multiple_scoring: str = "partial") -> int:
    """K, the number of score steps above 0 an item is modelled with.

    single: 0/1; multiple: 0/½/full under partial credit, else 0/1; short: whole points 0..P."""
    if qtype == "single":
        return 1
    if qtype == "multiple":
        return 2 if multiple_scoring == "partial" else 1
    return max(1, int(round(points)))


@dataclass(frozen=True)
class ItemRef:
    question_id: int
    qtype: str
    points: float
    difficulty: int | None


def parameters_for(session: Session, items: Sequence[ItemRef],
                   multiple_scoring: str = "partial") -> ProvisionalItems:
    """Parameters in the order of `items`. Until calibration runs exist every item is
    provisional; once they do, the active run's values replace the provisional ones."""
    difficulty = np.array([i.difficulty or DEFAULT_DIFFICULTY for i in items], dtype=np.int64)
    steps = np.array([score_steps(i.qtype, i.points, multiple_scoring) for i in items],
                     dtype=np.int64)
    if not items:
        return provisional_parameters(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    return provisional_parameters(difficulty, steps)
