"""A learner's attempts (mock exams and drills) and their items.

An item keeps the question version and the option order the learner saw, the last answer with
the sequence number and idempotency key of the save that set it, and its scores: automatic,
self-assessed (practice) and examiner-graded (official mocks).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qbank.db import db, utcnow


class AttemptKind(enum.StrEnum):
    MOCK = "mock"  # timed full paper (sprint)
    DRILL = "drill"  # 专项突破: recommended sections, feedback after each answer
    CHAPTER = "chapter"  # 章节练习
    RANDOM = "random"
    MEMORIZE = "memorize"  # 背题模式: answers shown at once
    REVIEW = "review"  # wrong-answer notebook review


class AttemptStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"  # handed in (by the learner or at the deadline)


class Attempt(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "attempt"
    __table_args__ = (Index("ix_attempt_learner_status", "learner_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=AttemptStatus.IN_PROGRESS.value)
    specialty_code: Mapped[str] = mapped_column(ForeignKey("specialty.code"))
    level_code: Mapped[str] = mapped_column(ForeignKey("level.code"))
    title: Mapped[str] = mapped_column(String(200), default="")
    paper_id: Mapped[int | None]  # a published paper an examiner assigned, if any
    multiple_scoring: Mapped[str] = mapped_column(String(20), default="partial")
    pass_points: Mapped[float] = mapped_column(default=60.0)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[dt.datetime | None]  # kept on the server; None: untimed
    submitted_at: Mapped[dt.datetime | None]
    submitted_by_deadline: Mapped[bool] = mapped_column(default=False)
    score: Mapped[float | None]
    max_score: Mapped[float] = mapped_column(default=0.0)
    needs_grading: Mapped[bool] = mapped_column(default=False)  # official short answers
    official: Mapped[bool] = mapped_column(default=False)
    seed: Mapped[int] = mapped_column(default=0)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)  # solver stats, plan notes

    items: Mapped[list[AttemptItem]] = relationship(
        back_populates="attempt", order_by="AttemptItem.position", cascade="all, delete-orphan"
    )

    @property
    def passed(self) -> bool | None:
        return None if self.score is None else self.score >= self.pass_points


class AttemptItem(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "attempt_item"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"),
                                            index=True)
    position: Mapped[int]  # 1-based order in the attempt
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id"))
    section_code: Mapped[str] = mapped_column(String(48))  # the specialty's section
    points: Mapped[float]
    option_order: Mapped[list[Any]] = mapped_column(default=list)  # option keys as shown
    answer: Mapped[dict[str, Any] | None] = mapped_column(default=None)  # {"keys": [..]} | {"text": ..}
    answer_seq: Mapped[int] = mapped_column(default=0)  # client sequence of the stored answer
    answer_key: Mapped[str] = mapped_column(String(64), default="")  # idempotency key of it
    answered_at: Mapped[dt.datetime | None]
    flagged: Mapped[bool] = mapped_column(default=False)
    seconds_spent: Mapped[float] = mapped_column(default=0.0)
    auto_score: Mapped[float | None]
    rubric_matches: Mapped[list[Any] | None] = mapped_column(default=None)
    self_score: Mapped[float | None]
    graded_score: Mapped[float | None]
    graded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    second_score: Mapped[float | None]  # double marking
    second_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    feedback: Mapped[str] = mapped_column(Text, default="")

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    version: Mapped[Any] = relationship("QuestionVersion")

    @property
    def final_score(self) -> float | None:
        """Examiner grade, else self-assessment, else the automatic score."""
        for value in (self.graded_score, self.self_score, self.auto_score):
            if value is not None:
                return value
        return None
