"""The questions API: same rules as the pages, errors as JSON, documented."""

from __future__ import annotations

from qbank.accounts.models import Role
from qbank.accounts.services import issue_api_token
from qbank.db import db

BODY = {
    "type": "multiple",
    "stem": "下列哪些属于《京都议定书》管控的温室气体？",
    "options": [
        {"key": "A", "text": "二氧化碳", "correct": True},
        {"key": "B", "text": "甲烷", "correct": True},
        {"key": "C", "text": "氧气"},
        {"key": "D", "text": "氮气"},
    ],
    "section": "management.1.1",
    "difficulty": 1,
    "source": "《京都议定书》附件A",
    "explanation": "附件A列出 CO2、CH4、N2O、HFCs、PFCs、SF6。",
    "tags": ["京都议定书"],
}


def _bearer(make_user, *roles):  # type: ignore[no-untyped-def]
    user = make_user(*roles)
    token, _ = issue_api_token(db.session, user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}, user


def test_create_get_update_transition(app, make_user) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    author, _ = _bearer(make_user, Role.AUTHOR)
    reviewer, _ = _bearer(make_user, Role.REVIEWER)
    created = client.post("/api/v1/questions", json=BODY, headers=author)
    assert created.status_code == 201, created.get_json()
    q = created.get_json()
    assert q["status"] == "draft" and q["version"] == 1 and q["section"] == "management.1.1"
    bad = client.post(
        f"/api/v1/questions/{q['id']}/transitions", json={"action": "approve"}, headers=reviewer
    )
    assert bad.status_code == 409 and bad.get_json()["code"] == "invalid_transition"
    assert (
        client.post(
            f"/api/v1/questions/{q['id']}/transitions", json={"action": "submit"}, headers=author
        ).get_json()["status"]
        == "submitted"
    )
    approved = client.post(
        f"/api/v1/questions/{q['id']}/transitions", json={"action": "approve"}, headers=reviewer
    ).get_json()
    assert approved["status"] == "approved" and approved["live_version"] == 1
    edited = client.put(
        f"/api/v1/questions/{q['id']}", headers=author, json={**BODY, "difficulty": 2}
    ).get_json()
    assert edited["version"] == 2 and edited["live_version"] == 1 and edited["status"] == "draft"
    listed = client.get(
        "/api/v1/questions", query_string={"q": "京都议定书", "type": "multiple"}, headers=reviewer
    ).get_json()
    assert q["id"] in [i["id"] for i in listed["items"]]


def test_validation_and_access_errors(app, make_user) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    author, _ = _bearer(make_user, Role.AUTHOR)
    learner, _ = _bearer(make_user, Role.LEARNER)
    one_key = {**BODY, "options": [{**o, "correct": o["key"] == "A"} for o in BODY["options"]]}
    response = client.post("/api/v1/questions", json=one_key, headers=author)
    assert response.status_code == 422
    assert any("at least two keys" in p for p in response.get_json()["details"]["problems"])
    assert client.post("/api/v1/questions", json=BODY, headers=learner).status_code == 403
    assert client.get("/api/v1/questions", headers=learner).status_code == 403
    assert client.get("/api/v1/questions").status_code == 401
    missing = client.post("/api/v1/questions", json={"type": "single"}, headers=author)
    assert missing.status_code == 422 and "stem" in missing.get_json()["details"]["json"]
    assert client.get("/api/v1/questions/999999", headers=author).status_code == 404
