"""The syllabus and rules in content/ load completely and idempotently."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from qbank.db import db
from qbank.syllabus.content import ContentError, parse_syllabus
from qbank.syllabus.loader import load_syllabus
from qbank.syllabus.models import Level, Part, Section, Specialty

CONTENT = Path(__file__).resolve().parents[2] / "content"

# Section titles as the notice prints them, specialty by specialty (section 三 培训大纲).
NOTICE_PART_TITLES = {
    "management": [
        "碳排放基础知识及碳减排背景",
        "碳排放量化、报告与核查要点",
        "碳排放量化、报告与核查案例分析",
        "碳排放权交易及减排措施建议",
    ],
    "monitoring": [
        "碳排放基础知识及碳减排背景",
        "碳排放监测、量化与报告要点",
        "碳排放监测、量化与报告案例分析",
    ],
    "trading": ["碳排放基础知识及碳减排背景", "碳排放权交易要点解读", "我国碳排放权交易现状"],
    "asset": [
        "碳排放基础知识及碳减排背景",
        "碳资产盘查要点解读",
        "碳排放权交易概述",
        "碳排放权交易概述",
    ],
    "consulting": [
        "碳排放咨询基础理论知识",
        "碳咨询在碳减排领域的实施应用",
        "碳排放咨询的应用与服务监管",
    ],
    "sink": ["碳汇计量评估基础理论知识", "碳汇计量评估分析技术", "碳汇计量评估方法及应用"],
    "assessment": [
        "碳排放评估基础理论知识",
        "碳评估在碳减排领域的实施应用",
        "碳排放评估的应用与案例",
    ],
}


def test_parse_gives_the_whole_notice() -> None:
    s = parse_syllabus(CONTENT)
    assert [sp.code for sp in s.specialties] == [
        "management",
        "monitoring",
        "trading",
        "asset",
        "consulting",
        "sink",
        "assessment",
    ]
    assert sum(len(sp.parts) for sp in s.specialties) == 23
    assert len(s.sections()) == 92
    assert [lv.code for lv in s.levels] == ["junior", "intermediate", "senior"]
    assert [lv.fee_yuan for lv in s.levels] == [2500, 3500, 4500]
    assert (s.exam.total_points, s.exam.pass_points, s.exam.duration_minutes) == (100, 60, 120)
    assert [t.code for t in s.exam.question_types] == ["single", "multiple", "short"]
    for sp in s.specialties:
        assert [p.notice_title for p in sp.parts] == NOTICE_PART_TITLES[sp.code]


def test_sections_keep_the_notice_wording_and_record_corrections() -> None:
    s = parse_syllabus(CONTENT)
    by_code = {x.code: x for x in s.sections()}
    assert by_code["trading.3.3"].title == "国家核证自愿减排项目(CCER)开发"
    assert by_code["monitoring.3.5"].notice_title == "典型案例分析- 电设施为例"
    assert by_code["monitoring.3.5"].title == "典型案例分析——以发电设施为例"
    assert by_code["sink.1.4"].notice_title == "增加碳汇的策略和途径温室气体的影响"
    sink = next(sp for sp in s.specialties if sp.code == "sink")
    assert sink.parts[2].notice_number == 2 and sink.parts[2].number == 3
    errata = (CONTENT / "ERRATA.md").read_text(encoding="utf-8")
    for text in ("电设施为例", "增加碳汇的策略和途径温室气体的影响", "5123", "41040", "21亿"):
        assert text in errata


def test_shared_sections_point_at_one_canonical_topic() -> None:
    s = parse_syllabus(CONTENT)
    by_code = {x.code: x for x in s.sections()}
    for sp in ("monitoring", "trading", "asset"):
        for n in range(1, 6):
            assert by_code[f"{sp}.1.{n}"].same_as == f"management.1.{n}"
            assert by_code[f"{sp}.1.{n}"].title == by_code[f"management.1.{n}"].title
    assert by_code["asset.3.3"].same_as == by_code["asset.2.2"].same_as == "trading.3.2"
    assert len([x for x in s.sections() if x.same_as is None]) == 57


def test_broken_content_is_reported_with_file_and_line(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(CONTENT / "rules", tmp_path / "rules")
    (tmp_path / "syllabus").mkdir()
    (tmp_path / "syllabus" / "x.yaml").write_text(
        "code: x\norder: 1\ntitle: X\ntitle_en: X\nparts:\n  - number: 2\n    title: P\n"
        "    title_en: P\n    sections:\n      - {number: 1, title: S, title_en: S, same_as: nope.1.1}\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as info:
        parse_syllabus(tmp_path)
    text = str(info.value)
    assert "x.yaml:6: part number 2 out of order" in text
    assert "same_as 'nope.1.1' is not a section" in text


def test_load_is_complete_and_idempotent(app) -> None:  # type: ignore[no-untyped-def]
    # the test database was loaded from content/ already: loading again changes nothing
    report = load_syllabus(db.session, parse_syllabus(CONTENT))
    assert not report.changed
    assert report.unchanged == {"level": 3, "specialty": 7, "part": 23, "section": 92, "rules": 3}
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    assert (count(Specialty), count(Level), count(Part), count(Section)) == (7, 3, 23, 92)
    assert db.session.get(Section, "trading.2.2").canonical_code == "management.4.1"
    assert db.session.get(Part, "asset.4").notice_title == "碳排放权交易概述"


def test_an_edited_title_is_updated_in_place(app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    shutil.copytree(CONTENT / "syllabus", tmp_path / "syllabus")
    shutil.copytree(CONTENT / "rules", tmp_path / "rules")
    path = tmp_path / "syllabus" / "trading.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "title_en: The emissions trading procedure", "title_en: How emissions trading works"
        ),
        encoding="utf-8",
    )
    report = load_syllabus(db.session, parse_syllabus(tmp_path))
    assert report.updated == {"section": 1}
    assert db.session.get(Section, "trading.2.3").title_en == "How emissions trading works"
