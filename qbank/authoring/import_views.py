"""Import (upload → preview with every problem → all-or-nothing commit) and export pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from qbank.accounts.models import Role
from qbank.accounts.permissions import roles_required
from qbank.authoring import importing
from qbank.authoring.formats.excel import build_template
from qbank.authoring.formats.registry import FORMATS
from qbank.authoring.listing import filter_statement
from qbank.authoring.questions import section_resolver
from qbank.db import db
from qbank.error_pages import returns_json
from qbank.errors import QbankError
from qbank.jobs import Job, create_job, get_job, start_in_background
from qbank.messages import describe

bp = Blueprint("imports", __name__)
WRITERS = (Role.AUTHOR, Role.REVIEWER)
PREVIEW = "import-preview"


def _folder() -> Path:
    return Path(current_app.instance_path) / "imports"


def _preview_work(folder: Path, user_id: int):  # type: ignore[no-untyped-def]
    def work(session: Session, job: Job, progress: Any) -> dict[str, Any]:
        from qbank.accounts.models import User

        data, meta = importing.load_upload(folder, job.params["token"], user_id)
        actor = session.get(User, user_id)
        preview = importing.preview_import(
            session,
            data,
            meta["filename"],
            meta["format"],
            actor=actor,
            progress=progress,
            default_section=job.params.get("section", ""),
        )
        session.rollback()  # a preview changes nothing
        summary = preview.summary()
        summary["errors"] = summary["errors"][:2000]
        summary["warnings"] = summary["warnings"][:2000]
        return summary

    return work


@bp.route("/imports", methods=["GET", "POST"])
@roles_required(*WRITERS)
def upload():  # type: ignore[no-untyped-def]
    if request.method == "POST":
        file = request.files.get("file")
        fmt = request.form.get("format") or None
        if file is None or not file.filename:
            flash(_("Choose a file to import."), "error")
            return redirect(url_for("imports.upload"))
        if fmt is not None and fmt not in FORMATS:
            abort(400)
        data = file.read(current_app.config["MAX_CONTENT_LENGTH"] + 1)
        token = importing.stash_upload(_folder(), data, file.filename, fmt, current_user.id)
        job = create_job(
            db.session,
            PREVIEW,
            current_user.id,
            {
                "token": token,
                "filename": file.filename[:200],
                "format": fmt,
                "section": request.form.get("section", "")[:60],
            },
        )
        db.session.commit()
        start_in_background(
            current_app._get_current_object(),
            job.id,  # type: ignore[attr-defined]
            _preview_work(_folder(), current_user.id),
            wait=current_app.config.get("JOBS_INLINE", False),
        )
        return redirect(url_for("imports.preview", job_id=job.id))
    recent = db.session.scalars(
        select(Job)
        .where(Job.kind == PREVIEW, Job.user_id == current_user.id)
        .order_by(Job.id.desc())
        .limit(10)
    ).all()
    from qbank.syllabus.services import list_specialties

    return render_template(
        "authoring/import.html",
        formats=list(FORMATS.values()),
        recent=recent,
        specialties=list_specialties(db.session),
    )


@bp.get("/imports/template.xlsx")
@roles_required(*WRITERS)
def template():  # type: ignore[no-untyped-def]
    return Response(
        build_template(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": "attachment; filename=qbank-template.xlsx"},
    )


@bp.get("/imports/<int:job_id>")
@roles_required(*WRITERS)
def preview(job_id: int):  # type: ignore[no-untyped-def]
    job = get_job(db.session, job_id, current_user.id)
    return render_template("authoring/import_preview.html", job=job, r=job.result)


@bp.get("/imports/<int:job_id>/status")
@roles_required(*WRITERS)
@returns_json
def status(job_id: int):  # type: ignore[no-untyped-def]
    job = get_job(db.session, job_id, current_user.id)
    return jsonify(status=job.status, percent=job.percent, message=job.message)


@bp.post("/imports/<int:job_id>/commit")
@roles_required(*WRITERS)
def commit(job_id: int):  # type: ignore[no-untyped-def]
    job = get_job(db.session, job_id, current_user.id)
    if job.status != "done" or job.result.get("committed"):
        flash(_("This import is not ready or was already committed."), "warning")
        return redirect(url_for("imports.preview", job_id=job.id))
    try:
        data, meta = importing.load_upload(_folder(), job.params["token"], current_user.id)
        result = importing.preview_import(
            db.session,
            data,
            meta["filename"],
            meta["format"],
            actor=current_user,
            default_section=job.params.get("section", ""),
        )
        counts = importing.commit_import(
            db.session, result, current_user, submit=bool(request.form.get("submit"))
        )
    except QbankError as exc:
        db.session.rollback()
        flash(describe(exc), "error")
        return redirect(url_for("imports.preview", job_id=job.id))
    job.result = {**job.result, "committed": counts}
    db.session.commit()
    importing.discard_upload(_folder(), job.params["token"])
    flash(_("Imported: %(created)s new, %(updated)s updated.", **counts), "success")
    return redirect(url_for("authoring.index", author="me"))


@bp.get("/questions/export")
@roles_required(Role.AUTHOR, Role.REVIEWER, Role.EXAMINER)
def export():  # type: ignore[no-untyped-def]
    from qbank.authoring.views import filter_from_args

    fmt = request.args.get("format", "excel")
    if fmt not in FORMATS:
        abort(400)
    stmt = filter_statement(filter_from_args(request.args), section_resolver(db.session))
    questions = list(db.session.scalars(stmt.limit(100_000)))
    out = importing.export_questions(db.session, questions, fmt)
    response = Response(out.data, mimetype=out.media_type)
    response.headers["Content-Disposition"] = f"attachment; filename={out.filename}"
    if out.warnings:
        response.headers["X-Export-Warnings"] = str(len(out.warnings))
    return response
