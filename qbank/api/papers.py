"""API: blueprints and papers for examiners (reviewers read) — list, read and update
blueprints; assemble; list, read and publish papers; download the printed documents. Same
services and rules as the pages."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from qbank.accounts.models import Role
from qbank.accounts.permissions import roles_required
from qbank.db import db
from qbank.errors import ValidationError
from qbank.papers import assembling, blueprints, downloads, records
from qbank.papers.models import Paper, PaperBlueprint

blp = Blueprint(
    "api_papers",
    __name__,
    url_prefix="/api/v1",
    description="Paper blueprints, assembly and papers (examiners; reviewers read)",
)
READERS = (Role.EXAMINER, Role.REVIEWER)


def _user() -> Any:
    return current_user._get_current_object()


class BlueprintQuerySchema(Schema):
    specialty = fields.String(load_default="")
    level = fields.String(load_default="")


class BlueprintSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    specialty = fields.String(required=True)
    level = fields.String(required=True)
    is_default = fields.Boolean(required=True)
    is_edited = fields.Boolean(required=True)
    summary = fields.Dict(required=True)
    source = fields.String(metadata={"description": "the YAML (docs/blueprints.md)"})
    updated_at = fields.DateTime()
    url = fields.String()


class BlueprintInSchema(Schema):
    source = fields.String(required=True, validate=validate.Length(min=1, max=200_000))


class AssembleInSchema(Schema):
    blueprint_id = fields.Integer(required=True)
    forms = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=assembling.MAX_FORMS)
    )
    seed = fields.Integer(load_default=0, validate=validate.Range(min=0, max=2**31 - 1))
    time_limit = fields.Float(
        load_default=10.0,
        validate=validate.Range(min=1, max=assembling.MAX_TIME_LIMIT),
        metadata={"description": "seconds, at most 20"},
    )


class ItemSchema(Schema):
    position = fields.Integer(required=True)
    question_id = fields.Integer(required=True)
    uid = fields.String(required=True)
    version = fields.Integer(required=True, metadata={"description": "the pinned version"})
    version_id = fields.Integer(required=True)
    section = fields.String(required=True)
    type = fields.String(required=True)
    points = fields.Float(required=True)
    origin = fields.String()


class PaperSummarySchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True)
    specialty = fields.String(required=True)
    level = fields.String(required=True)
    blueprint_id = fields.Integer(allow_none=True)
    batch = fields.String()
    form_number = fields.Integer()
    forms_in_batch = fields.Integer()
    total_points = fields.Float()
    cut_score = fields.Float()
    duration_minutes = fields.Integer()
    solver_status = fields.String()
    solve_seconds = fields.Float()
    gap = fields.Float(allow_none=True)
    theta_cut = fields.Float()
    information_at_cut = fields.Float()
    expected_at_cut = fields.Float(allow_none=True)
    created_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)
    url = fields.String()


class PaperSchema(PaperSummarySchema):
    items = fields.List(fields.Nested(ItemSchema))
    violations = fields.List(fields.Dict(), metadata={"description": "the checker's findings"})


class PaperQuerySchema(Schema):
    specialty = fields.String(load_default="")
    level = fields.String(load_default="")
    status = fields.String(load_default="", validate=validate.OneOf(["", "draft", "published"]))


class AssembledSchema(Schema):
    status = fields.String(required=True)
    seconds = fields.Float(required=True)
    papers = fields.List(fields.Nested(PaperSchema), required=True)


class PublishInSchema(Schema):
    confirm = fields.Boolean(
        load_default=False, metadata={"description": "publish although the paper breaks rules"}
    )


def _blueprint(record: PaperBlueprint, source: bool = True) -> dict[str, Any]:
    out = {
        "id": record.id,
        "name": record.name,
        "specialty": record.specialty_code,
        "level": record.level_code,
        "is_default": record.is_default,
        "is_edited": record.is_edited,
        "summary": record.summary,
        "updated_at": record.updated_at,
        "url": url_for("blueprints.detail", blueprint_id=record.id),
    }
    if source:
        out["source"] = record.source
    return out


def _paper(paper: Paper, detail: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": paper.id,
        "name": paper.name,
        "status": paper.status,
        "specialty": paper.specialty_code,
        "level": paper.level_code,
        "blueprint_id": paper.blueprint_id,
        "batch": paper.batch,
        "form_number": paper.form_number,
        "forms_in_batch": paper.forms_in_batch,
        "total_points": paper.total_points,
        "cut_score": paper.cut_score,
        "duration_minutes": paper.duration_minutes,
        "solver_status": paper.solver_status,
        "solve_seconds": paper.solve_seconds,
        "gap": paper.gap,
        "theta_cut": paper.theta_cut,
        "information_at_cut": paper.information_at_cut,
        "expected_at_cut": paper.expected_at_cut,
        "created_at": paper.created_at,
        "published_at": paper.published_at,
        "url": url_for("papers.detail", paper_id=paper.id),
    }
    if detail:
        out["items"] = [
            {
                "position": i.position,
                "question_id": i.question_id,
                "uid": i.question.uid,
                "version": i.version.number,
                "version_id": i.question_version_id,
                "section": i.section_code,
                "type": i.type,
                "points": i.points,
                "origin": i.origin,
            }
            for i in paper.items
        ]
        out["violations"] = [
            {"code": v.code, "message_zh": v.message_zh, "message_en": v.message_en}
            for v in assembling.check_paper(db.session, paper).violations
        ]
    return out


@blp.route("/blueprints")
@roles_required(*READERS)
@blp.arguments(BlueprintQuerySchema, location="query")
@blp.response(200, BlueprintSchema(many=True))
def list_blueprints(args: dict[str, Any]) -> Any:
    """Blueprints, defaults first within each specialty and level (without their YAML)."""
    rows = blueprints.list_blueprints(db.session, args["specialty"] or None, args["level"] or None)
    return [_blueprint(r, source=False) for r in rows]


@blp.route("/blueprints/<int:blueprint_id>")
@roles_required(*READERS)
@blp.response(200, BlueprintSchema)
def get_blueprint(blueprint_id: int) -> Any:
    """One blueprint with its YAML source."""
    return _blueprint(blueprints.get_blueprint(db.session, blueprint_id))


@blp.route("/blueprints/<int:blueprint_id>", methods=["PUT"])
@roles_required(Role.EXAMINER)
@blp.arguments(BlueprintInSchema)
@blp.response(200, BlueprintSchema)
def update_blueprint(data: dict[str, Any], blueprint_id: int) -> Any:
    """Replace the YAML. Invalid YAML: 422 with `details.problems` = [{line, message}]."""
    record = blueprints.get_blueprint(db.session, blueprint_id)
    blueprints.update_blueprint(db.session, record, data["source"], _user())
    db.session.commit()
    return _blueprint(record)


@blp.route("/papers/assemble", methods=["POST"])
@roles_required(Role.EXAMINER)
@blp.arguments(AssembleInSchema)
@blp.response(201, AssembledSchema)
def assemble(data: dict[str, Any]) -> Any:
    """Assemble draft papers from a blueprint. Infeasible: 422 with `details.diagnosis`."""
    record = blueprints.get_blueprint(db.session, data["blueprint_id"])
    outcome = assembling.assemble_papers(
        db.session,
        record,
        _user(),
        forms=data["forms"],
        seed=data["seed"],
        time_limit=data["time_limit"],
    )
    if not outcome.papers:
        db.session.rollback()
        raise ValidationError(
            "assembly_infeasible",
            status=outcome.status,
            diagnosis=[{"zh": m.zh, "en": m.en} for m in outcome.diagnosis],
        )
    db.session.commit()
    return {
        "status": outcome.status,
        "seconds": outcome.seconds,
        "papers": [_paper(p, detail=True) for p in outcome.papers],
    }


@blp.route("/papers")
@roles_required(*READERS)
@blp.arguments(PaperQuerySchema, location="query")
@blp.response(200, PaperSummarySchema(many=True))
def list_papers(args: dict[str, Any]) -> Any:
    """Published papers and your drafts (reviewers: every paper)."""
    papers = records.list_papers(
        db.session,
        _user(),
        specialty=args["specialty"] or None,
        level=args["level"] or None,
        status=args["status"] or None,
    )
    return [_paper(p) for p in papers]


@blp.route("/papers/<int:paper_id>")
@roles_required(*READERS)
@blp.response(200, PaperSchema)
def get_paper(paper_id: int) -> Any:
    """One paper with its items (pinned versions) and the checker's findings."""
    return _paper(records.get_paper(db.session, paper_id, _user()), detail=True)


@blp.route("/papers/<int:paper_id>/publish", methods=["POST"])
@roles_required(Role.EXAMINER)
@blp.arguments(PublishInSchema)
@blp.response(200, PaperSchema)
def publish_paper(data: dict[str, Any], paper_id: int) -> Any:
    """Publish a draft: from then on it never changes."""
    paper = records.get_paper(db.session, paper_id, _user())
    records.publish_paper(db.session, paper, _user(), confirm=data["confirm"])
    db.session.commit()
    return _paper(paper, detail=True)


@blp.route("/papers/<int:paper_id>/export/<kind>.<fmt>")
@roles_required(*READERS)
@blp.response(
    200,
    description="The document: application/pdf, or for docx " + downloads.MEDIA["docx"],
    content_type="application/pdf",
)
def export_paper(paper_id: int, kind: str, fmt: str) -> Any:
    """Download the examinee paper (`paper`), answer key (`key`) or scoring rubric (`rubric`)
    as `pdf` or `docx`."""
    paper = records.get_paper(db.session, paper_id, _user())
    return downloads.as_response(downloads.render_document(db.session, paper, kind, fmt))
