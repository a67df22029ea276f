"""Finding questions: filters in SQL, text through the configured search backend, or — when no
backend is available — a plain substring scan of `search_text` (exact, slower)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qbank.authoring.listing import QuestionFilter, filter_statement
from qbank.authoring.models import Question
from qbank.authoring.sections import SectionResolver


@dataclass(frozen=True)
class ResultPage:
    questions: list[Question]
    total: int
    page: int
    per_page: int
    highlights: dict[int, dict[str, str]]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def scan_search(
    session: Session, f: QuestionFilter, resolver: SectionResolver, page: int, per_page: int
) -> ResultPage:
    stmt = filter_statement(f, resolver)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(session.scalars(stmt.offset((page - 1) * per_page).limit(per_page)))
    return ResultPage(rows, total, page, per_page, {})
