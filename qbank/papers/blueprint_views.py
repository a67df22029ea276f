"""Blueprint pages: the list, one blueprint, editing its YAML with problems shown by line,
import and export of YAML files, and "new from default"."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from qbank.accounts.models import Role
from qbank.accounts.permissions import roles_required
from qbank.db import db
from qbank.errors import QbankError
from qbank.messages import describe
from qbank.papers import blueprints
from qbank.papers.views import track_names
from qbank.syllabus.services import all_sections, list_levels, list_specialties

bp = Blueprint("blueprints", __name__, url_prefix="/papers/blueprints")
bp.context_processor(track_names)
READERS = (Role.EXAMINER, Role.REVIEWER)
MAX_UPLOAD = 200_000


def _user() -> Any:
    return current_user._get_current_object()


def _problems(exc: QbankError) -> list[dict[str, Any]]:
    problems = exc.details.get("problems")
    return list(problems) if problems else [{"line": 0, "message": describe(exc)}]


@bp.get("")
@roles_required(*READERS)
def index():  # type: ignore[no-untyped-def]
    rows = blueprints.list_blueprints(
        db.session, request.args.get("specialty") or None, request.args.get("level") or None
    )
    return render_template(
        "papers/blueprints.html",
        rows=rows,
        specialties=list_specialties(db.session),
        levels=list_levels(db.session),
        args=request.args,
    )


@bp.get("/<int:blueprint_id>")
@roles_required(*READERS)
def detail(blueprint_id: int):  # type: ignore[no-untyped-def]
    record = blueprints.get_blueprint(db.session, blueprint_id)
    try:
        parsed = blueprints.parse_source(db.session, record.source)
    except QbankError as exc:  # the syllabus changed under a stored blueprint
        parsed, problems = None, _problems(exc)
    else:
        problems = []
    return render_template(
        "papers/blueprint.html",
        record=record,
        bp=parsed,
        problems=problems,
        sections=all_sections(db.session),
    )


def _editor(record: Any, source: str, problems: list[dict[str, Any]], status: int = 200):  # type: ignore[no-untyped-def]
    return render_template(
        "papers/blueprint_edit.html", record=record, source=source, problems=problems
    ), status


@bp.route("/<int:blueprint_id>/edit", methods=["GET", "POST"])
@roles_required(Role.EXAMINER)
def edit(blueprint_id: int):  # type: ignore[no-untyped-def]
    record = blueprints.get_blueprint(db.session, blueprint_id)
    if request.method == "GET":
        return _editor(record, record.source, [])
    source = request.form.get("source", "").replace("\r\n", "\n")
    if "file" in request.files and request.files["file"].filename:
        source = request.files["file"].read(MAX_UPLOAD + 1).decode("utf-8-sig", "replace")
    try:
        changed = blueprints.update_blueprint(db.session, record, source, _user())
    except QbankError as exc:
        db.session.rollback()
        return _editor(record, source, _problems(exc), 422)
    db.session.commit()
    flash(
        _("Blueprint saved.") if changed else _("Nothing changed."),
        "success" if changed else "info",
    )
    return redirect(url_for("blueprints.detail", blueprint_id=record.id))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.EXAMINER)
def create():  # type: ignore[no-untyped-def]
    if request.method == "GET":
        start = blueprints.list_blueprints(db.session)
        return _editor(None, start[0].source if start else "", [])
    source = request.form.get("source", "").replace("\r\n", "\n")
    try:
        record = blueprints.create_blueprint(db.session, source, _user())
    except QbankError as exc:
        db.session.rollback()
        return _editor(None, source, _problems(exc), 422)
    db.session.commit()
    flash(_("Blueprint saved."), "success")
    return redirect(url_for("blueprints.detail", blueprint_id=record.id))


@bp.post("/<int:blueprint_id>/copy")
@roles_required(Role.EXAMINER)
def copy(blueprint_id: int):  # type: ignore[no-untyped-def]
    record = blueprints.get_blueprint(db.session, blueprint_id)
    try:
        new = blueprints.copy_blueprint(db.session, record, _user(), suffix=_("copy"))
    except QbankError as exc:
        db.session.rollback()
        flash(describe(exc), "error")
        return redirect(url_for("blueprints.detail", blueprint_id=record.id))
    db.session.commit()
    flash(_("A copy was created; edit it as you need."), "success")
    return redirect(url_for("blueprints.edit", blueprint_id=new.id))


@bp.post("/import")
@roles_required(Role.EXAMINER)
def upload():  # type: ignore[no-untyped-def]
    file = request.files.get("file")
    if file is None or not file.filename:
        flash(_("Choose a YAML file."), "warning")
        return redirect(url_for("blueprints.index"))
    source = file.read(MAX_UPLOAD + 1).decode("utf-8-sig", "replace").replace("\r\n", "\n")
    try:
        record = blueprints.create_blueprint(db.session, source, _user())
    except QbankError as exc:
        db.session.rollback()
        return _editor(None, source, _problems(exc), 422)
    db.session.commit()
    flash(_("Blueprint imported."), "success")
    return redirect(url_for("blueprints.detail", blueprint_id=record.id))


@bp.get("/<int:blueprint_id>/export")
@roles_required(*READERS)
def export(blueprint_id: int):  # type: ignore[no-untyped-def]
    record = blueprints.get_blueprint(db.session, blueprint_id)
    response = Response(record.source, mimetype="application/x-yaml; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{blueprints.export_filename(record)}"'
    )
    return response
