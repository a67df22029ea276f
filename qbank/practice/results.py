"""What a learner sees after handing in: totals, points per part and section, time per question,
and the comparison with earlier attempts. Pure functions over attempt items."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol


class ScoredItem(Protocol):
    section_code: str
    points: float
    seconds_spent: float

    @property
    def final_score(self) -> float | None: ...


@dataclass(frozen=True)
class Breakdown:
    code: str
    earned: float
    available: float
    count: int

    @property
    def share(self) -> float:
        return self.earned / self.available if self.available else 0.0

    @property
    def lost(self) -> float:
        return self.available - self.earned


def part_of(section_code: str) -> str:
    return section_code.rsplit(".", 1)[0]


def breakdown(items: Iterable[ScoredItem], key: str = "section") -> list[Breakdown]:
    """Points earned and available per section (or per part with key="part"), in code order."""
    earned: dict[str, float] = defaultdict(float)
    available: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for item in items:
        code = part_of(item.section_code) if key == "part" else item.section_code
        earned[code] += item.final_score or 0.0
        available[code] += item.points
        count[code] += 1

    def order(code: str) -> tuple[object, ...]:
        head, *nums = code.split(".")
        return (head, *[int(n) if n.isdigit() else n for n in nums])

    return [Breakdown(c, earned[c], available[c], count[c]) for c in sorted(available, key=order)]


@dataclass(frozen=True)
class Trend:
    scores: tuple[float, ...]  # oldest first, this attempt last
    best: float
    change: float | None  # against the previous attempt


def trend(previous_scores: Sequence[float], current: float) -> Trend:
    scores = (*previous_scores, current)
    change = current - previous_scores[-1] if previous_scores else None
    return Trend(tuple(scores), max(scores), change)


def weakest(parts: Sequence[Breakdown], titles: Mapping[str, str], n: int = 3) -> list[str]:
    """Titles of the parts where most points were lost, most first."""
    ranked = sorted((p for p in parts if p.lost > 0), key=lambda p: -p.lost)
    return [titles.get(p.code, p.code) for p in ranked[:n]]
