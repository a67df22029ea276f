"""Reading a learner's attempts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbank.accounts.models import User
from qbank.practice.models import Attempt, AttemptKind, AttemptStatus


def learner_attempts(session: Session, learner: User, kind: AttemptKind | None = None,
                     limit: int = 100) -> list[Attempt]:
    stmt = select(Attempt).where(Attempt.learner_id == learner.id)
    if kind is not None:
        stmt = stmt.where(Attempt.kind == kind.value)
    return list(session.scalars(stmt.order_by(Attempt.started_at.desc(), Attempt.id.desc())
                                .limit(limit)))


def running_attempt(session: Session, learner: User, kind: AttemptKind) -> Attempt | None:
    return session.scalar(select(Attempt).where(
        Attempt.learner_id == learner.id, Attempt.kind == kind.value,
        Attempt.status == AttemptStatus.IN_PROGRESS.value).order_by(Attempt.id.desc()))


def seen_question_ids(session: Session, learner: User) -> set[int]:
    from qbank.practice.models import AttemptItem

    return set(session.scalars(select(AttemptItem.question_id).join(Attempt).where(
        Attempt.learner_id == learner.id)))
