"""The sprint API end to end: start (assembled by the solver), save, reload, hand in."""

from __future__ import annotations

import uuid

from qbank.accounts.models import Role
from qbank.accounts.services import issue_api_token
from qbank.db import db


def _client(app, make_user):  # type: ignore[no-untyped-def]
    user = make_user(Role.LEARNER, specialty="sink", level="junior")
    token, _ = issue_api_token(db.session, user)
    db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def test_a_full_sprint_through_the_api(app, make_user) -> None:  # type: ignore[no-untyped-def]
    client = _client(app, make_user)
    started = client.post("/api/v1/sprints", json={})
    assert started.status_code == 201, started.get_json()
    exam = started.get_json()
    assert exam["status"] == "in_progress" and len(exam["items"]) == 64
    assert sum(i["points"] for i in exam["items"]) == 100
    assert 7190 < exam["remaining_seconds"] <= 7200
    assert all("keys" not in i and "explanation" not in i for i in exam["items"])
    first = exam["items"][0]
    body = {"answer": {"keys": [first["options"][0]["key"]]}, "seq": 1, "key": uuid.uuid4().hex}
    url = f"/api/v1/sprints/{exam['id']}/items/1"
    assert client.put(url, json=body).get_json()["stored"] is True
    assert client.put(url, json=body).get_json()["stored"] is False  # the retry
    reread = client.get(f"/api/v1/sprints/{exam['id']}").get_json()
    assert reread["items"][0]["answer"] == body["answer"]
    done = client.post(f"/api/v1/sprints/{exam['id']}/submit").get_json()
    assert done["status"] == "submitted" and done["score"] is not None
    assert done["items"][0]["keys"]  # keys only after hand-in
    again = client.post(f"/api/v1/sprints/{exam['id']}/submit").get_json()
    assert again["score"] == done["score"] and again["submitted_at"] == done["submitted_at"]
    closed = client.put(url, json={**body, "key": uuid.uuid4().hex, "seq": 2})
    assert closed.status_code == 409 and closed.get_json()["code"] == "attempt_closed"
    listed = client.get("/api/v1/sprints").get_json()
    assert listed[0]["id"] == exam["id"] and listed[0]["score"] == done["score"]


def test_a_new_sprint_prefers_unseen_questions(app, make_user) -> None:  # type: ignore[no-untyped-def]
    client = _client(app, make_user)
    first = client.post("/api/v1/sprints", json={}).get_json()
    client.post(f"/api/v1/sprints/{first['id']}/submit")
    second = client.post("/api/v1/sprints", json={}).get_json()
    def stems(exam):  # type: ignore[no-untyped-def]
        return {i["stem"] for i in exam["items"]}
    assert not stems(first) & stems(second)  # the starter bank fills two disjoint papers


def test_learners_only_see_their_own(app, make_user) -> None:  # type: ignore[no-untyped-def]
    mine = _client(app, make_user)
    exam = mine.post("/api/v1/sprints", json={}).get_json()
    other = _client(app, make_user)
    assert other.get(f"/api/v1/sprints/{exam['id']}").status_code == 404
    assert other.put(f"/api/v1/sprints/{exam['id']}/items/1", json={
        "answer": None, "seq": 1, "key": "k" * 10}).status_code == 404
    assert other.post(f"/api/v1/sprints/{exam['id']}/submit").status_code == 404
