"""Request-level safety: CSRF on every state-changing request (bearer-token API calls excepted),
sign-in by session or API token, and security headers on every response."""

from __future__ import annotations

from flask import Flask, Response, g, request
from flask_babel import refresh as refresh_locale
from flask_login import current_user

from qbank.accounts.services import configure_hasher, load_session_user, user_for_token
from qbank.db import db
from qbank.extensions import csrf, login_manager

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def init_security(app: Flask) -> None:
    configure_hasher(
        app.config.get("PASSWORD_HASH_TIME_COST"), app.config.get("PASSWORD_HASH_MEMORY_KIB")
    )
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(session_id: str):  # type: ignore[no-untyped-def]
        return load_session_user(db.session, session_id)

    @login_manager.request_loader
    def _from_token(req):  # type: ignore[no-untyped-def]
        token = _bearer_token() if req.path.startswith("/api/") else None
        if token is None:
            return None
        user = user_for_token(db.session, token)
        if user is not None:
            g.token_auth = True
            if db.session.dirty:
                db.session.commit()  # remember last use
        return user

    @app.before_request
    def _fresh_user() -> None:
        # Flask-Login caches the user on `g`. A request normally gets a fresh `g`, but when an
        # app context is already pushed (CLI tasks, tests) requests share it: start clean.
        g.pop("_login_user", None)
        refresh_locale()  # Flask-Babel caches the locale the same way

    @app.before_request
    def _csrf() -> None:
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return
        if not app.config.get("WTF_CSRF_ENABLED", True):
            return
        if request.path.startswith("/api/") and (
            _bearer_token() is not None or not current_user.is_authenticated
        ):
            # Token clients send no cookies and anonymous calls carry no identity: there is
            # nothing to forge. Cookie-signed-in API calls must send the X-CSRFToken header.
            return
        csrf.protect()

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if current_user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")
        return response
