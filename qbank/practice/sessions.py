"""The life of an attempt: start, save answers the moment they are given, flag, hand in, score.

Every rule that protects a learner's work lives here:
- the deadline is kept on the server; an attempt past its deadline is handed in, once;
- a save carries the client's sequence number and an idempotency key: a replayed save is
  acknowledged without change, a stale one (lower sequence) never overwrites a newer answer;
- hand-in is idempotent: submitting twice scores once.
Services flush, never commit; `now` is passed in.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbank.accounts.models import User
from qbank.authoring.models import QuestionVersion
from qbank.errors import ConflictError, NotFoundError, ValidationError
from qbank.practice import scoring
from qbank.practice.models import Attempt, AttemptItem, AttemptKind, AttemptStatus

GRACE = dt.timedelta(seconds=5)  # saves in flight when the clock runs out still count
MAX_TEXT = 10_000


class AttemptClosedError(ConflictError):
    """The attempt was handed in (by the learner or at the deadline); the save was not stored."""


@dataclass(frozen=True)
class FormItem:
    question_id: int
    version_id: int
    section_code: str  # the specialty's section
    points: float


@dataclass(frozen=True)
class SaveResult:
    position: int
    seq: int
    stored: bool  # False when the save was a replay or older than the stored answer
    saved_at: dt.datetime | None


def start_attempt(session: Session, learner: User, form: Sequence[FormItem], *,
                  kind: AttemptKind, specialty: str, level: str, now: dt.datetime,
                  title: str = "", duration: dt.timedelta | None = None,
                  multiple_scoring: str = "partial", pass_points: float = 60.0,
                  seed: int | None = None, paper_id: int | None = None,
                  official: bool = False, details: dict[str, Any] | None = None) -> Attempt:
    if not form:
        raise ValidationError("empty_form")
    seed = seed if seed is not None else random.SystemRandom().randrange(2**31)
    rng = random.Random(seed)
    versions = {v.id: v for v in session.scalars(
        select(QuestionVersion).where(QuestionVersion.id.in_([f.version_id for f in form])))}
    attempt = Attempt(
        learner_id=learner.id, kind=kind.value, status=AttemptStatus.IN_PROGRESS.value,
        specialty_code=specialty, level_code=level, title=title, paper_id=paper_id,
        multiple_scoring=multiple_scoring, pass_points=pass_points, started_at=now,
        deadline_at=now + duration if duration else None, seed=seed, official=official,
        max_score=float(sum(f.points for f in form)), details=details or {})
    for position, f in enumerate(form, start=1):
        version = versions[f.version_id]
        order = [o["key"] for o in version.options]
        if version.shuffle and order:
            rng.shuffle(order)  # answers are stored by option key, never by position
        attempt.items.append(AttemptItem(
            position=position, question_id=f.question_id, version_id=f.version_id,
            section_code=f.section_code, points=f.points, option_order=order))
    session.add(attempt)
    session.flush()
    return attempt


def get_own_attempt(session: Session, attempt_id: int, learner: User) -> Attempt:
    """The learner's own attempt; someone else's looks exactly like a missing one."""
    attempt = session.get(Attempt, attempt_id)
    if attempt is None or attempt.learner_id != learner.id:
        raise NotFoundError("attempt_not_found")
    return attempt


def is_expired(attempt: Attempt, now: dt.datetime) -> bool:
    return attempt.deadline_at is not None and now > attempt.deadline_at + GRACE


def close_if_expired(session: Session, attempt: Attempt, now: dt.datetime) -> bool:
    """Hand in an attempt whose time is up. Returns True when it is (now) closed."""
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return True
    if is_expired(attempt, now):
        submit(session, attempt, now, by_deadline=True)
        return True
    return False


def remaining_seconds(attempt: Attempt, now: dt.datetime) -> float | None:
    if attempt.deadline_at is None:
        return None
    return max(0.0, (attempt.deadline_at - now).total_seconds())


def _item(session: Session, attempt: Attempt, position: int) -> AttemptItem:
    item = session.scalar(
        select(AttemptItem).where(AttemptItem.attempt_id == attempt.id,
                                  AttemptItem.position == position)
        .with_for_update())  # serialises concurrent saves of one item on PostgreSQL
    if item is None:
        raise NotFoundError("attempt_item_not_found", position=position)
    return item


def _clean_answer(item: AttemptItem, answer: Any) -> dict[str, Any] | None:
    if answer is None:
        return None
    version: QuestionVersion = item.version
    if version.type == "short":
        text = answer.get("text") if isinstance(answer, dict) else None
        if not isinstance(text, str):
            raise ValidationError("bad_answer", position=item.position)
        if len(text) > MAX_TEXT:
            raise ValidationError("answer_too_long", limit=MAX_TEXT)
        return {"text": text}
    keys = answer.get("keys") if isinstance(answer, dict) else None
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise ValidationError("bad_answer", position=item.position)
    valid = {o["key"] for o in version.options}
    chosen = sorted(set(keys))
    if set(chosen) - valid:
        raise ValidationError("bad_answer", position=item.position)
    if version.type == "single" and len(chosen) > 1:
        raise ValidationError("bad_answer", position=item.position)
    return {"keys": chosen}


def save_answer(session: Session, attempt: Attempt, position: int, answer: Any, *,
                seq: int, key: str, now: dt.datetime,
                seconds_spent: float = 0.0) -> SaveResult:
    """Store the learner's answer for one item (None clears it)."""
    if not key or len(key) > 64:
        raise ValidationError("bad_idempotency_key")
    item = _item(session, attempt, position)
    if item.answer_key == key:  # a retry of a save we already stored
        return SaveResult(position, item.answer_seq, False, item.answered_at)
    if close_if_expired(session, attempt, now):
        raise AttemptClosedError("attempt_closed", attempt_id=attempt.id)
    cleaned = _clean_answer(item, answer)
    item.seconds_spent += max(0.0, min(float(seconds_spent), 3600.0))
    if seq < item.answer_seq:  # an older save arriving late: keep the newer answer
        return SaveResult(position, item.answer_seq, False, item.answered_at)
    item.answer, item.answer_seq, item.answer_key, item.answered_at = cleaned, seq, key, now
    session.flush()
    return SaveResult(position, seq, True, now)


