"""API v1: syllabus, calendar, eligibility, tokens, and the OpenAPI document."""

from __future__ import annotations

from flask import Flask

from qbank.accounts.models import Role
from tests.conftest import PASSWORD


def test_syllabus_tree(client) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/v1/syllabus").get_json()
    assert [s["code"] for s in data][:3] == ["management", "monitoring", "trading"]
    trading = data[2]
    assert trading["title"] == "碳交易专业技能"
    assert [p["code"] for p in trading["parts"]] == ["trading.1", "trading.2", "trading.3"]
    section = trading["parts"][2]["sections"][2]
    assert section == {
        "code": "trading.3.3",
        "number": 3,
        "title": "国家核证自愿减排项目(CCER)开发",
        "title_en": "Developing China Certified Emission Reduction (CCER) projects",
        "canonical_code": "trading.3.3",
    }
    assert sum(len(p["sections"]) for s in data for p in s["parts"]) == 92


def test_calendar_from_a_date(client) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/v1/calendar?from=2023-01-01&count=2").get_json()
    assert data[0]["date"] == "2023-01-28" and data[0]["scheduled"] == "2023-01-21"
    assert data[0]["postponed"] is True and data[0]["postponed_for"] == "Spring Festival"
    assert data[1]["date"] == "2023-03-18"
    bad = client.get("/api/v1/calendar?from=2023-13-01")
    assert bad.status_code == 422 and "from" in str(bad.get_json()["details"])


def test_eligibility(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/v1/eligibility",
        json={"education": "college", "related_major": True, "years_in_field": 1},
    )
    data = response.get_json()
    assert data["cutoff_date"] == "2022-12-31"
    by_level = {lv["level"]: lv for lv in data["levels"]}
    assert by_level["senior"]["eligible"] and by_level["senior"]["rules"][0]["id"] == "senior.5"
    bad = client.post("/api/v1/eligibility", json={"education": "college", "years_in_field": -1})
    assert bad.status_code == 422
    not_json = client.post(
        "/api/v1/eligibility", data="education=college", content_type="text/plain"
    )
    assert not_json.status_code == 422


class TestCutoffSetting:
    def test_the_cutoff_is_a_setting(self, app_config) -> None:  # type: ignore[no-untyped-def]
        from qbank import create_app

        app = create_app({**app_config, "ELIGIBILITY_CUTOFF": "2025-06-30"})
        data = (
            app.test_client()
            .post("/api/v1/eligibility", json={"education": "none", "started_on": "2022-06-30"})
            .get_json()
        )
        assert data["cutoff_date"] == "2025-06-30"
        assert {lv["level"]: lv["eligible"] for lv in data["levels"]}["junior"] is True
        from qbank.db import db

        with app.app_context():
            db.engine.dispose()


def test_token_flow(app: Flask, make_user) -> None:
    user = make_user(Role.LEARNER)
    client = app.test_client()
    issued = client.post(
        "/api/v1/auth/token", json={"username": user.username, "password": PASSWORD}
    )
    assert issued.status_code == 201
    token = issued.get_json()["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me["username"] == user.username and me["roles"] == ["learner"]
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    client.delete("/api/v1/auth/token", headers={"Authorization": f"Bearer {token}"})
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    wrong = client.post("/api/v1/auth/token", json={"username": user.username, "password": "x"})
    assert wrong.status_code == 401 and wrong.get_json()["code"] == "bad_credentials"


def test_openapi_document_lists_every_api_route(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    import re

    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = {
        (path, method.upper())
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and not rule.endpoint.startswith("api-docs."):
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
            routed |= {(path, m) for m in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    assert routed and routed <= documented, routed - documented
