"""Authoring pages: list and filters, editor, preview, similar questions, review, history, images."""

from __future__ import annotations

import io

from sqlalchemy import select

from qbank.accounts.models import Role
from qbank.authoring import questions as qs
from qbank.authoring import workflow
from qbank.authoring.models import Question, QuestionImage, QuestionStatus
from qbank.db import db
from tests.authoring.conftest import single

FORM = {
    "stem": "根据《碳排放权交易管理暂行条例》，重点排放单位应当在何时前清缴上年度配额？",
    "option_text": ["规定期限内", "每年1月1日", "随时", "无需清缴"],
    "option_correct": ["0"],
    "shuffle": "1",
    "explanation": "条例规定按期足额清缴。",
    "source": "《碳排放权交易管理暂行条例》（国务院令第775号）",
    "section": "management.4.2",
    "levels": ["junior", "intermediate"],
    "difficulty": "2",
    "tags": "清缴, 条例",
}


def test_author_creates_a_question_in_the_editor(app, login) -> None:  # type: ignore[no-untyped-def]
    client = login(Role.AUTHOR)
    page = client.get("/questions/new?type=single")
    assert page.status_code == 200 and "management.4.2" in page.get_data(as_text=True)
    response = client.post("/questions/new?type=single", data={**FORM, "submit_for_review": "1"})
    assert response.status_code == 302
    q = db.session.scalar(
        select(Question).where(
            Question.section_code == "management.4.2", Question.origin == "editor"
        )
    )
    assert q.status == QuestionStatus.SUBMITTED and q.tags == ["条例", "清缴"]
    assert q.levels == ["junior", "intermediate"] and q.current_version.keys == ["A"]
    detail = client.get(f"/questions/{q.id}").get_data(as_text=True)
    assert "重点排放单位" in detail and "清缴上年度配额" in detail


def test_a_rejected_form_keeps_what_was_typed(app, login) -> None:  # type: ignore[no-untyped-def]
    client = login(Role.AUTHOR)
    response = client.post("/questions/new?type=single", data={**FORM, "option_correct": []})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "exactly one key" in text and "清缴上年度配额" in text and "每年1月1日" in text


def test_preview_renders_sanitized_markdown_and_math(app, login) -> None:  # type: ignore[no-untyped-def]
    client = login(Role.AUTHOR)
    data = client.post(
        "/questions/preview",
        json={
            "fields": {
                "stem": "**活动数据（AD）**是 $E = AD \\times EF$ <img src=x onerror=alert(1)>"
            }
        },
    ).get_json()
    html = data["html"]["stem"]
    assert "<strong>活动数据（AD）</strong>是" in html and "<math" in html
    assert "<img" not in html and "onerror" not in html.replace("&lt;img src=x onerror", "")


def test_similar_questions_while_typing(app, login) -> None:  # type: ignore[no-untyped-def]
    client = login(Role.AUTHOR)
    existing = db.session.scalar(select(Question).where(Question.origin == "content").limit(1))
    v = existing.current_version
    text = v.stem + "\n" + "\n".join(o["text"] for o in v.options)  # what the editor sends
    matches = client.post("/questions/similar", json={"text": text}).get_json()["matches"]
    assert matches and matches[0]["id"] == existing.id and matches[0]["similarity"] > 0.8
    none = client.post("/questions/similar", json={"text": "完全无关的一句话，关于天气和午饭。"})
    assert none.get_json()["matches"] == []


def test_list_filters_and_search(app, login) -> None:  # type: ignore[no-untyped-def]
    client = login(Role.REVIEWER)
    page = client.get("/questions?section=trading.3&type=short&level=senior").get_data(as_text=True)
    assert "trading.3.2" in page or "trading.3.3" in page or "management.4." in page
    assert "management.1.1-" not in page
    found = client.get("/questions", query_string={"q": "国家核证自愿减排量"}).get_data(
        as_text=True
    )
    assert "国家核证自愿减排量" in found
    nothing = client.get("/questions", query_string={"q": "%_\\'\"<script>"})
    assert nothing.status_code == 200 and "<script>" not in nothing.get_data(as_text=True)


def test_review_queue_and_approval_over_the_web(app, make_user, login) -> None:  # type: ignore[no-untyped-def]
    author = make_user(Role.AUTHOR)
    q = qs.create_question(db.session, single(), author)
    workflow.transition(db.session, q, workflow.Action.SUBMIT, author)
    db.session.commit()
    reviewer = login(Role.REVIEWER)
    assert q.uid in reviewer.get("/questions/review").get_data(as_text=True)
    response = reviewer.post(
        f"/questions/{q.id}/transition", data={"action": "approve", "next": "review"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/questions/review"
    )
    db.session.refresh(q)
    assert q.status == QuestionStatus.APPROVED


def test_history_shows_a_character_diff(app, make_user, login) -> None:  # type: ignore[no-untyped-def]
    author = make_user(Role.AUTHOR)
    q = qs.create_question(db.session, single(), author)
    workflow.transition(db.session, q, workflow.Action.SUBMIT, author)
    workflow.transition(db.session, q, workflow.Action.APPROVE, make_user(Role.REVIEWER))
    qs.update_question(
        db.session, q, single(stem="全国碳排放权交易市场于哪一日启动上线交易？"), author
    )
    db.session.commit()
    page = login(Role.REVIEWER).get(f"/questions/{q.id}/history").get_data(as_text=True)
    assert "<del>天</del><ins>日</ins>" in page


def test_learners_and_examiners_cannot_edit(app, make_user, login) -> None:  # type: ignore[no-untyped-def]
    q = qs.create_question(db.session, single(), make_user(Role.AUTHOR))
    db.session.commit()
    assert login(Role.LEARNER).get("/questions").status_code == 403
    examiner = login(Role.EXAMINER)
    assert examiner.get(f"/questions/{q.id}").status_code == 200
    assert examiner.get(f"/questions/{q.id}/edit").status_code == 403
    assert login(Role.AUTHOR).get(f"/questions/{q.id}/edit").status_code == 403  # not theirs


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def test_image_upload_checks_content_and_serves_back(app, login) -> None:  # type: ignore[no-untyped-def]
    client = login(Role.AUTHOR)
    ok = client.post(
        "/images",
        data={"image": (io.BytesIO(PNG), "../../evil.png")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 201
    url = ok.get_json()["url"]
    assert url.startswith("/images/") and "evil" not in url
    served = client.get(url)
    assert served.status_code == 200 and served.mimetype == "image/png"
    served.close()
    fake = client.post(
        "/images",
        data={"image": (io.BytesIO(b"<svg onload=alert(1)>"), "x.png")},
        content_type="multipart/form-data",
    )
    assert fake.status_code == 422 and "PNG" in fake.get_json()["message"]
    app.config["IMAGE_MAX_BYTES"] = 1000
    big = client.post(
        "/images",
        data={"image": (io.BytesIO(PNG + b"0" * 2000), "big.png")},
        content_type="multipart/form-data",
    )
    assert big.status_code == 422
    assert (
        db.session.scalar(select(QuestionImage).where(QuestionImage.original_name == "big.png"))
        is None
    )
    assert client.get("/images/..%2F..%2Fsecret_key").status_code == 404
    assert client.get("/images/not-a-name.png").status_code == 404
