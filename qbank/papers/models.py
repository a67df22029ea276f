"""Blueprints as examiners keep them, and the papers assembled from them.

A `PaperBlueprint` holds the YAML source (the format of docs/blueprints.md) and a parsed summary
for lists. Defaults come from `content/blueprints/<key>.yaml` (`default_key`); `loaded_hash` is
the hash of the file text last loaded, so an examiner's edit is recognised (the source no longer
hashes to it) and a reload leaves it alone.

A `Paper` is one form: its items pin the exact `QuestionVersion` they show. A paper keeps a copy
of the blueprint it was assembled to (`blueprint_source`), so later edits of the blueprint do not
change how it is checked. Published papers never change (see `PaperItem` guard below).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qbank.db import db, utcnow
from qbank.errors import ConflictError


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class PaperStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class ItemOrigin(enum.StrEnum):
    SOLVER = "solver"  # chosen by the assembly
    SUGGESTED = "suggested"  # a replacement the solver proposed
    MANUAL = "manual"  # picked by the examiner


class PaperBlueprint(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "paper_blueprint"

    id: Mapped[int] = mapped_column(primary_key=True)
    specialty_code: Mapped[str] = mapped_column(ForeignKey("specialty.code"), index=True)
    level_code: Mapped[str] = mapped_column(ForeignKey("level.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    default_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    loaded_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    updated_by: Mapped[Any] = relationship("User", foreign_keys=[updated_by_id])

    @property
    def is_default(self) -> bool:
        return self.default_key is not None

    @property
    def is_edited(self) -> bool:
        """A default blueprint whose source an examiner changed since it was loaded."""
        return self.default_key is not None and text_hash(self.source) != self.loaded_hash


class Paper(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "paper"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(240))
    status: Mapped[str] = mapped_column(String(16), default=PaperStatus.DRAFT.value, index=True)
    blueprint_id: Mapped[int | None] = mapped_column(
        ForeignKey("paper_blueprint.id", ondelete="SET NULL"), index=True
    )
    blueprint_source: Mapped[str] = mapped_column(Text)
    specialty_code: Mapped[str] = mapped_column(ForeignKey("specialty.code"), index=True)
    level_code: Mapped[str] = mapped_column(ForeignKey("level.code"), index=True)
    total_points: Mapped[float]
    cut_score: Mapped[float]
    duration_minutes: Mapped[int]
    # parallel forms assembled in one run share `batch`; `form_number` is 1..forms_in_batch
    batch: Mapped[str] = mapped_column(String(32), index=True)
    form_number: Mapped[int] = mapped_column(default=1)
    forms_in_batch: Mapped[int] = mapped_column(default=1)
    seed: Mapped[int] = mapped_column(default=0)
    time_limit: Mapped[float] = mapped_column(default=20.0)
    solver_status: Mapped[str] = mapped_column(String(16))
    solve_seconds: Mapped[float] = mapped_column(default=0.0)
    gap: Mapped[float | None]
    theta_cut: Mapped[float]
    information_at_cut: Mapped[float]
    expected_at_cut: Mapped[float | None]
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    items: Mapped[list[PaperItem]] = relationship(
        back_populates="paper", order_by="PaperItem.position", cascade="all, delete-orphan"
    )
    blueprint: Mapped[PaperBlueprint | None] = relationship()
    created_by: Mapped[Any] = relationship("User", foreign_keys=[created_by_id])
    published_by: Mapped[Any] = relationship("User", foreign_keys=[published_by_id])

    @property
    def is_published(self) -> bool:
        return self.status == PaperStatus.PUBLISHED

    @property
    def form_letter(self) -> str:
        return chr(ord("A") + self.form_number - 1) if 1 <= self.form_number <= 26 else "?"


class PaperItem(db.Model):  # type: ignore[name-defined,misc]
    """One question of a paper, pinned to the version the paper shows."""

    __tablename__ = "paper_item"
    __table_args__ = (
        UniqueConstraint("paper_id", "position", name="uq_paper_item_position"),
        UniqueConstraint("paper_id", "question_id", name="uq_paper_item_question"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id"))
    section_code: Mapped[str] = mapped_column(String(48))  # the specialty's section code
    type: Mapped[str] = mapped_column(String(16))
    points: Mapped[float]
    origin: Mapped[str] = mapped_column(String(16), default=ItemOrigin.SOLVER.value)

    paper: Mapped[Paper] = relationship(back_populates="items")
    question: Mapped[Any] = relationship("Question")
    version: Mapped[Any] = relationship("QuestionVersion")


@event.listens_for(PaperItem, "before_update")
@event.listens_for(PaperItem, "before_delete")
def _published_items_never_change(mapper: Any, connection: Any, item: PaperItem) -> None:
    # The invariant behind "a published paper is immutable", whatever code path tries.
    if item.paper is not None and item.paper.status == PaperStatus.PUBLISHED:
        raise ConflictError("paper_published", paper_id=item.paper_id)


def _was_published(paper: Paper) -> bool:
    history: Any = inspect(paper).attrs.status.history
    before = history.deleted[0] if history.deleted else paper.status
    return bool(before == PaperStatus.PUBLISHED)


@event.listens_for(Paper, "before_update")
def _published_papers_never_change(mapper: Any, connection: Any, paper: Paper) -> None:
    if _was_published(paper):
        raise ConflictError("paper_published", paper_id=paper.id)


@event.listens_for(Paper, "before_delete")
def _published_papers_are_kept(mapper: Any, connection: Any, paper: Paper) -> None:
    if _was_published(paper):
        raise ConflictError("paper_published", paper_id=paper.id)
