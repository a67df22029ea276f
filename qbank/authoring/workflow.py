"""The review workflow: draft → submitted → approved | returned → retired, with who may do what.

A reviewer never approves their own question (as its author or as the author of the version under
review). Only approved questions are live for papers and practice.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from qbank.accounts.models import Role, User
from qbank.authoring.models import Question, QuestionStatus
from qbank.authoring.questions import record
from qbank.db import utcnow
from qbank.errors import InvalidTransitionError, PermissionDeniedError, ValidationError

S = QuestionStatus


class Action(enum.StrEnum):
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    APPROVE = "approve"
    RETURN = "return"
    RETIRE = "retire"
    RESTORE = "restore"


TRANSITIONS: dict[Action, tuple[frozenset[QuestionStatus], QuestionStatus]] = {
    Action.SUBMIT: (frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED),
    Action.WITHDRAW: (frozenset({S.SUBMITTED}), S.DRAFT),
    Action.APPROVE: (frozenset({S.SUBMITTED}), S.APPROVED),
    Action.RETURN: (frozenset({S.SUBMITTED}), S.RETURNED),
    Action.RETIRE: (frozenset({S.DRAFT, S.SUBMITTED, S.APPROVED, S.RETURNED}), S.RETIRED),
    Action.RESTORE: (frozenset({S.RETIRED}), S.DRAFT),
}


def is_own(question: Question, user: User) -> bool:
    version = question.current_version
    return question.author_id == user.id or (
        version is not None and version.created_by_id == user.id
    )


def check_allowed(question: Question, action: Action, actor: User) -> None:
    """Raise PermissionDeniedError or InvalidTransitionError when `actor` may not do `action`."""
    sources, _ = TRANSITIONS[action]
    if QuestionStatus(question.status) not in sources:
        raise InvalidTransitionError(
            "invalid_transition", action=action.value, status=question.status
        )
    if action in (Action.SUBMIT, Action.WITHDRAW):
        if not (is_own(question, actor) or actor.has_role(Role.REVIEWER)):
            raise PermissionDeniedError("not_your_question")
    elif action in (Action.APPROVE, Action.RETURN):
        if not actor.has_role(Role.REVIEWER):
            raise PermissionDeniedError("reviewers_only")
        if action is Action.APPROVE and is_own(question, actor):
            raise PermissionDeniedError("cannot_approve_own")
    elif not actor.has_role(Role.REVIEWER):  # retire, restore
        raise PermissionDeniedError("reviewers_only")


def transition(
    session: Session, question: Question, action: Action, actor: User, comment: str = ""
) -> None:
    check_allowed(question, action, actor)
    if action is Action.RETURN and not comment.strip():
        raise ValidationError("comment_required", field="comment")
    before = question.status
    _, target = TRANSITIONS[action]
    question.status = target.value
    question.updated_at = utcnow()
    if action is Action.APPROVE:
        version = question.current_version
        assert version is not None
        version.approved_at = utcnow()
        version.approved_by_id = actor.id
        question.live_version = version
        question.review_comment = ""
    elif action is Action.RETURN:
        question.review_comment = comment.strip()
    elif action is Action.RETIRE:
        question.live_version = None
    record(
        session,
        question,
        actor,
        action.value,
        comment=comment.strip(),
        from_status=before,
        to_status=question.status,
    )
    session.flush()


@dataclass(frozen=True)
class BulkResult:
    done: tuple[int, ...]
    skipped: tuple[tuple[int, str], ...]  # (question id, reason code)


def bulk_transition(
    session: Session, questions: Iterable[Question], action: Action, actor: User, comment: str = ""
) -> BulkResult:
    """Apply `action` to each question it is allowed for; report the others with the reason."""
    done, skipped = [], []
    for q in questions:
        try:
            transition(session, q, action, actor, comment)
        except (PermissionDeniedError, InvalidTransitionError, ValidationError) as exc:
            skipped.append((q.id, exc.message))
        else:
            done.append(q.id)
    return BulkResult(tuple(done), tuple(skipped))


def available_actions(question: Question, actor: User) -> list[Action]:
    out = []
    for action in Action:
        try:
            check_allowed(question, action, actor)
        except (PermissionDeniedError, InvalidTransitionError):
            continue
        out.append(action)
    return out
