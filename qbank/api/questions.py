"""API: the question bank for authors and reviewers — list/search, get, create, update and
workflow transitions, with the same rules as the web pages."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from qbank.accounts.models import Role
from qbank.accounts.permissions import roles_required
from qbank.authoring import questions as qs
from qbank.authoring import workflow
from qbank.authoring.draft import LEVEL_CODES, OptionDraft, QuestionDraft, QuestionType, RubricPoint
from qbank.authoring.listing import QuestionFilter
from qbank.authoring.models import Question, QuestionStatus
from qbank.authoring.search_service import search_bank
from qbank.db import db
from qbank.errors import PermissionDeniedError

blp = Blueprint(
    "api_questions",
    __name__,
    url_prefix="/api/v1",
    description="Question bank (authors, reviewers; examiners read)",
)
READERS = (Role.AUTHOR, Role.REVIEWER, Role.EXAMINER)
WRITERS = (Role.AUTHOR, Role.REVIEWER)


class OptionSchema(Schema):
    key = fields.String(required=True, validate=validate.Regexp(r"^[A-H]$"))
    text = fields.String(required=True, validate=validate.Length(max=5000))
    correct = fields.Boolean(load_default=False)


class RubricSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(max=2000))
    points = fields.Float(required=True, validate=validate.Range(min=0, max=100))


class QuestionInSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf([t.value for t in QuestionType]))
    stem = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    options = fields.List(
        fields.Nested(OptionSchema), load_default=list, validate=validate.Length(max=8)
    )
    shuffle = fields.Boolean(load_default=True)
    points = fields.Float(allow_none=True, validate=validate.Range(min=0.5, max=100))
    reference_answer = fields.String(load_default="", validate=validate.Length(max=20000))
    rubric = fields.List(
        fields.Nested(RubricSchema), load_default=list, validate=validate.Length(max=20)
    )
    explanation = fields.String(load_default="", validate=validate.Length(max=20000))
    section = fields.String(
        required=True,
        validate=validate.Length(max=200),
        metadata={"description": "a section code or title"},
    )
    secondary_sections = fields.List(
        fields.String(validate=validate.Length(max=200)),
        load_default=list,
        validate=validate.Length(max=10),
    )
    levels = fields.List(
        fields.String(validate=validate.OneOf(LEVEL_CODES)), load_default=lambda: list(LEVEL_CODES)
    )
    difficulty = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=5))
    source = fields.String(load_default="", validate=validate.Length(max=2000))
    tags = fields.List(
        fields.String(validate=validate.Length(max=60)),
        load_default=list,
        validate=validate.Length(max=30),
    )
    enemy_group = fields.String(load_default="", validate=validate.Length(max=80))


class QuestionOutSchema(QuestionInSchema):
    id = fields.Integer(required=True)
    uid = fields.String(required=True)
    status = fields.String(required=True)
    version = fields.Integer(required=True)
    live_version = fields.Integer(allow_none=True)
    author_id = fields.Integer(allow_none=True)
    review_comment = fields.String()
    url = fields.String()


class QuestionListQuerySchema(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=200))
    section = fields.String(load_default="")
    type = fields.List(
        fields.String(validate=validate.OneOf([t.value for t in QuestionType])), load_default=list
    )
    status = fields.List(
        fields.String(validate=validate.OneOf([s.value for s in QuestionStatus])), load_default=list
    )
    level = fields.String(load_default="", validate=validate.OneOf(["", *LEVEL_CODES]))
    difficulty_min = fields.Integer(validate=validate.Range(min=1, max=5))
    difficulty_max = fields.Integer(validate=validate.Range(min=1, max=5))
    author_id = fields.Integer()
    tag = fields.String(load_default="")
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=200))


class QuestionListSchema(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    items = fields.List(fields.Nested(QuestionOutSchema), required=True)


class TransitionSchema(Schema):
    action = fields.String(
        required=True, validate=validate.OneOf([a.value for a in workflow.Action])
    )
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


def _draft(data: dict[str, Any]) -> QuestionDraft:
    return QuestionDraft(
        type=QuestionType(data["type"]),
        stem=data["stem"],
        options=tuple(OptionDraft(o["key"], o["text"], o["correct"]) for o in data["options"]),
        shuffle=data["shuffle"],
        points=data.get("points"),
        reference_answer=data["reference_answer"],
        rubric=tuple(RubricPoint(r["text"], r["points"]) for r in data["rubric"]),
        explanation=data["explanation"],
        section=data["section"],
        secondary_sections=tuple(data["secondary_sections"]),
        levels=tuple(data["levels"]),
        difficulty=data.get("difficulty"),
        source=data["source"],
        tags=tuple(data["tags"]),
        enemy_group=data["enemy_group"],
        location="body",
    )


def _out(q: Question) -> dict[str, Any]:
    v = q.current_version
    assert v is not None
    return {
        "id": q.id,
        "uid": q.uid,
        "status": q.status,
        "version": v.number,
        "live_version": q.live_version.number if q.live_version else None,
        "author_id": q.author_id,
        "review_comment": q.review_comment,
        "url": url_for("authoring.detail", question_id=q.id),
        "type": v.type,
        "stem": v.stem,
        "options": v.options,
        "shuffle": v.shuffle,
        "points": v.points,
        "reference_answer": v.reference_answer,
        "rubric": v.rubric,
        "explanation": v.explanation,
        "section": v.section_code,
        "secondary_sections": v.secondary_sections,
        "levels": v.levels,
        "difficulty": v.difficulty,
        "source": v.source,
        "tags": v.tags,
        "enemy_group": v.enemy_group,
    }


@blp.route("/questions")
@roles_required(*READERS)
@blp.arguments(QuestionListQuerySchema, location="query")
@blp.response(200, QuestionListSchema)
def list_questions(args: dict[str, Any]) -> Any:
    """Search and filter the bank (text search in stems, options, explanations, sources)."""
    f = QuestionFilter(
        text=args["q"],
        section=args["section"],
        types=tuple(args["type"]),
        statuses=tuple(args["status"]),
        level=args["level"],
        difficulty_min=args.get("difficulty_min"),
        difficulty_max=args.get("difficulty_max"),
        author_id=args.get("author_id"),
        tag=args["tag"],
    )
    result = search_bank(db.session, f, args["page"], args["per_page"])
    return {
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "items": [_out(q) for q in result.questions],
    }


@blp.route("/questions", methods=["POST"])
@roles_required(Role.AUTHOR)
@blp.arguments(QuestionInSchema)
@blp.response(201, QuestionOutSchema)
def create_question(data: dict[str, Any]) -> Any:
    """Create a question (draft)."""
    q = qs.create_question(db.session, _draft(data), current_user)
    db.session.commit()
    return _out(q)


@blp.route("/questions/<int:question_id>")
@roles_required(*READERS)
@blp.response(200, QuestionOutSchema)
def get_question(question_id: int) -> Any:
    """One question, its current version."""
    return _out(qs.get_question(db.session, question_id))


@blp.route("/questions/<int:question_id>", methods=["PUT"])
@roles_required(*WRITERS)
@blp.arguments(QuestionInSchema)
@blp.response(200, QuestionOutSchema)
def update_question(data: dict[str, Any], question_id: int) -> Any:
    """Replace the question's content (an approved question gets a new version)."""
    q = qs.get_question(db.session, question_id)
    if not qs.can_edit(q, current_user):
        raise PermissionDeniedError("cannot_edit_question")
    qs.update_question(db.session, q, _draft(data), current_user)
    db.session.commit()
    return _out(q)


@blp.route("/questions/<int:question_id>/transitions", methods=["POST"])
@roles_required(*WRITERS)
@blp.arguments(TransitionSchema)
@blp.response(200, QuestionOutSchema)
def transition_question(data: dict[str, Any], question_id: int) -> Any:
    """Submit, withdraw, approve, return (with comment), retire or restore."""
    q = qs.get_question(db.session, question_id)
    workflow.transition(
        db.session, q, workflow.Action(data["action"]), current_user, data["comment"]
    )
    db.session.commit()
    return _out(q)
