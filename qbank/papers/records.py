"""Paper records: who sees which paper, publishing (which freezes a paper for good) and
discarding drafts.

Examiners see the published papers and the drafts they assembled themselves; reviewers and
administrators see every paper. Only the examiner who assembled a draft (or an administrator)
changes, publishes or discards it. Services flush, never commit.
"""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload

from qbank.accounts.models import Role, User
from qbank.db import utcnow
from qbank.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from qbank.papers.assembling import check_paper
from qbank.papers.models import Paper, PaperItem, PaperStatus


def sees_every_paper(user: User) -> bool:
    return user.has_role(Role.REVIEWER)  # admins pass has_role


def can_view(paper: Paper, user: User) -> bool:
    return paper.is_published or sees_every_paper(user) or paper.created_by_id == user.id


def can_change(paper: Paper, user: User) -> bool:
    """Swap items, publish or discard: the examiner who assembled the draft, or an admin."""
    if paper.is_published:
        return False
    return Role.ADMIN in user.roles or (
        paper.created_by_id == user.id and user.has_role(Role.EXAMINER)
    )


def require_change(paper: Paper, user: User) -> None:
    if paper.is_published:
        raise ConflictError("paper_published", paper_id=paper.id)
    if not can_change(paper, user):
        raise PermissionDeniedError("not_your_paper")


def visible(user: User) -> Select[tuple[Paper]]:
    stmt = select(Paper)
    if not sees_every_paper(user):
        stmt = stmt.where(
            or_(Paper.status == PaperStatus.PUBLISHED.value, Paper.created_by_id == user.id)
        )
    return stmt


def list_papers(
    session: Session,
    user: User,
    *,
    specialty: str | None = None,
    level: str | None = None,
    status: str | None = None,
    limit: int = 500,
) -> list[Paper]:
    stmt = visible(user)
    if specialty:
        stmt = stmt.where(Paper.specialty_code == specialty)
    if level:
        stmt = stmt.where(Paper.level_code == level)
    if status in {s.value for s in PaperStatus}:
        stmt = stmt.where(Paper.status == status)
    stmt = stmt.order_by(Paper.created_at.desc(), Paper.batch, Paper.form_number).limit(limit)
    return list(session.scalars(stmt))


def get_paper(session: Session, paper_id: int, user: User) -> Paper:
    """The paper if `user` may see it; a paper one may not see does not exist (404)."""
    paper: Paper | None = session.scalar(
        select(Paper)
        .where(Paper.id == paper_id)
        .options(selectinload(Paper.items).selectinload(PaperItem.version))
    )
    if paper is None or not can_view(paper, user):
        raise NotFoundError("paper_not_found", paper_id=paper_id)
    return paper


def batch_papers(session: Session, paper: Paper, user: User) -> list[Paper]:
    """The parallel forms assembled together with `paper` that `user` may see."""
    stmt = visible(user).where(Paper.batch == paper.batch).order_by(Paper.form_number)
    return list(session.scalars(stmt))


def publish_paper(session: Session, paper: Paper, user: User, *, confirm: bool = False) -> int:
    """Publish: from now on the paper, its items and their pinned versions never change.

    A paper that breaks its blueprint is published only with `confirm`; returns the number of
    rule violations published with it."""
    require_change(paper, user)
    violations = check_paper(session, paper).violations
    if violations and not confirm:
        raise ValidationError("paper_breaks_blueprint", count=len(violations))
    paper.status = PaperStatus.PUBLISHED.value
    paper.published_at = utcnow()
    paper.published_by_id = user.id
    paper.updated_at = paper.published_at
    session.flush()
    return len(violations)


def discard_paper(session: Session, paper: Paper, user: User) -> None:
    require_change(paper, user)
    session.delete(paper)
    session.flush()
