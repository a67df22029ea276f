"""Shared fixtures: a real database per test (SQLite file or PostgreSQL, from a migrated and
loaded template), the app, clients signed in as each role, and factories."""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings as hypothesis_settings

from qbank import create_app
from qbank.accounts.models import Role, User
from qbank.db import db

REPO = Path(__file__).resolve().parents[1]
# The same examples on every run: CI stays green or red for a reason, never by the draw.
hypothesis_settings.register_profile("qbank", database=None, derandomize=True)
hypothesis_settings.load_profile(os.environ.get("QBANK_HYPOTHESIS_PROFILE", "qbank"))
PG_URL = os.environ.get("QBANK_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", "postgresql"]
PASSWORD = "correct-horse-9"


def pytest_report_header(config: pytest.Config) -> str:
    return f"qbank databases: sqlite + {'postgresql at ' + PG_URL if PG_URL else 'no postgresql'}"


def _build(url: str, instance: Path) -> None:
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "t",
            "INSTANCE_PATH": str(instance),
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        from qbank.contentload import load_content

        upgrade()
        load_content(db.session, REPO / "content")
        db.session.commit()
        db.engine.dispose()


class DatabaseFactory:
    """Hands out fresh databases copied from a template built once per session."""

    def __init__(self, backend: str, workdir: Path) -> None:
        self.backend = backend
        self.workdir = workdir
        self.counter = itertools.count()
        self._template: str | None = None

    def _admin_engine(self) -> sa.Engine:
        return sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)

    def template(self) -> str:
        if self._template is None:
            if self.backend == "sqlite":
                path = self.workdir / "template.sqlite3"
                _build(f"sqlite:///{path}", self.workdir / "instance-template")
                self._template = str(path)
            else:
                name = f"qbank_tpl_{uuid.uuid4().hex[:8]}"
                engine = self._admin_engine()
                with engine.connect() as c:
                    c.execute(sa.text(f'CREATE DATABASE "{name}"'))
                engine.dispose()
                _build(self._url(name), self.workdir / "instance-template")
                self._template = name
        return self._template

    def _url(self, name: str) -> str:
        return sa.engine.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    def create(self) -> str:
        template = self.template()
        n = next(self.counter)
        if self.backend == "sqlite":
            path = self.workdir / f"db{n}.sqlite3"
            shutil.copyfile(template, path)
            return f"sqlite:///{path}"
        name = f"{template}_{n}"
        engine = self._admin_engine()
        with engine.connect() as c:
            # PostgreSQL 15's default WAL_LOG strategy takes ~0.6 s per copy; FILE_COPY ~0.1 s
            version = c.execute(sa.text("SHOW server_version_num")).scalar_one()
            strategy = " STRATEGY FILE_COPY" if int(version) >= 150000 else ""
            c.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{strategy}'))
        engine.dispose()
        return self._url(name)

    def drop(self, url: str) -> None:
        if self.backend == "sqlite":
            return
        name = sa.engine.make_url(url).database
        engine = self._admin_engine()
        with engine.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    def close(self) -> None:
        if self.backend == "postgresql" and self._template:
            self.drop(self._url(self._template))


@pytest.fixture(scope="session")
def database_factories(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, DatabaseFactory]]:
    factories = {b: DatabaseFactory(b, tmp_path_factory.mktemp(b)) for b in BACKENDS}
    yield factories
    for f in factories.values():
        f.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not PG_URL:
        if os.environ.get("QBANK_REQUIRE_POSTGRES"):
            pytest.fail("QBANK_REQUIRE_POSTGRES is set but QBANK_TEST_POSTGRES_URL is not")
        pytest.skip("PostgreSQL not configured: set QBANK_TEST_POSTGRES_URL (scripts/test does)")
    return str(request.param)


@pytest.fixture
def database_url(backend: str, database_factories: dict[str, DatabaseFactory]) -> Iterator[str]:
    factory = database_factories[backend]
    url = factory.create()
    yield url
    factory.drop(url)


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "CONTENT_DIR": str(REPO / "content"),
        "LOGIN_LOCKOUT_SECONDS": 60,
        "PASSWORD_HASH_TIME_COST": 1,  # cheap hashes: the suite signs in hundreds of times
        "PASSWORD_HASH_MEMORY_KIB": 1024,
    }


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    application = create_app(app_config)
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_user(app: Flask):  # type: ignore[no-untyped-def]
    from qbank.accounts.services import create_user

    counter = itertools.count(1)

    def make(*roles: Role, username: str | None = None, **kwargs: Any) -> User:
        roles = roles or (Role.LEARNER,)
        name = username or f"{roles[0].value}{next(counter)}"
        if Role.LEARNER in roles:
            kwargs.setdefault("specialty", "trading")
            kwargs.setdefault("level", "intermediate")
        user = create_user(db.session, name, PASSWORD, roles=roles, **kwargs)
        db.session.commit()
        return user

    return make


def sign_in(client: FlaskClient, user: User) -> FlaskClient:
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.data[:500]
    return client


@pytest.fixture
def login(app: Flask, make_user):  # type: ignore[no-untyped-def]
    """login(Role.AUTHOR) → a test client signed in as a new user with that role."""

    def do(*roles: Role, **kwargs: Any) -> FlaskClient:
        user = make_user(*roles, **kwargs)
        return sign_in(app.test_client(), user)

    return do
