"""Questions and their versions, the review trail, images and tags.

A `Question` is the stable identity (with `uid`, the ID used in content files and exports); its
text lives in immutable-once-used `QuestionVersion` rows. `current_version` is what authors edit;
`live_version` is the approved version papers and practice use. Filter columns (section, type,
levels, difficulty, tags) are copied from the current version so that lists and searches need no
join into version text.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qbank.db import db, utcnow

LEVEL_BITS = {"junior": 1, "intermediate": 2, "senior": 4}


def levels_to_mask(levels: list[str] | tuple[str, ...]) -> int:
    return sum(LEVEL_BITS[lv] for lv in set(levels) if lv in LEVEL_BITS)


def mask_to_levels(mask: int) -> list[str]:
    return [lv for lv, bit in LEVEL_BITS.items() if mask & bit]


class QuestionStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    RETIRED = "retired"


class QuestionOrigin(enum.StrEnum):
    CONTENT = "content"  # the starter bank in content/questions
    EDITOR = "editor"
    IMPORT = "import"


class Question(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "question"
    __table_args__ = (Index("ix_question_pool", "status", "section_code", "type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(80), unique=True)
    type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=QuestionStatus.DRAFT.value)
    origin: Mapped[str] = mapped_column(String(16), default=QuestionOrigin.EDITOR.value)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_version.id", use_alter=True, name="fk_question_current_version")
    )
    live_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_version.id", use_alter=True, name="fk_question_live_version"),
        index=True,
    )
    # copied from the current version, for filtering
    section_code: Mapped[str] = mapped_column(ForeignKey("section.code"), index=True)
    levels_mask: Mapped[int] = mapped_column(default=7)
    difficulty: Mapped[int | None]
    enemy_group: Mapped[str | None] = mapped_column(String(80), index=True)
    review_comment: Mapped[str] = mapped_column(Text, default="")
    # every text of the current version in one column: what database-native search scans
    search_text: Mapped[str] = mapped_column(Text, default="")

    current_version: Mapped[QuestionVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    live_version: Mapped[QuestionVersion | None] = relationship(
        foreign_keys=[live_version_id], post_update=True
    )
    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question",
        foreign_keys="QuestionVersion.question_id",
        order_by="QuestionVersion.number",
        cascade="all, delete-orphan",
    )
    tag_rows: Mapped[list[QuestionTag]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    author: Mapped[Any] = relationship("User", foreign_keys=[author_id])

    @property
    def levels(self) -> list[str]:
        return mask_to_levels(self.levels_mask)

    @property
    def tags(self) -> list[str]:
        return sorted(t.tag for t in self.tag_rows)

    @property
    def is_live(self) -> bool:
        return self.live_version_id is not None and self.status != QuestionStatus.RETIRED


class QuestionVersion(db.Model):  # type: ignore[name-defined,misc]
    """One state of a question's content. A version that has been approved, used in a paper or
    answered by a learner is never changed again: edits create a new version."""

    __tablename__ = "question_version"
    __table_args__ = (UniqueConstraint("question_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    approved_at: Mapped[dt.datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    content_hash: Mapped[str] = mapped_column(String(64))

    type: Mapped[str] = mapped_column(String(16))
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[list[Any]] = mapped_column(default=list)  # [{key, text, correct}]
    shuffle: Mapped[bool] = mapped_column(default=True)
    points: Mapped[float]
    reference_answer: Mapped[str] = mapped_column(Text, default="")
    rubric: Mapped[list[Any]] = mapped_column(default=list)  # [{text, points}]
    explanation: Mapped[str] = mapped_column(Text, default="")
    section_code: Mapped[str] = mapped_column(String(48))
    secondary_sections: Mapped[list[Any]] = mapped_column(default=list)
    levels: Mapped[list[Any]] = mapped_column(default=list)
    difficulty: Mapped[int | None]
    source: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[Any]] = mapped_column(default=list)
    enemy_group: Mapped[str] = mapped_column(String(80), default="")

    question: Mapped[Question] = relationship(back_populates="versions", foreign_keys=[question_id])

    @property
    def keys(self) -> list[str]:
        return [o["key"] for o in self.options if o.get("correct")]

    @property
    def is_frozen(self) -> bool:
        return self.approved_at is not None


class QuestionTag(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "question_tag"
    __table_args__ = (UniqueConstraint("question_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    tag: Mapped[str] = mapped_column(String(60), index=True)


class ReviewEvent(db.Model):  # type: ignore[name-defined,misc]
    """The review trail: creation, edits, submission, approval, return (with comment), retire."""

    __tablename__ = "review_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_version.id", ondelete="SET NULL")
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str] = mapped_column(String(16), default="")
    to_status: Mapped[str] = mapped_column(String(16), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)

    actor: Mapped[Any] = relationship("User")
    question: Mapped[Question] = relationship()
    version: Mapped[QuestionVersion | None] = relationship()


class QuestionImage(db.Model):  # type: ignore[name-defined,misc]
    """An uploaded image, stored under the instance folder by a random name."""

    __tablename__ = "question_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
