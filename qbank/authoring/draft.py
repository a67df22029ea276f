"""The neutral question record every importer produces and every exporter consumes.

A `QuestionDraft` is plain data with the place it came from (`location`), so that problems can be
reported by file, row or line. `validate_draft` checks one draft against the syllabus.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass, field, replace

OPTION_KEYS = "ABCDEFGH"
DEFAULT_POINTS = {"single": 1.0, "multiple": 2.0, "short": 5.0}
LEVEL_CODES = ("junior", "intermediate", "senior")


class QuestionType(enum.StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    SHORT = "short"


@dataclass(frozen=True)
class OptionDraft:
    key: str  # stable option id within the question: "A", "B", ...
    text: str
    correct: bool = False


@dataclass(frozen=True)
class RubricPoint:
    text: str
    points: float


@dataclass(frozen=True)
class Problem:
    location: str  # "file:line", "row 12", "question 3"
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.location} " if self.location else ""
        return f"{where}[{self.field}] {self.message}" if self.field else f"{where}{self.message}"


@dataclass(frozen=True)
class QuestionDraft:
    type: QuestionType
    stem: str
    options: tuple[OptionDraft, ...] = ()
    explanation: str = ""
    reference_answer: str = ""
    rubric: tuple[RubricPoint, ...] = ()
    points: float | None = None
    section: str = ""  # a section code, or a title to be mapped
    secondary_sections: tuple[str, ...] = ()
    levels: tuple[str, ...] = LEVEL_CODES
    difficulty: int | None = None
    source: str = ""
    tags: tuple[str, ...] = ()
    enemy_group: str = ""
    shuffle: bool = True
    external_id: str = ""
    location: str = ""
    extra: tuple[tuple[str, str], ...] = field(default=())

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(o.key for o in self.options if o.correct)

    @property
    def effective_points(self) -> float:
        return self.points if self.points is not None else DEFAULT_POINTS[self.type.value]

    def with_section(self, code: str) -> QuestionDraft:
        return replace(self, section=code)


def validate_draft(
    draft: QuestionDraft,
    section_codes: Collection[str] | None = None,
    *,
    require_metadata: bool = False,
) -> list[Problem]:
    """Problems with one draft. `require_metadata` asks for what the starter bank must carry
    (explanation, difficulty, source); imports from other systems may lack them."""
    loc = draft.location
    out: list[Problem] = []

    def bad(field_name: str, message: str) -> None:
        out.append(Problem(loc, field_name, message))

    if not draft.stem.strip():
        bad("stem", "the stem is empty")
    if draft.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        keys = [o.key for o in draft.options]
        if len(set(keys)) != len(keys):
            bad("options", "two options share the same letter")
        for o in draft.options:
            if not o.text.strip():
                bad("options", f"option {o.key} is empty")
        n_keys = len(draft.keys)
        if draft.type is QuestionType.SINGLE:
            if len(draft.options) < 2:
                bad("options", "a single-choice question needs at least 2 options")
            if n_keys != 1:
                bad("answer", f"a single-choice question needs exactly one key, found {n_keys}")
        else:
            if len(draft.options) < 3:
                bad("options", "a multiple-choice question needs at least 3 options")
            if n_keys < 2:
                bad("answer", f"a multiple-choice question needs at least two keys, found {n_keys}")
        if len({o.text.strip() for o in draft.options}) != len(draft.options):
            bad("options", "two options have the same text")
    else:
        if draft.options:
            bad("options", "a short-answer question has no options")
        if not draft.reference_answer.strip():
            bad("reference_answer", "a short-answer question needs a reference answer")
        if not draft.rubric:
            bad("rubric", "a short-answer question needs a rubric of key points")
        total = sum(p.points for p in draft.rubric)
        if draft.rubric and abs(total - draft.effective_points) > 1e-9:
            bad(
                "rubric",
                f"rubric points add up to {total:g}, the question is worth "
                f"{draft.effective_points:g}",
            )
        for p in draft.rubric:
            if p.points <= 0:
                bad("rubric", f"key point '{p.text[:20]}' must be worth more than 0")
            if not p.text.strip():
                bad("rubric", "a key point has no text")
    if draft.points is not None and draft.points <= 0:
        bad("points", "points must be positive")
    if draft.difficulty is not None and not 1 <= draft.difficulty <= 5:
        bad("difficulty", f"difficulty must be 1-5, got {draft.difficulty}")
    for level in draft.levels:
        if level not in LEVEL_CODES:
            bad("levels", f"unknown level '{level}' (use junior, intermediate, senior)")
    if not draft.levels:
        bad("levels", "at least one level is required")
    if section_codes is not None:
        if not draft.section:
            bad("section", "a section is required")
        elif draft.section not in section_codes:
            bad("section", f"section '{draft.section}' does not exist in the syllabus")
        for code in draft.secondary_sections:
            if code not in section_codes:
                bad("secondary_sections", f"section '{code}' does not exist in the syllabus")
    if require_metadata:
        if not draft.explanation.strip():
            bad("explanation", "an explanation (解析) is required")
        if draft.difficulty is None:
            bad("difficulty", "a difficulty estimate 1-5 is required")
        if not draft.source.strip():
            bad("source", "a source citation is required")
    return out
