"""The front door: home page, language switch and health check."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, make_response, redirect, render_template, request
from flask_login import current_user
from sqlalchemy import text

from qbank.accounts.permissions import public
from qbank.db import db
from qbank.i18n import COOKIE

bp = Blueprint("site", __name__)


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Only same-site relative paths: never redirect to another host."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


@bp.get("/")
@public
def home():  # type: ignore[no-untyped-def]
    from qbank.syllabus import services

    specialties = services.list_specialties(db.session)
    sittings = services.next_sittings(db.session, count=1)
    return render_template(
        "home.html",
        specialties=specialties,
        next_sitting=sittings[0] if sittings else None,
        exam=services.exam_rules(db.session),
        user=current_user,
    )


@bp.get("/lang/<code>")
@public
def set_language(code: str):  # type: ignore[no-untyped-def]
    languages = current_app.config["LANGUAGES"]
    response = make_response(redirect(safe_next(request.args.get("next"))))
    if code in languages:
        response.set_cookie(
            COOKIE,
            code,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
        if current_user.is_authenticated and current_user.locale != code:
            current_user.locale = code
            db.session.commit()
    return response


@bp.get("/healthz")
@public
def health():  # type: ignore[no-untyped-def]
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")


def add_nav(app: object, group: str, endpoint: str, label: object) -> None:
    """Let a room put a link in the main navigation for `group` (learner, author, examiner)."""
    nav = app.extensions.setdefault("qbank_nav", {"learner": [], "author": [], "examiner": []})  # type: ignore[attr-defined]
    nav[group].append((endpoint, label))


@bp.app_context_processor
def _navigation() -> dict[str, object]:
    nav = current_app.extensions.get("qbank_nav", {})
    return {f"nav_{group}": nav.get(group, []) for group in ("learner", "author", "examiner")}
