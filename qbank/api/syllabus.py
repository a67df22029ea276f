"""API: the syllabus tree, the exam calendar and the eligibility check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from qbank.accounts.permissions import public
from qbank.db import db
from qbank.syllabus import services
from qbank.syllabus.eligibility import CERTIFICATES, Candidate, Education, check_eligibility

blp = Blueprint(
    "api_syllabus",
    __name__,
    url_prefix="/api/v1",
    description="Syllabus, exam calendar and eligibility (public)",
)


class SectionSchema(Schema):
    code = fields.String(required=True, metadata={"example": "trading.2.3"})
    number = fields.Integer(required=True)
    title = fields.String(required=True)
    title_en = fields.String(required=True)
    canonical_code = fields.String(required=True)


class PartSchema(Schema):
    code = fields.String(required=True)
    number = fields.Integer(required=True)
    title = fields.String(required=True)
    title_en = fields.String(required=True)
    sections = fields.List(fields.Nested(SectionSchema), required=True)


class ObjectiveSchema(Schema):
    zh = fields.String()
    en = fields.String()
    notice_zh = fields.String()


class SpecialtySchema(Schema):
    code = fields.String(required=True)
    title = fields.String(required=True)
    title_en = fields.String(required=True)
    objectives = fields.List(fields.Nested(ObjectiveSchema))
    parts = fields.List(fields.Nested(PartSchema), required=True)


class CalendarQuerySchema(Schema):
    from_ = fields.Date(data_key="from", metadata={"description": "first day, YYYY-MM-DD"})
    count = fields.Integer(load_default=6, validate=validate.Range(min=1, max=36))


class SittingSchema(Schema):
    date = fields.Date(required=True)
    scheduled = fields.Date(required=True)
    postponed = fields.Boolean(required=True)
    postponed_for = fields.String(allow_none=True)
    registration_deadline = fields.Date(required=True)
    admission_tickets = fields.Date(required=True)
    results = fields.Date(required=True)
    certificates = fields.Date(required=True)
    provisional = fields.Boolean(
        required=True,
        metadata={
            "description": "true when a date depends on a year whose official holiday calendar "
            "is not published yet"
        },
    )


class CertificateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(CERTIFICATES))
    obtained_on = fields.Date(allow_none=True)


class EligibilityInSchema(Schema):
    education = fields.String(
        required=True, validate=validate.OneOf([e.name.lower() for e in Education])
    )
    related_major = fields.Boolean(load_default=False)
    years_in_field = fields.Float(validate=validate.Range(min=0, max=80), allow_none=True)
    started_on = fields.Date(allow_none=True)
    continuous = fields.Boolean(load_default=True)
    student = fields.Boolean(load_default=False)
    certificates = fields.List(fields.Nested(CertificateSchema), load_default=list)


class RuleSchema(Schema):
    id = fields.String(required=True)
    text = fields.String(required=True)


class LevelOutcomeSchema(Schema):
    level = fields.String(required=True)
    eligible = fields.Boolean(required=True)
    rules = fields.List(
        fields.Nested(RuleSchema),
        required=True,
        metadata={"description": "the conditions of the notice that are met"},
    )


class EligibilityOutSchema(Schema):
    cutoff_date = fields.Date(required=True)
    levels = fields.List(fields.Nested(LevelOutcomeSchema), required=True)


@blp.route("/syllabus")
@public
@blp.response(200, SpecialtySchema(many=True))
def syllabus() -> Any:
    """The syllabus: specialties → parts → sections, with codes and titles."""
    return services.syllabus_tree(db.session)


@blp.route("/calendar")
@public
@blp.arguments(CalendarQuerySchema, location="query")
@blp.response(200, SittingSchema(many=True))
def calendar(args: dict[str, Any]) -> Any:
    """The next exam sittings from a date (default: today in China) with their deadlines."""
    start = args.get("from_") or services.today_in_china()
    out = []
    for s in services.next_sittings(db.session, start, args["count"]):
        out.append({**s.__dict__, "postponed": s.postponed})
    return out


@blp.route("/eligibility", methods=["POST"])
@public
@blp.arguments(EligibilityInSchema)
@blp.response(200, EligibilityOutSchema)
def eligibility(data: dict[str, Any]) -> Any:
    """Which levels a candidate may register for, and which rule of the notice applies."""
    value = current_app.config.get("ELIGIBILITY_CUTOFF")
    rules = services.eligibility_rules(db.session, dt.date.fromisoformat(value) if value else None)
    candidate = Candidate(
        education=Education.parse(data["education"]),
        related_major=data["related_major"],
        years_in_field=data.get("years_in_field"),
        started_on=data.get("started_on"),
        continuous=data["continuous"],
        student=data["student"],
        certificates={c["kind"]: c.get("obtained_on") for c in data["certificates"]},
    )
    levels = [
        {
            "level": o.level,
            "eligible": o.eligible,
            "rules": [{"id": r.id, "text": r.text} for r in o.matched],
        }
        for o in check_eligibility(candidate, rules)
    ]
    return {"cutoff_date": rules.cutoff, "levels": levels}
