"""Learner pages: the practice home, the mock exam itself, and its results."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from qbank.accounts.models import Role
from qbank.accounts.permissions import roles_required
from qbank.db import db, utcnow
from qbank.errors import QbankError
from qbank.messages import describe
from qbank.practice import results, sessions
from qbank.practice.models import AttemptKind, AttemptStatus
from qbank.practice.presenters import attempt_view
from qbank.practice.queries import learner_attempts, running_attempt
from qbank.syllabus.services import all_sections, get_specialty

bp = Blueprint("practice", __name__, url_prefix="/practice")


@bp.get("")
@roles_required(Role.LEARNER)
def home():  # type: ignore[no-untyped-def]
    running = running_attempt(db.session, current_user, AttemptKind.MOCK)
    if running is not None and sessions.close_if_expired(db.session, running, utcnow()):
        db.session.commit()
        running = None
    history = learner_attempts(db.session, current_user, AttemptKind.MOCK, limit=20)
    specialty = get_specialty(db.session, current_user.specialty_code) \
        if current_user.specialty_code else None
    return render_template("practice/home.html", running=running, history=history,
                           specialty=specialty)


@bp.post("/sprints")
@roles_required(Role.LEARNER)
def start():  # type: ignore[no-untyped-def]
    from qbank.practice.forms import start_mock

    running = running_attempt(db.session, current_user, AttemptKind.MOCK)
    if running is not None and not sessions.close_if_expired(db.session, running, utcnow()):
        return redirect(url_for("practice.attempt", attempt_id=running.id))
    try:
        attempt = start_mock(db.session, current_user, utcnow(),
                             Path(current_app.config["CONTENT_DIR"]))
    except QbankError as exc:
        db.session.rollback()
        flash(describe(exc), "error")
        return redirect(url_for("practice.home"))
    db.session.commit()
    return redirect(url_for("practice.attempt", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>")
@roles_required(Role.LEARNER)
def attempt(attempt_id: int):  # type: ignore[no-untyped-def]
    a = sessions.get_own_attempt(db.session, attempt_id, current_user)
    now = utcnow()
    if sessions.close_if_expired(db.session, a, now):
        db.session.commit()
    view = attempt_view(a, now)
    if a.status == AttemptStatus.IN_PROGRESS:
        return render_template("practice/exam.html", a=a, view=view)
    parts = results.breakdown(a.items, "part")
    sections = results.breakdown(a.items, "section")
    previous = [x.score or 0.0 for x in reversed(learner_attempts(
        db.session, current_user, AttemptKind(a.kind), limit=20))
        if x.status == AttemptStatus.SUBMITTED and x.id != a.id and x.started_at < a.started_at]
    specialty = get_specialty(db.session, a.specialty_code)
    titles = {p.code: (p.title_en if _english() else p.title) for p in specialty.parts}
    titles.update({s.code: (s.title_en if _english() else s.title)
                   for s in all_sections(db.session).values()})
    return render_template("practice/results.html", a=a, view=view, parts=parts,
                           sections=sections, trend=results.trend(previous, a.score or 0.0),
                           titles=titles, weakest=results.weakest(parts, titles))


def _english() -> bool:
    from flask_babel import get_locale

    return str(get_locale()).startswith("en")


@bp.post("/attempts/<int:attempt_id>/self-assess")
@roles_required(Role.LEARNER)
def self_assess(attempt_id: int):  # type: ignore[no-untyped-def]
    a = sessions.get_own_attempt(db.session, attempt_id, current_user)
    try:
        position = int(request.form.get("position", ""))
        score = float(request.form.get("score", ""))
    except ValueError:
        abort(400)
    try:
        sessions.self_assess(db.session, a, position, score)
    except QbankError as exc:
        db.session.rollback()
        flash(describe(exc), "error")
    else:
        db.session.commit()
        flash(_("Your self-assessment is saved."), "success")
    return redirect(url_for("practice.attempt", attempt_id=a.id) + f"#q{position}")
