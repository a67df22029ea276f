"""The route × role matrix, generated from the app's URL map: every route declares who may open
it, and every route is visited as anonymous and as each role. New routes are covered by
construction — a route without a declared rule fails `test_every_route_declares_access`."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from werkzeug.routing import Rule

from qbank.accounts.models import Role
from qbank.accounts.permissions import may_access
from tests.conftest import sign_in

SAMPLE_ARGS = {"int": 987654, "string": "no-such-thing", "path": "no/such/thing", "default": "x"}
# Routes whose effect would end the signed-in session mid-matrix are visited last.
SESSION_ENDING = {"accounts.logout"}


def _access(app: Flask, rule: Rule) -> tuple[str, ...] | None:
    if rule.endpoint == "static":
        return ("public",)
    view = app.view_functions[rule.endpoint]
    return getattr(view, "qbank_access", None)


def _url(rule: Rule) -> str:
    values: dict[str, Any] = {}
    for arg in rule.arguments:
        converter = type(rule._converters[arg]).__name__.lower()
        kind = "int" if "integer" in converter else "path" if "path" in converter else "string"
        values[arg] = SAMPLE_ARGS[kind]
    return rule.build(values)[1]  # type: ignore[index]


def _routes(app: Flask) -> list[tuple[Rule, str]]:
    out = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            out.append((rule, method))
    return sorted(out, key=lambda rm: (rm[0].endpoint in SESSION_ENDING, rm[0].rule, rm[1]))


def test_every_route_declares_access(app: Flask) -> None:
    missing = [r.endpoint for r in app.url_map.iter_rules() if _access(app, r) is None]
    assert missing == []


def _denied(response: Any, anonymous: bool, path: str) -> bool:
    if anonymous:
        if path.startswith("/api/"):
            return response.status_code == 401
        return response.status_code == 302 and "/login" in response.headers["Location"]
    return response.status_code == 403


@pytest.mark.parametrize("identity", ["anonymous", *[r.value for r in Role]])
def test_route_role_matrix(app: Flask, make_user, identity: str) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    roles = None
    if identity != "anonymous":
        user = make_user(Role(identity))
        sign_in(client, user)
        roles = frozenset({Role(identity)})
    problems = []
    checked = 0
    for rule, method in _routes(app):
        access = _access(app, rule)
        assert access is not None
        url = _url(rule)
        response = client.open(
            url,
            method=method,
            json={} if url.startswith("/api/") and method in ("POST", "PUT", "PATCH") else None,
        )
        allowed = may_access(access, roles)
        denied = _denied(response, roles is None, url)
        checked += 1
        if allowed and (
            denied or response.status_code in (401, 403) or response.status_code >= 500
        ):
            problems.append(f"{identity} should open {method} {url}: got {response.status_code}")
        if not allowed and not denied:
            problems.append(f"{identity} must not open {method} {url}: got {response.status_code}")
        if roles is not None and rule.endpoint in SESSION_ENDING:
            sign_in(client, user)
    assert checked > 10
    assert problems == []


def test_admin_passes_every_role_check() -> None:
    assert may_access(("author",), frozenset({Role.ADMIN}))
    assert not may_access(("author",), frozenset({Role.LEARNER}))
    assert not may_access(("signed_in",), None)
    assert may_access(("public",), None)
