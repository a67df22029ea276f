"""API: sprint mock exams for learners — start, read, save answers (idempotent), flag, hand in.
While an attempt runs nothing here returns keys, rubrics or explanations."""

from __future__ import annotations

from pathlib import Path

from typing import Any

from flask import current_app
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from qbank.accounts.models import Role
from qbank.accounts.permissions import roles_required
from qbank.db import db, utcnow
from qbank.practice import sessions
from qbank.practice.presenters import attempt_view

blp = Blueprint("api_practice", __name__, url_prefix="/api/v1",
                description="Sprint mock exams (learners)")


class AnswerInSchema(Schema):
    answer = fields.Dict(allow_none=True, required=True, metadata={
        "description": '{"keys": ["A", "C"]} for choice questions, {"text": "…"} for short '
                       "answers, null to clear"})
    seq = fields.Integer(required=True, validate=validate.Range(min=0, max=2**31),
                         metadata={"description": "increases with every change on the client"})
    key = fields.String(required=True, validate=validate.Length(min=8, max=64),
                        metadata={"description": "idempotency key: the same for every retry"})
    seconds = fields.Float(load_default=0.0, validate=validate.Range(min=0, max=3600))


class AnswerOutSchema(Schema):
    position = fields.Integer(required=True)
    seq = fields.Integer(required=True)
    stored = fields.Boolean(required=True)
    saved_at = fields.DateTime(allow_none=True)


class FlagSchema(Schema):
    flagged = fields.Boolean(required=True)


class StartSchema(Schema):
    specialty = fields.String(metadata={"description": "default: the learner's own"})
    level = fields.String()


class AttemptSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True)
    title = fields.String()
    specialty = fields.String()
    level = fields.String()
    started_at = fields.DateTime()
    deadline_at = fields.DateTime(allow_none=True)
    server_time = fields.DateTime()
    remaining_seconds = fields.Float(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    score = fields.Float(allow_none=True)
    max_score = fields.Float()
    pass_points = fields.Float()
    passed = fields.Boolean(allow_none=True)
    needs_grading = fields.Boolean()
    submitted_by_deadline = fields.Boolean()
    items = fields.List(fields.Dict())


class AttemptSummarySchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True)
    title = fields.String()
    started_at = fields.DateTime()
    score = fields.Float(allow_none=True)
    max_score = fields.Float()
    passed = fields.Boolean(allow_none=True)


def _own(attempt_id: int):  # type: ignore[no-untyped-def]
    attempt = sessions.get_own_attempt(db.session, attempt_id, current_user)
    if sessions.close_if_expired(db.session, attempt, utcnow()):
        db.session.commit()
    return attempt


@blp.route("/sprints")
@roles_required(Role.LEARNER)
@blp.response(200, AttemptSummarySchema(many=True))
def list_sprints() -> Any:
    """The learner's mock exams, newest first."""
    from qbank.practice.queries import learner_attempts

    return [{"id": a.id, "kind": a.kind, "status": a.status, "title": a.title,
             "started_at": a.started_at, "score": a.score, "max_score": a.max_score,
             "passed": a.passed} for a in learner_attempts(db.session, current_user)]


@blp.route("/sprints", methods=["POST"])
@roles_required(Role.LEARNER)
@blp.arguments(StartSchema)
@blp.response(201, AttemptSchema)
def start_sprint(data: dict[str, Any]) -> Any:
    """Start a timed 100-point mock exam assembled for this learner by the blueprint solver."""
    from qbank.practice.forms import start_mock

    attempt = start_mock(db.session, current_user, utcnow(),
                         Path(current_app.config["CONTENT_DIR"]), data.get("specialty"),
                         data.get("level"))
    db.session.commit()
    return attempt_view(attempt, utcnow())


@blp.route("/sprints/<int:attempt_id>")
@roles_required(Role.LEARNER)
@blp.response(200, AttemptSchema)
def get_sprint(attempt_id: int) -> Any:
    """The exam (no keys while it runs) or, after hand-in, the full review."""
    return attempt_view(_own(attempt_id), utcnow())


@blp.route("/sprints/<int:attempt_id>/items/<int:position>", methods=["PUT"])
@roles_required(Role.LEARNER)
@blp.arguments(AnswerInSchema)
@blp.response(200, AnswerOutSchema)
def save_answer(data: dict[str, Any], attempt_id: int, position: int) -> Any:
    """Save one answer. Retries with the same key are acknowledged without change; a save
    with a lower `seq` than the stored answer never overwrites it. 409 when time is up."""
    attempt = sessions.get_own_attempt(db.session, attempt_id, current_user)
    try:
        result = sessions.save_answer(db.session, attempt, position, data["answer"],
                                      seq=data["seq"], key=data["key"], now=utcnow(),
                                      seconds_spent=data["seconds"])
    except sessions.AttemptClosedError:
        db.session.commit()  # keep the hand-in that the deadline triggered
        raise
    db.session.commit()
    return result.__dict__


@blp.route("/sprints/<int:attempt_id>/items/<int:position>/flag", methods=["PUT"])
@roles_required(Role.LEARNER)
@blp.arguments(FlagSchema)
@blp.response(204)
def flag_item(data: dict[str, Any], attempt_id: int, position: int) -> Any:
    """Mark a question to come back to."""
    attempt = sessions.get_own_attempt(db.session, attempt_id, current_user)
    try:
        sessions.set_flag(db.session, attempt, position, data["flagged"], utcnow())
    finally:
        db.session.commit()
    return None


@blp.route("/sprints/<int:attempt_id>/submit", methods=["POST"])
@roles_required(Role.LEARNER)
@blp.response(200, AttemptSchema)
def submit_sprint(attempt_id: int) -> Any:
    """Hand in (idempotent) and get the scored review."""
    attempt = sessions.get_own_attempt(db.session, attempt_id, current_user)
    sessions.submit(db.session, attempt, utcnow())
    db.session.commit()
    return attempt_view(attempt, utcnow())
