"""The question editor's form, as plain data: parsing a submitted form into a `QuestionDraft`
and back. Pure (no Flask): the view passes `request.form` as a mapping of lists."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from qbank.authoring.draft import (
    LEVEL_CODES,
    OPTION_KEYS,
    OptionDraft,
    QuestionDraft,
    QuestionType,
    RubricPoint,
)

FormData = Mapping[str, Sequence[str]]


def _one(form: FormData, name: str) -> str:
    values = form.get(name) or []
    return values[0].strip() if values else ""


def _many(form: FormData, name: str) -> list[str]:
    return [v for v in (form.get(name) or [])]


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def draft_from_form(form: FormData, qtype: QuestionType) -> tuple[QuestionDraft, dict[str, str]]:
    """The draft, and field errors the form itself can detect (numbers that are not numbers)."""
    errors: dict[str, str] = {}
    options: list[OptionDraft] = []
    if qtype is not QuestionType.SHORT:
        texts = _many(form, "option_text")
        correct = set(_many(form, "option_correct"))
        for i, text in enumerate(texts):
            if not text.strip() and i >= 2:
                continue  # trailing empty rows of the editor are ignored
            key = OPTION_KEYS[len(options)]
            options.append(OptionDraft(key, text.strip(), str(i) in correct))
    rubric: list[RubricPoint] = []
    points: float | None = None
    if qtype is QuestionType.SHORT:
        for text, raw in zip(
            _many(form, "rubric_text"), _many(form, "rubric_points"), strict=False
        ):
            if not text.strip() and not raw.strip():
                continue
            value = _number(raw)
            if value is None:
                errors["rubric"] = "number"
                value = 0.0
            rubric.append(RubricPoint(text.strip(), value))
        raw_points = _one(form, "points")
        points = _number(raw_points) if raw_points else None
        if raw_points and points is None:
            errors["points"] = "number"
    difficulty = None
    raw_difficulty = _one(form, "difficulty")
    if raw_difficulty:
        try:
            difficulty = int(raw_difficulty)
        except ValueError:
            errors["difficulty"] = "number"
    tags = tuple(t.strip() for t in _one(form, "tags").replace("，", ",").split(",") if t.strip())
    draft = QuestionDraft(
        type=qtype,
        stem=_one(form, "stem"),
        options=tuple(options),
        explanation=_one(form, "explanation"),
        reference_answer=_one(form, "reference_answer"),
        rubric=tuple(rubric),
        points=points,
        section=_one(form, "section"),
        secondary_sections=tuple(s for s in _many(form, "secondary_sections") if s),
        levels=tuple(lv for lv in LEVEL_CODES if lv in _many(form, "levels")),
        difficulty=difficulty,
        source=_one(form, "source"),
        tags=tags,
        enemy_group=_one(form, "enemy_group"),
        shuffle=_one(form, "shuffle") in ("1", "on", "y", "true"),
        location="",
    )
    return draft, errors


def form_values(draft: QuestionDraft) -> dict[str, Any]:
    """What the editor template shows for a draft (also for re-showing a rejected form)."""
    options = [{"text": o.text, "correct": o.correct} for o in draft.options]
    minimum = 0 if draft.type is QuestionType.SHORT else 4
    while len(options) < minimum:
        options.append({"text": "", "correct": False})
    rubric = [{"text": p.text, "points": f"{p.points:g}"} for p in draft.rubric] or [
        {"text": "", "points": ""},
        {"text": "", "points": ""},
    ]
    return {
        "type": draft.type.value,
        "stem": draft.stem,
        "options": options,
        "shuffle": draft.shuffle,
        "points": f"{draft.points:g}" if draft.points is not None else "",
        "reference_answer": draft.reference_answer,
        "rubric": rubric,
        "explanation": draft.explanation,
        "section": draft.section,
        "secondary_sections": list(draft.secondary_sections),
        "levels": list(draft.levels),
        "difficulty": draft.difficulty,
        "source": draft.source,
        "tags": ", ".join(draft.tags),
        "enemy_group": draft.enemy_group,
    }


def blank_draft(qtype: QuestionType) -> QuestionDraft:
    return QuestionDraft(type=qtype, stem="", levels=LEVEL_CODES, difficulty=3)
