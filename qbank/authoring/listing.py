"""Filtering the bank in SQL: the question list without search text, bulk selections, exports.

`QuestionFilter` is plain data; `filter_statement` turns it into a SELECT of questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import Select, select

from qbank.authoring.models import LEVEL_BITS, Question, QuestionTag
from qbank.authoring.sections import SectionResolver


@dataclass(frozen=True)
class QuestionFilter:
    text: str = ""
    section: str = ""  # a specialty, part or section code: everything under it
    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    level: str = ""
    difficulty_min: int | None = None
    difficulty_max: int | None = None
    author_id: int | None = None
    tag: str = ""
    ids: tuple[int, ...] = field(default=())

    def section_codes(self, resolver: SectionResolver) -> frozenset[str] | None:
        if not self.section:
            return None
        return frozenset(resolver.codes_under(self.section))


def _escape_like(term: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", term)


def filter_statement(f: QuestionFilter, resolver: SectionResolver) -> Select[tuple[Question]]:
    """Every filter, and the search text as exact substrings (every term must appear)."""
    stmt = select(Question)
    for term in f.text.split():
        stmt = stmt.where(Question.search_text.ilike(f"%{_escape_like(term)}%", escape="\\"))
    codes = f.section_codes(resolver)
    if codes is not None:
        stmt = stmt.where(Question.section_code.in_(sorted(codes)))
    if f.types:
        stmt = stmt.where(Question.type.in_(f.types))
    if f.statuses:
        stmt = stmt.where(Question.status.in_(f.statuses))
    if f.level in LEVEL_BITS:
        stmt = stmt.where(Question.levels_mask.op("&")(LEVEL_BITS[f.level]) != 0)
    if f.difficulty_min is not None:
        stmt = stmt.where(Question.difficulty >= f.difficulty_min)
    if f.difficulty_max is not None:
        stmt = stmt.where(Question.difficulty <= f.difficulty_max)
    if f.author_id is not None:
        stmt = stmt.where(Question.author_id == f.author_id)
    if f.tag:
        stmt = stmt.where(
            Question.id.in_(select(QuestionTag.question_id).where(QuestionTag.tag == f.tag))
        )
    if f.ids:
        stmt = stmt.where(Question.id.in_(f.ids))
    return stmt.order_by(Question.updated_at.desc(), Question.id.desc())