def set_flag(session: Session, attempt: Attempt, position: int, flagged: bool,
             now: dt.datetime) -> None:
    if close_if_expired(session, attempt, now):
        raise AttemptClosedError("attempt_closed", attempt_id=attempt.id)
    _item(session, attempt, position).flagged = flagged
    session.flush()


def score_item(item: AttemptItem, multiple_scoring: str) -> None:
    version: QuestionVersion = item.version
    answer = item.answer or {}
    keys = [o["key"] for o in version.options if o.get("correct")]
    scale = item.points / version.points if version.points else 1.0
    if version.type == "single":
        item.auto_score = scoring.score_single(answer.get("keys", []), keys, item.points)
    elif version.type == "multiple":
        item.auto_score = scoring.score_multiple(answer.get("keys", []), keys, item.points,
                                                 multiple_scoring)
    else:
        rubric = [(p["text"], float(p["points"]) * scale) for p in version.rubric]
        result = scoring.match_rubric(answer.get("text", ""), rubric)
        item.auto_score = result.score
        item.rubric_matches = [{"text": m.text, "points": m.points, "found": m.found,
                                "coverage": round(m.coverage, 2)} for m in result.matches]


def total_score(attempt: Attempt) -> float:
    return float(sum(i.final_score or 0.0 for i in attempt.items))


def submit(session: Session, attempt: Attempt, now: dt.datetime, *,
           by_deadline: bool = False) -> Attempt:
    """Hand in and score. Idempotent: an attempt already handed in is returned unchanged."""
    locked = session.scalar(select(Attempt).where(Attempt.id == attempt.id).with_for_update())
    assert locked is attempt
    if attempt.status == AttemptStatus.SUBMITTED:
        return attempt
    attempt.status = AttemptStatus.SUBMITTED.value
    attempt.submitted_at = min(now, attempt.deadline_at + GRACE) if attempt.deadline_at else now
    attempt.submitted_by_deadline = by_deadline
    for item in attempt.items:
        score_item(item, attempt.multiple_scoring)
    attempt.needs_grading = attempt.official and any(
        i.version.type == "short" and i.answer for i in attempt.items)
    attempt.score = total_score(attempt)
    session.flush()
    return attempt


def self_assess(session: Session, attempt: Attempt, position: int, score: float) -> None:
    """In practice mode the learner scores their own short answer against the rubric."""
    if attempt.status != AttemptStatus.SUBMITTED:
        raise ValidationError("submit_first")
    item = _item(session, attempt, position)
    if item.version.type != "short":
        raise ValidationError("not_a_short_answer")
    if not 0 <= score <= item.points:
        raise ValidationError("score_out_of_range", maximum=item.points)
    item.self_score = float(score)
    attempt.score = total_score(attempt)
    session.flush()
