"""Hostile input is inert everywhere: script payloads in question text, options, explanations,
sources, tags, names and search queries never reach a page as markup; SQL-looking input in
search and filters is just text; the exam page never carries keys or explanations."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from qbank.accounts.models import Role
from qbank.accounts.services import issue_api_token
from qbank.db import db

PAYLOADS = [
    "<script>alert('x1')</script>",
    "<img src=x onerror=alert('x2')>",
    "\"><svg onload=alert('x3')>",
    "[click](javascript:alert('x4'))",
    "<a href=\"javascript:alert('x5')\">link</a>",
    "{{ 7*7 }} {% print 'x6' %}",
]
class _Markup(HTMLParser):
    """Collects what the browser would treat as active markup."""

    def __init__(self) -> None:
        super().__init__()
        self.active: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and "src" not in names and names.get("type") != "application/json":
            self.active.append("inline <script>")
        for name, value in attrs:
            if name.startswith("on"):
                self.active.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.active.append(f"<{tag} {name}=javascript:…>")


def assert_inert(html: str) -> None:
    parser = _Markup()
    parser.feed(html)
    assert parser.active == []
    assert "碳排放题 49" not in html  # template syntax in content is never evaluated


@pytest.fixture
def hostile_question(app, make_user):  # type: ignore[no-untyped-def]
    author = make_user(Role.AUTHOR, display_name="<script>alert('name')</script>")
    token, _ = issue_api_token(db.session, author)
    db.session.commit()
    body = {
        "type": "single", "section": "management.1.1", "difficulty": 2,
        "stem": "碳排放题 " + " ".join(PAYLOADS),
        "options": [{"key": "A", "text": PAYLOADS[1], "correct": True},
                    {"key": "B", "text": PAYLOADS[2]}, {"key": "C", "text": PAYLOADS[3]},
                    {"key": "D", "text": PAYLOADS[4]}],
        "explanation": " ".join(PAYLOADS), "source": PAYLOADS[0], "tags": ["<b>t</b>"],
        "enemy_group": "<i>e</i>",
    }
    response = app.test_client().post("/api/v1/questions", json=body,
                                      headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_payloads_are_inert_on_every_authoring_page(app, login, hostile_question) -> None:  # type: ignore[no-untyped-def]
    qid = hostile_question["id"]
    reviewer = login(Role.REVIEWER)
    for url in (f"/questions/{qid}", f"/questions/{qid}/history", "/questions",
                "/questions?q=%3Cscript%3E", f"/questions/{qid}/edit"):
        response = reviewer.get(url)
        assert response.status_code == 200, url
        assert_inert(response.get_data(as_text=True))
    preview = reviewer.post("/questions/preview", json={"fields": {"stem": " ".join(PAYLOADS)}})
    assert_inert(preview.get_json()["html"]["stem"])


@pytest.mark.parametrize("query", ["' OR 1=1 --", "%", "_", "\\", "'; DROP TABLE question; --",
                                   "\" OR \"\"=\"", "碳 ' UNION SELECT password_hash FROM user_account --"])
def test_sql_looking_search_is_just_text(app, login, query: str) -> None:  # type: ignore[no-untyped-def]
    client = login(Role.REVIEWER)
    page = client.get("/questions", query_string={"q": query, "section": query, "tag": query})
    assert page.status_code == 200
    assert "argon2" not in page.get_data(as_text=True)
    api = client.get("/api/v1/questions", query_string={"q": query})
    assert api.status_code == 200
    assert api.get_json()["total"] == 0 or query in ("%", "_", "\\")
    from sqlalchemy import func, select

    from qbank.authoring.models import Question

    assert db.session.scalar(select(func.count()).select_from(Question)) > 900


def test_the_exam_page_never_carries_keys_or_explanations(app, make_user) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import sign_in

    learner = make_user(Role.LEARNER, specialty="sink", level="junior")
    client = sign_in(app.test_client(), learner)
    response = client.post("/practice/sprints")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    from qbank.practice.models import Attempt

    attempt = db.session.query(Attempt).filter_by(learner_id=learner.id).one()
    for item in attempt.items:
        v = item.version
        for secret in [v.explanation, v.reference_answer, *[p["text"] for p in v.rubric]]:
            if secret and len(secret) > 12:
                assert secret[:40] not in page
    assert '"correct"' not in page and "data-correct" not in page and "✓" not in page
    api = client.get(f"/api/v1/sprints/{attempt.id}", headers={"X-CSRFToken": "unused"})
    text = api.get_data(as_text=True)
    assert '"keys"' not in text and "explanation" not in text and "rubric" not in text


def test_security_headers(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    page = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", page)


def test_the_inertness_check_itself_catches_live_markup() -> None:
    for live in ("<img src=x onerror=alert(1)>", "<script>alert(1)</script>",
                 "<a href='javascript:alert(1)'>x</a>", "<p>碳排放题 49</p>"):
        with pytest.raises(AssertionError):
            assert_inert(live)
    assert_inert("&lt;img src=x onerror=alert(1)&gt; <script src='/static/x.js'></script>")
