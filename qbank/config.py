"""Configuration: defaults, then `QBANK_*` environment variables, then the test config."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_CONTENT_DIR = PACKAGE_DIR.parent / "content"


def _secret_key(instance: Path) -> str:
    """A key generated once into the instance folder; never a value written in the code."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def configure(app: Flask, test_config: dict[str, Any] | None) -> None:
    instance = Path(app.instance_path)
    app.config.update(
        DATABASE_URL=f"sqlite:///{instance / 'qbank.sqlite3'}",
        CONTENT_DIR=str(DEFAULT_CONTENT_DIR),
        SEARCH_BACKEND="auto",  # whoosh on SQLite, pg_trgm on PostgreSQL
        SEARCH_INDEX_DIR=str(instance / "search-index"),
        UPLOAD_DIR=str(instance / "uploads"),
        ELIGIBILITY_CUTOFF=None,  # ISO date; None means the date given in content/rules
        BABEL_DEFAULT_LOCALE="zh_Hans_CN",
        BABEL_DEFAULT_TIMEZONE="Asia/Shanghai",
        BABEL_TRANSLATION_DIRECTORIES=str(PACKAGE_DIR / "translations"),
        LANGUAGES={"zh_Hans_CN": "中文", "en": "English"},
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
        IMAGE_MAX_BYTES=2 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=False,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_CHECK_DEFAULT=False,  # checked in one before_request hook, see security.py
        WTF_CSRF_TIME_LIMIT=None,
        LOGIN_MAX_FAILURES=5,
        LOGIN_LOCKOUT_SECONDS=300,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        API_TITLE="qbank API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
    )
    app.config.from_prefixed_env("QBANK")
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", app.config["DATABASE_URL"])
    if app.config.get("HTTPS"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
