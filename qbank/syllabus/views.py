"""Syllabus browser, exam rules, exam calendar and eligibility self-check — open to everyone."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, render_template

from qbank.accounts.permissions import public
from qbank.db import db
from qbank.syllabus import services
from qbank.syllabus.calendar import covered_years
from qbank.syllabus.eligibility import Candidate, Education, check_eligibility
from qbank.syllabus.forms import EligibilityForm

bp = Blueprint("syllabus", __name__)


def configured_cutoff() -> dt.date | None:
    value = current_app.config.get("ELIGIBILITY_CUTOFF")
    return dt.date.fromisoformat(str(value)) if value else None


@bp.get("/syllabus")
@public
def index():  # type: ignore[no-untyped-def]
    return render_template(
        "syllabus/index.html",
        specialties=services.list_specialties(db.session),
        levels=services.list_levels(db.session),
        exam=services.exam_rules(db.session),
    )


@bp.get("/syllabus/<code>")
@public
def specialty(code: str):  # type: ignore[no-untyped-def]
    sp = services.get_specialty(db.session, code)
    return render_template(
        "syllabus/specialty.html",
        specialty=sp,
        sharing=services.sharing_map(db.session),
        sections=services.all_sections(db.session),
    )


@bp.get("/calendar")
@public
def calendar():  # type: ignore[no-untyped-def]
    sittings = services.next_sittings(db.session, count=6)
    return render_template(
        "syllabus/calendar.html",
        sittings=sittings,
        covered=covered_years(),
        today=services.today_in_china(),
    )


@bp.route("/eligibility", methods=["GET", "POST"])
@public
def eligibility():  # type: ignore[no-untyped-def]
    form = EligibilityForm()
    rules = services.eligibility_rules(db.session, configured_cutoff())
    result = None
    if form.validate_on_submit():
        certificates: dict[str, dt.date | None] = {c: None for c in form.certificates.data or []}
        if "other_senior" in certificates:
            certificates["other_senior"] = form.senior_certificate_on.data
        candidate = Candidate(
            education=Education.parse(form.education.data),
            related_major=form.related_major.data,
            years_in_field=float(form.years_in_field.data)
            if form.years_in_field.data is not None
            else None,
            started_on=form.started_on.data,
            continuous=form.continuous.data,
            student=form.student.data,
            certificates=certificates,
        )
        result = check_eligibility(candidate, rules)
    levels = {lv.code: lv for lv in services.list_levels(db.session)}
    return render_template(
        "syllabus/eligibility.html",
        form=form,
        result=result,
        levels=levels,
        cutoff=rules.cutoff,
        rules=rules,
    )
