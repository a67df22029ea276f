"""The examiners' pages: access per role, the paper page (coverage table, curves), assembling,
swapping, publishing, blueprint editing with problems by line, the coverage matrix."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from qbank.accounts.models import Role
from qbank.db import db
from qbank.papers import blueprints
from qbank.papers.models import Paper, PaperStatus


@pytest.fixture
def login_en(login):  # type: ignore[no-untyped-def]
    """Signed-in clients that read the pages in English (the default is Chinese)."""

    def do(*roles: Role):  # type: ignore[no-untyped-def]
        client = login(*roles)
        client.set_cookie("qbank_lang", "en")
        return client

    return do


def default_id(specialty: str = "management", level: str = "intermediate") -> int:
    record = blueprints.default_blueprint_for(db.session, specialty, level)
    assert record is not None
    return record.id


def assemble(client, **form):  # type: ignore[no-untyped-def]
    data = {"blueprint": default_id(), "seed": 0, "time_limit": 20, **form}
    response = client.post("/papers/assemble", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/papers/(\d+)", response.headers["Location"]).group(1))


@pytest.mark.parametrize(
    ("role", "papers", "coverage", "assemble_page"),
    [
        (Role.LEARNER, 403, 403, 403),
        (Role.AUTHOR, 403, 200, 403),
        (Role.REVIEWER, 200, 200, 403),
        (Role.EXAMINER, 200, 200, 200),
    ],
)
def test_access_per_role(app, login, role, papers, coverage, assemble_page) -> None:  # type: ignore[no-untyped-def]
    client = login(role)
    assert client.get("/papers").status_code == papers
    assert client.get("/papers/blueprints").status_code == papers
    assert (
        client.get("/papers/coverage?specialty=sink&level=junior&forms=1").status_code == coverage
    )
    assert client.get("/papers/assemble").status_code == assemble_page
    assert app.test_client().get("/papers").status_code == 302  # anonymous: sign in first


def test_examiner_assembles_reviews_and_publishes(app, login_en) -> None:  # type: ignore[no-untyped-def]
    client = login_en(Role.EXAMINER)
    paper_id = assemble(client)
    page = client.get(f"/papers/{paper_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Coverage against the blueprint" in html and html.count("✓") >= 20 and "✗" not in html
    assert html.count("<svg") >= 2 and "Test information" in html  # information and score curves
    assert "standard normal" in html  # the population is assumed, and the page says so
    assert "management.1.1" in html and "/swap" in html
    response = client.post(f"/papers/{paper_id}/publish")
    assert response.status_code == 302
    paper = db.session.get(Paper, paper_id)
    assert paper.status == PaperStatus.PUBLISHED
    html = client.get(f"/papers/{paper_id}").get_data(as_text=True)
    assert "/swap" not in html and "/publish" not in html
    assert client.get(f"/papers/{paper_id}/items/1/swap").status_code == 409


def test_infeasible_assembly_explains_itself(app, login_en) -> None:  # type: ignore[no-untyped-def]
    client = login_en(Role.EXAMINER)
    record = blueprints.default_blueprint_for(db.session, "sink", "junior")
    blueprints.update_blueprint(
        db.session, record, record.source.replace("mean_b: [-0.6, 0]", "mean_b: [1.4, 1.5]"), None
    )
    db.session.commit()
    response = client.post("/papers/assemble", data={"blueprint": record.id})
    html = response.get_data(as_text=True)
    assert (
        response.status_code == 422 and "mean difficulty b" in html and "Nothing was saved" in html
    )
    assert db.session.scalar(select(Paper.id)) is None


def test_swap_page_offers_replacements_and_warns(app, login_en) -> None:  # type: ignore[no-untyped-def]
    client = login_en(Role.EXAMINER)
    paper_id = assemble(client)
    page = client.get(f"/papers/{paper_id}/items/64/swap")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Replacements that keep every rule" in html
    uids = re.findall(r'name="uid" value="([^"]+)"', html)
    assert uids
    single = db.session.get(Paper, paper_id).items[0].question.uid  # a single choice for a short
    response = client.post(f"/papers/{paper_id}/items/64/swap", data={"uid": single})
    assert response.status_code == 302  # already on the paper: refused with a message
    response = client.post(
        f"/papers/{paper_id}/items/64/swap", data={"uid": uids[0], "origin": "suggested"}
    )
    assert response.status_code == 302
    assert db.session.get(Paper, paper_id).items[63].question.uid == uids[0]


def test_other_examiners_drafts_are_not_found(app, login) -> None:  # type: ignore[no-untyped-def]
    paper_id = assemble(login(Role.EXAMINER))
    other = login(Role.EXAMINER)
    assert other.get(f"/papers/{paper_id}").status_code == 404
    assert other.post(f"/papers/{paper_id}/publish").status_code == 404
    assert login(Role.REVIEWER).get(f"/papers/{paper_id}").status_code == 200


def test_blueprint_editor_shows_problems_by_line(app, login_en) -> None:  # type: ignore[no-untyped-def]
    client = login_en(Role.EXAMINER)
    bid = default_id()
    source = client.get(f"/papers/blueprints/{bid}/export").get_data(as_text=True)
    assert source.startswith("#") and "specialty: management" in source
    broken = source.replace("total_points: 100", "total_points: lots")
    line = broken.splitlines().index("total_points: lots") + 1
    response = client.post(f"/papers/blueprints/{bid}/edit", data={"source": broken})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and f'data-goto-line="{line}"' in html
    assert "total_points must be a number" in html and "total_points: lots" in html
    fixed = source.replace("max_overlap: 0", "max_overlap: 3")
    assert client.post(f"/papers/blueprints/{bid}/edit", data={"source": fixed}).status_code == 302
    assert "edited" in client.get("/papers/blueprints").get_data(as_text=True)
    response = client.post(f"/papers/blueprints/{bid}/copy")
    assert response.status_code == 302 and "/edit" in response.headers["Location"]


def test_import_a_blueprint_file(app, login_en) -> None:  # type: ignore[no-untyped-def]
    import io

    client = login_en(Role.EXAMINER)
    source = blueprints.default_blueprint_for(db.session, "sink", "senior").source
    source = source.replace("name: 碳汇计量评估 高级 默认", "name: 碳汇 高级 2027 春季")
    response = client.post(
        "/papers/blueprints/import",
        data={"file": (io.BytesIO(source.encode()), "sink.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert "碳汇 高级 2027 春季" in client.get(response.headers["Location"]).get_data(as_text=True)
    response = client.post(
        "/papers/blueprints/import",
        data={"file": (io.BytesIO(b"name: [unclosed"), "bad.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "YAML syntax error" in response.get_data(as_text=True)


def test_coverage_page_marks_what_blocks(app, login_en) -> None:  # type: ignore[no-untyped-def]
    from qbank.authoring.models import Question, QuestionStatus

    client = login_en(Role.AUTHOR)
    html = client.get("/papers/coverage?specialty=sink&level=intermediate&forms=2").get_data(
        as_text=True
    )
    assert "disjoint papers of the default blueprint" in html and "sink.1.1" in html
    for q in db.session.scalars(select(Question).where(Question.section_code == "sink.1.2")):
        q.status = QuestionStatus.RETIRED.value
    db.session.commit()
    html = client.get("/papers/coverage?specialty=sink&level=intermediate&forms=2").get_data(
        as_text=True
    )
    assert "Not even one paper can be assembled" in html
    assert re.search(r'<tr class="blocks">\s*<td class="name"><span class="code">sink\.1\.2', html)
