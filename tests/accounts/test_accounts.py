"""Accounts: registration, sign-in with lockout, roles granted by admins, CSRF, sessions, tokens."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import select

from qbank.accounts import services
from qbank.accounts.models import AuditEvent, Role, User
from qbank.db import db
from qbank.errors import ValidationError
from tests.conftest import PASSWORD, sign_in


def test_learners_register_themselves_with_a_track(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/register")
    assert "碳交易专业技能" in page.get_data(as_text=True)
    response = client.post(
        "/register",
        data={
            "username": "wang.lei",
            "display_name": "王磊",
            "password": "s3cret-pass",
            "confirm": "s3cret-pass",
            "specialty": "sink",
            "level": "senior",
        },
    )
    assert response.status_code == 302
    user = services.find_user(db.session, "wang.lei")
    assert user is not None and user.roles == {Role.LEARNER}
    assert (user.specialty_code, user.level_code) == ("sink", "senior")
    assert user.password_hash.startswith("$argon2")
    assert client.get("/account").status_code == 200  # signed in straight away


def test_registration_rejects_a_taken_name_and_loses_nothing(client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user(Role.LEARNER, username="taken")
    response = client.post(
        "/register",
        data={
            "username": "TAKEN",
            "display_name": "x",
            "password": "s3cret-pass",
            "confirm": "s3cret-pass",
            "specialty": "sink",
            "level": "senior",
        },
    )
    assert response.status_code == 422
    assert "already taken" in response.get_data(as_text=True) or "已被" in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(User).where(User.username == "TAKEN")) is None


def test_nobody_registers_as_anything_but_a_learner(client) -> None:  # type: ignore[no-untyped-def]
    client.post(
        "/register",
        data={
            "username": "sneaky",
            "display_name": "x",
            "password": "s3cret-pass",
            "confirm": "s3cret-pass",
            "specialty": "sink",
            "level": "senior",
            "roles": "admin",
        },
    )
    assert services.find_user(db.session, "sneaky").roles == {Role.LEARNER}


def test_lockout_after_repeated_failures(app: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user(Role.AUTHOR)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert (
            client.post("/login", data={"username": user.username, "password": "wrong"}).status_code
            == 401
        )
    # locked now: even the right password is refused
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    db.session.refresh(user)
    assert user.locked_until is not None
    # ... until the lockout has passed
    user.locked_until = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    db.session.commit()
    assert (
        client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code
        == 302
    )


def test_unknown_user_and_wrong_password_look_the_same(client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user(Role.AUTHOR, username="real")
    a = client.post("/login", data={"username": "real", "password": "nope-nope"})
    b = client.post("/login", data={"username": "ghost", "password": "nope-nope"})
    assert a.status_code == b.status_code == 401


def test_admin_grants_roles_and_it_is_audited(app: Flask, make_user) -> None:
    admin = make_user(Role.ADMIN)
    expert = make_user(Role.LEARNER)
    client = sign_in(app.test_client(), admin)
    response = client.post(
        f"/admin/users/{expert.id}", data={"roles": ["author", "reviewer"], "enabled": "y"}
    )
    assert response.status_code == 302
    db.session.refresh(expert)
    assert expert.roles == {Role.AUTHOR, Role.REVIEWER}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.roles"))
    assert event is not None and event.actor_id == admin.id and "author" in event.detail


def test_admin_creates_users_on_the_web(app: Flask, make_user) -> None:
    client = sign_in(app.test_client(), make_user(Role.ADMIN))
    response = client.post(
        "/admin/users",
        data={
            "username": "examiner.li",
            "display_name": "李",
            "password": "exam-pass-1",
            "roles": ["examiner"],
        },
    )
    assert response.status_code == 302
    assert services.find_user(db.session, "examiner.li").roles == {Role.EXAMINER}


def test_an_admin_cannot_lock_themselves_out(app: Flask, make_user) -> None:
    admin = make_user(Role.ADMIN)
    with pytest.raises(ValidationError):
        services.set_roles(db.session, admin, [Role.AUTHOR], admin)
    with pytest.raises(ValidationError):
        services.set_enabled(db.session, admin, False, admin)


def test_disabling_a_user_ends_their_sessions(app: Flask, make_user) -> None:
    admin = make_user(Role.ADMIN)
    author = make_user(Role.AUTHOR)
    author_client = sign_in(app.test_client(), author)
    assert author_client.get("/account").status_code == 200
    services.set_enabled(db.session, author, False, admin)
    db.session.commit()
    assert author_client.get("/account").status_code == 302


def test_password_change_signs_out_other_sessions(app: Flask, make_user) -> None:
    user = make_user(Role.LEARNER)
    first, second = sign_in(app.test_client(), user), sign_in(app.test_client(), user)
    response = first.post(
        "/account",
        data={"pw-current": PASSWORD, "pw-new": "another-pass-2", "pw-confirm": "another-pass-2"},
    )
    assert response.status_code == 302
    assert first.get("/account").status_code == 200
    assert second.get("/account").status_code == 302


def test_session_cookie_flags(app: Flask, make_user) -> None:
    user = make_user(Role.LEARNER)
    response = app.test_client().post(
        "/login", data={"username": user.username, "password": PASSWORD}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_create_user_command(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-user",
            "reviewer.zhou",
            "--role",
            "reviewer",
            "--role",
            "author",
            "--password",
            "review-pass-1",
        ]
    )
    assert result.exit_code == 0, result.output
    assert services.find_user(db.session, "reviewer.zhou").roles == {Role.REVIEWER, Role.AUTHOR}
    again = runner.invoke(
        args=["create-user", "reviewer.zhou", "--role", "reviewer", "--password", "review-pass-1"]
    )
    assert again.exit_code != 0 and "已被使用" in again.output


def test_weak_passwords_are_refused(app: Flask) -> None:
    with pytest.raises(ValidationError, match="password_too_short"):
        services.create_user(db.session, "shorty", "1234567")
    with pytest.raises(ValidationError, match="password_is_username"):
        services.create_user(db.session, "samename1", "SameName1")


class TestCsrf:
    @pytest.fixture
    def app_config(self, app_config):  # type: ignore[no-untyped-def]
        return {**app_config, "WTF_CSRF_ENABLED": True}

    def test_forms_without_a_token_are_refused(self, client, make_user) -> None:  # type: ignore[no-untyped-def]
        user = make_user(Role.LEARNER)
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 400
        assert services.find_user(db.session, user.username).last_login_at is None

    def test_forms_with_the_token_pass(self, client, make_user) -> None:  # type: ignore[no-untyped-def]
        import re

        user = make_user(Role.LEARNER)
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post(
            "/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302

    def test_cookie_api_writes_need_the_header_but_tokens_do_not(
        self, app, client, make_user
    ) -> None:  # type: ignore[no-untyped-def]
        user = make_user(Role.LEARNER)
        token, _ = services.issue_api_token(db.session, user)
        db.session.commit()
        bearer = {"Authorization": f"Bearer {token}"}
        assert client.delete("/api/v1/auth/token", headers=bearer).status_code == 204
        anonymous = client.post("/api/v1/eligibility", json={"education": "college"})
        assert anonymous.status_code == 200
