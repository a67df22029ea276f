"""The reviewers' near-duplicates report: start a scan, watch it, compare pairs side by side."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from qbank.accounts.models import Role
from qbank.accounts.permissions import roles_required
from qbank.authoring.dupreport import KIND, scan_bank
from qbank.authoring.models import Question
from qbank.db import db
from qbank.error_pages import returns_json
from qbank.jobs import create_job, get_job, latest_job, start_in_background

bp = Blueprint("duplicates", __name__, url_prefix="/questions/duplicates")


@bp.get("")
@roles_required(Role.REVIEWER)
def report():  # type: ignore[no-untyped-def]
    job = latest_job(db.session, KIND)
    pairs = (job.result.get("pairs", []) if job and job.status == "done" else [])[:200]
    ids = {p["a"] for p in pairs} | {p["b"] for p in pairs}
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(ids)))}
    return render_template("authoring/duplicates.html", job=job, pairs=pairs, q=questions)


@bp.get("/status/<int:job_id>")
@roles_required(Role.REVIEWER)
@returns_json
def status(job_id: int):  # type: ignore[no-untyped-def]
    job = get_job(db.session, job_id)
    return jsonify(status=job.status, percent=job.percent, message=job.message)


@bp.post("")
@roles_required(Role.REVIEWER)
def start():  # type: ignore[no-untyped-def]
    job = create_job(db.session, KIND, current_user.id)
    db.session.commit()
    start_in_background(
        current_app._get_current_object(),
        job.id,  # type: ignore[attr-defined]
        lambda session, job, progress: scan_bank(session, progress),
        wait=current_app.config.get("JOBS_INLINE", False),
    )
    return redirect(url_for("duplicates.report"))
