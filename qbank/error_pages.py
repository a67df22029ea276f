"""Maps domain errors and HTTP errors to JSON for the API and to a page for people."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from qbank.errors import QbankError
from qbank.messages import describe

F = TypeVar("F", bound=Callable[..., Any])


def returns_json(view: F) -> F:
    """Marks a page-side view that speaks JSON (used by scripts): its errors are JSON too."""
    view.returns_json = True  # type: ignore[attr-defined]
    return view


def _wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and getattr(view, "returns_json", False):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(QbankError)
    def handle_domain_error(error: QbankError):  # type: ignore[no-untyped-def]
        if _wants_json():
            body: dict[str, Any] = {
                "error": type(error).__name__,
                "code": error.message,
                "message": describe(error),
            }
            if error.details:
                body["details"] = error.details
            return jsonify(body), error.status
        return (
            render_template("error.html", status=error.status, message=describe(error)),
            error.status,
        )

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        status = error.code or 500
        messages = {
            400: _("The request could not be understood."),
            401: _("Please sign in first."),
            403: _("You do not have permission to open this page."),
            404: _("This page does not exist."),
            405: _("This action is not allowed here."),
            413: _("The upload is too large."),
            429: _("Too many attempts. Please wait a moment and try again."),
        }
        message = messages.get(status, error.description or error.name)
        if isinstance(error, CSRFError):
            message = _(
                "This form has expired or was sent from elsewhere. Reload the page and try again."
            )
        if _wants_json():
            body: dict[str, Any] = {"error": error.name, "message": message}
            # flask-smorest puts field errors on the exception
            extra = getattr(error, "data", None)
            if isinstance(extra, dict) and "messages" in extra:
                body["details"] = extra["messages"]
            return jsonify(body), status
        return render_template("error.html", status=status, message=message), status
