"""Creating many questions at once (starter bank, imports) with bulk INSERT … RETURNING instead of
one ORM unit of work per question: thousands of rows in a second or two on SQLite and PostgreSQL.

Rows are validated and resolved before they get here; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from qbank.authoring.draft import QuestionDraft
from qbank.authoring.models import (
    Question,
    QuestionOrigin,
    QuestionStatus,
    QuestionTag,
    QuestionVersion,
    ReviewEvent,
    levels_to_mask,
)
from qbank.authoring.questions import content_hash, search_text, version_values
from qbank.db import utcnow


@dataclass(frozen=True)
class NewQuestion:
    draft: QuestionDraft  # section already resolved to a canonical code
    uid: str
    origin: QuestionOrigin
    status: QuestionStatus = QuestionStatus.DRAFT
    author_id: int | None = None
    comment: str = ""


def bulk_create(
    session: Session,
    rows: Sequence[NewQuestion],
    actor_id: int | None = None,
    action: str = "create",
) -> list[int]:
    """Insert questions with their first version, tags and a review event. Approved rows go live
    at once. Returns the new question ids in the order of `rows`."""
    if not rows:
        return []
    now = utcnow()
    values = [version_values(r.draft, r.draft.section) for r in rows]
    question_rows = [
        {
            "uid": r.uid,
            "type": v["type"],
            "status": r.status.value,
            "origin": r.origin.value,
            "author_id": r.author_id,
            "created_at": now,
            "updated_at": now,
            "section_code": v["section_code"],
            "levels_mask": levels_to_mask(v["levels"]),
            "difficulty": v["difficulty"],
            "enemy_group": v["enemy_group"] or None,
            "review_comment": "",
            "search_text": search_text(v),
        }
        for r, v in zip(rows, values, strict=True)
    ]
    ids = list(
        session.scalars(
            insert(Question).returning(Question.id, sort_by_parameter_order=True), question_rows
        )
    )
    approved = [r.status == QuestionStatus.APPROVED for r in rows]
    version_rows = [
        {
            **v,
            "question_id": qid,
            "number": 1,
            "created_at": now,
            "created_by_id": r.author_id,
            "content_hash": content_hash(v),
            "approved_at": now if ok else None,
            "approved_by_id": actor_id if ok else None,
        }
        for qid, r, v, ok in zip(ids, rows, values, approved, strict=True)
    ]
    version_ids = list(
        session.scalars(
            insert(QuestionVersion).returning(QuestionVersion.id, sort_by_parameter_order=True),
            version_rows,
        )
    )
    session.execute(
        update(Question),
        [
            {"id": qid, "current_version_id": vid, "live_version_id": vid if ok else None}
            for qid, vid, ok in zip(ids, version_ids, approved, strict=True)
        ],
    )
    tags = [
        {"question_id": qid, "tag": t}
        for qid, v in zip(ids, values, strict=True)
        for t in v["tags"]
    ]
    if tags:
        session.execute(insert(QuestionTag), tags)
    session.execute(
        insert(ReviewEvent),
        [
            {
                "question_id": qid,
                "version_id": vid,
                "actor_id": actor_id,
                "action": action,
                "from_status": "",
                "to_status": r.status.value,
                "comment": r.comment,
                "at": now,
            }
            for qid, vid, r in zip(ids, version_ids, rows, strict=True)
        ],
    )
    return ids
