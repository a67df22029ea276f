"""The starter bank in content/questions: complete, well-formed, without near-duplicates, and
enough for every default blueprint to be filled twice over with no shared question."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from qbank.authoring.bankcheck import MINIMUM_PER_SECTION, check_bank, read_bank
from qbank.authoring.draft import QuestionType
from qbank.syllabus.content import parse_syllabus

CONTENT = Path(__file__).resolve().parents[1] / "content"
SPECIALTIES = ["management", "monitoring", "trading", "asset", "consulting", "sink", "assessment"]
LEVELS = ["junior", "intermediate", "senior"]


@pytest.fixture(scope="module")
def bank():  # type: ignore[no-untyped-def]
    syllabus = parse_syllabus(CONTENT)
    files, problems = read_bank(CONTENT / "questions")
    return syllabus, files, problems


def test_every_question_is_well_formed_and_the_bank_has_no_gaps(bank) -> None:  # type: ignore[no-untyped-def]
    syllabus, files, problems = bank
    problems = problems + check_bank(syllabus, files)
    assert [str(p) for p in problems] == []


def test_every_canonical_section_has_the_minimum(bank) -> None:  # type: ignore[no-untyped-def]
    syllabus, files, _ = bank
    counts: dict[str, Counter[QuestionType]] = {}
    for f in files:
        for d in f.drafts:
            counts.setdefault(f.path.stem, Counter())[d.type] += 1
    canonical = {s.code for s in syllabus.sections() if s.same_as is None}
    assert set(counts) == canonical
    for code in canonical:
        for qtype, minimum in MINIMUM_PER_SECTION.items():
            assert counts[code][qtype] >= minimum, (code, qtype)


def test_short_answers_carry_rubrics_that_add_up(bank) -> None:  # type: ignore[no-untyped-def]
    _, files, _ = bank
    shorts = [d for f in files for d in f.drafts if d.type is QuestionType.SHORT]
    assert shorts
    for d in shorts:
        assert d.reference_answer and d.rubric
        assert sum(p.points for p in d.rubric) == pytest.approx(d.effective_points)


def test_checks_catch_what_they_promise(tmp_path: Path) -> None:
    """The validation really fails on a gap, a missing field, a bad rubric, a single key and
    a near-duplicate."""
    import shutil

    from qbank.authoring.formats.native import parse_native

    shutil.copytree(CONTENT / "syllabus", tmp_path / "syllabus")
    shutil.copytree(CONTENT / "rules", tmp_path / "rules")
    (tmp_path / "questions").mkdir()
    text = """section: management.1.1
questions:
  - {id: x-s1, type: single, difficulty: 1, stem: 二氧化碳的全球增温潜势是多少？, options: {A: '1', B: '25', C: '28', D: '265'}, answer: A, explanation: 定义为1。, source: IPCC AR5}
  - {id: x-s2, type: single, difficulty: 1, stem: 二氧化碳的全球增温潜势是多少呢？, options: {A: '1', B: '25', C: '28', D: '265'}, answer: A, explanation: 定义为1。, source: IPCC AR5}
  - {id: x-m1, type: multiple, difficulty: 2, stem: 哪些是温室气体？, options: {A: 甲烷, B: 氧气, C: 氮气, D: 氩气}, answer: A, explanation: 甲烷。, source: 京都议定书}
  - {id: x-a1, type: short, difficulty: 3, stem: 简述温室效应。, points: 5, reference_answer: 温室气体吸收长波辐射。, rubric: [{point: 吸收长波辐射, points: 2}], explanation: 见教材。}
"""
    (tmp_path / "questions" / "management.1.1.yaml").write_text(text, encoding="utf-8")
    files, parse_problems = read_bank(tmp_path / "questions")
    assert parse_problems == []
    messages = [str(p) for p in check_bank(parse_syllabus(tmp_path), files)]
    joined = "\n".join(messages)
    assert "at least two keys" in joined
    assert "rubric points add up to 2" in joined
    assert "a source citation is required" in joined
    assert "near-duplicate" in joined
    assert "management.1.2 [single] 0 single question(s), at least 3 needed" in joined
    assert parse_native  # the same parser the loader uses


@pytest.mark.parametrize("specialty", SPECIALTIES)
@pytest.mark.parametrize("level", LEVELS)
def test_each_default_blueprint_can_be_filled_twice_without_sharing(
        app, specialty: str, level: str) -> None:  # type: ignore[no-untyped-def]
    from qbank.db import db
    from qbank.papers.assemble import assemble
    from qbank.papers.check import check_forms
    from qbank.practice.forms import default_blueprint, learner_pool

    blueprint = default_blueprint(CONTENT, specialty, level)
    pool, _ = learner_pool(db.session, blueprint)
    result = assemble(blueprint, pool, forms=2, seed=1, time_limit=20)
    assert result.status in ("optimal", "feasible"), [c.message_en for c in result.diagnosis]
    ids = [[str(pool.id[i]) for i in form.index] for form in result.forms]
    assert len(ids) == 2 and not set(ids[0]) & set(ids[1])
    assert check_forms(blueprint, pool, ids) == []
