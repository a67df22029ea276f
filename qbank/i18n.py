"""Language choice: the user's saved preference, else the language cookie, else Chinese."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from flask_login import current_user

from qbank.extensions import babel

COOKIE = "qbank_lang"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI: the configured default
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    chosen = request.cookies.get(COOKIE)
    if chosen in languages:
        return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def _language_context() -> dict[str, object]:
        from flask_babel import get_locale

        locale = str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])
        return {
            "current_locale": locale,
            "is_english": locale.startswith("en"),
            "languages": app.config["LANGUAGES"],
        }
