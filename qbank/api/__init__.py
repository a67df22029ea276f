"""JSON API v1 over the same services as the web pages, with its OpenAPI document at
/api/v1/openapi.json. One module per room; each registers its blueprint here."""

from __future__ import annotations

from flask_smorest import Api


def register_api(api: Api) -> None:
    from qbank.api import auth, papers, practice, questions, syllabus

    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "POST /api/v1/auth/token"}
    )
    api.spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": "session"}
    )
    for module in (syllabus, auth, questions, practice, papers):
        api.register_blueprint(module.blp)
