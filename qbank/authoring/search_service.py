"""The bank list behind the search box: filters in SQL when there is no text, otherwise the
configured search backend (Whoosh or pg_trgm), otherwise an exact substring scan."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qbank.authoring.listing import QuestionFilter, filter_statement
from qbank.authoring.models import Question
from qbank.authoring.questions import section_resolver
from qbank.authoring.searching import ResultPage, scan_search


def search_bank(
    session: Session, f: QuestionFilter, page: int, per_page: int, backend: Any | None = None
) -> ResultPage:
    resolver = section_resolver(session)
    if not f.text.strip():
        stmt = filter_statement(f, resolver)
        total = (
            session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
        )
        rows = list(session.scalars(stmt.offset((page - 1) * per_page).limit(per_page)))
        return ResultPage(rows, total, page, per_page, {})
    if backend is None:
        return scan_search(session, f, resolver, page, per_page)
    from qbank.authoring.search import SearchQuery

    result = backend.search(
        SearchQuery(
            text=f.text,
            section_codes=f.section_codes(resolver),
            types=f.types,
            statuses=f.statuses,
            level=f.level or None,
            difficulty_min=f.difficulty_min,
            difficulty_max=f.difficulty_max,
            author_id=f.author_id,
            tag=f.tag or None,
            page=page,
            per_page=per_page,
        )
    )
    ids = [h.question_id for h in result.hits]
    found = {q.id: q for q in session.scalars(select(Question).where(Question.id.in_(ids)))}
    return ResultPage(
        [found[i] for i in ids if i in found],
        result.total,
        page,
        per_page,
        {h.question_id: h.highlights for h in result.hits},
    )
