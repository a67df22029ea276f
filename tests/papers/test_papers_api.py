"""The papers API: same rules as the pages, errors as JSON, documented."""

from __future__ import annotations

from qbank.accounts.models import Role
from qbank.accounts.services import issue_api_token
from qbank.db import db
from qbank.papers import blueprints


def _bearer(make_user, *roles):  # type: ignore[no-untyped-def]
    user = make_user(*roles)
    token, _ = issue_api_token(db.session, user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_blueprints_assemble_publish_and_download(app, make_user) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    examiner = _bearer(make_user, Role.EXAMINER)
    listed = client.get("/api/v1/blueprints?specialty=sink", headers=examiner).get_json()
    assert len(listed) == 3 and all("source" not in b for b in listed)
    bid = next(b["id"] for b in listed if b["level"] == "junior")
    one = client.get(f"/api/v1/blueprints/{bid}", headers=examiner).get_json()
    assert one["is_default"] and "specialty: sink" in one["source"]
    bad = client.put(
        f"/api/v1/blueprints/{bid}", json={"source": "name: x\nlevel: top\n"}, headers=examiner
    )
    assert bad.status_code == 422 and bad.get_json()["code"] == "invalid_blueprint"
    assert {"line", "message"} <= set(bad.get_json()["details"]["problems"][0])
    edited = one["source"].replace("cut_score: 60", "cut_score: 61")
    ok = client.put(f"/api/v1/blueprints/{bid}", json={"source": edited}, headers=examiner)
    assert ok.status_code == 200 and ok.get_json()["is_edited"]

    made = client.post(
        "/api/v1/papers/assemble",
        json={"blueprint_id": bid, "forms": 2, "seed": 4},
        headers=examiner,
    )
    assert made.status_code == 201, made.get_json()
    papers = made.get_json()["papers"]
    assert len(papers) == 2 and all(p["violations"] == [] for p in papers)
    assert len(papers[0]["items"]) == 64 and papers[0]["items"][0]["version"] >= 1
    pid = papers[0]["id"]
    reviewer = _bearer(make_user, Role.REVIEWER)
    assert (
        client.post(f"/api/v1/papers/{pid}/publish", json={}, headers=reviewer).status_code == 403
    )
    published = client.post(f"/api/v1/papers/{pid}/publish", json={}, headers=examiner)
    assert published.status_code == 200 and published.get_json()["status"] == "published"
    again = client.post(f"/api/v1/papers/{pid}/publish", json={}, headers=examiner)
    assert again.status_code == 409 and again.get_json()["code"] == "paper_published"
    other = _bearer(make_user, Role.EXAMINER)
    visible = {p["id"] for p in client.get("/api/v1/papers", headers=other).get_json()}
    assert visible == {pid}  # the other form is still somebody else's draft
    assert client.get(f"/api/v1/papers/{papers[1]['id']}", headers=other).status_code == 404
    docx = client.get(f"/api/v1/papers/{pid}/export/key.docx", headers=other)
    assert docx.status_code == 200 and docx.data[:2] == b"PK"


def test_infeasible_assembly_is_a_422_with_the_diagnosis(app, make_user) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    examiner = _bearer(make_user, Role.EXAMINER)
    record = blueprints.default_blueprint_for(db.session, "trading", "senior")
    blueprints.update_blueprint(
        db.session,
        record,
        record.source.replace(
            "{code: trading.2.1, min_count: 1}", "{code: trading.2.1, min_count: 25}"
        ),
        None,
    )
    db.session.commit()
    response = client.post(
        "/api/v1/papers/assemble", json={"blueprint_id": record.id}, headers=examiner
    )
    body = response.get_json()
    assert response.status_code == 422 and body["code"] == "assembly_infeasible"
    assert any("trading section 2.1" in d["en"] for d in body["details"]["diagnosis"])
    learner = _bearer(make_user, Role.LEARNER)
    assert client.get("/api/v1/papers", headers=learner).status_code == 403
    assert client.get("/api/v1/blueprints").status_code == 401


def test_openapi_documents_the_papers_api(app) -> None:  # type: ignore[no-untyped-def]
    paths = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/blueprints", "/api/v1/blueprints/{blueprint_id}", "/api/v1/papers",
                 "/api/v1/papers/assemble", "/api/v1/papers/{paper_id}",
                 "/api/v1/papers/{paper_id}/publish", "/api/v1/papers/{paper_id}/export/{kind}.{fmt}"):  # fmt: skip
        assert path in paths, path
