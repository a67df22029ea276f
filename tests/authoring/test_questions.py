"""Question services: creation, validation, versions, the review workflow and bulk actions."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from qbank.accounts.models import Role
from qbank.authoring import bulkedit, workflow
from qbank.authoring import questions as qs
from qbank.authoring.draft import OptionDraft
from qbank.authoring.models import Question, QuestionStatus, ReviewEvent
from qbank.db import db
from qbank.errors import InvalidTransitionError, PermissionDeniedError, ValidationError
from tests.authoring.conftest import short, single

A = workflow.Action


def test_create_resolves_any_section_code_to_its_canonical_topic(app, make_user) -> None:  # type: ignore[no-untyped-def]
    author = make_user(Role.AUTHOR)
    q = qs.create_question(db.session, single(section="trading.2.2"), author)
    assert q.section_code == "management.4.1"  # trading.2.2 teaches the same topic
    assert q.status == QuestionStatus.DRAFT and q.live_version is None
    assert q.current_version.number == 1 and q.current_version.keys == ["A"]
    by_title = qs.create_question(
        db.session,
        single(
            stem="另一道题：全国碳市场由哪个部门主管？", section="碳排放权交易配额总量设定与分配"
        ),
        author,
    )
    assert by_title.section_code == "trading.3.2"


@pytest.mark.parametrize(
    ("draft", "problem"),
    [
        (
            single(options=(OptionDraft("A", "x", True), OptionDraft("B", "y", True))),
            "exactly one key",
        ),
        (single(section="nope.1.1"), "does not exist"),
        (single(stem="  "), "stem is empty"),
        (short(rubric=()), "needs a rubric"),
        (short(points=6), "add up to 5"),
        (single(difficulty=9), "difficulty must be 1-5"),
    ],
)
def test_invalid_questions_are_refused_with_the_reason(app, make_user, draft, problem) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as info:
        qs.create_question(db.session, draft, make_user(Role.AUTHOR))
    assert any(problem in p for p in info.value.details["problems"])


def _approved(make_user):  # type: ignore[no-untyped-def]
    author, reviewer = make_user(Role.AUTHOR), make_user(Role.REVIEWER)
    q = qs.create_question(db.session, single(), author)
    workflow.transition(db.session, q, A.SUBMIT, author)
    workflow.transition(db.session, q, A.APPROVE, reviewer)
    return q, author, reviewer


def test_editing_an_approved_question_creates_a_version_and_keeps_the_live_one(
    app, make_user
) -> None:  # type: ignore[no-untyped-def]
    q, author, reviewer = _approved(make_user)
    v1 = q.live_version
    assert q.status == QuestionStatus.APPROVED and v1.approved_at is not None
    changed = qs.update_question(
        db.session, q, single(stem="全国碳市场启动上线交易的日期是？"), author
    )
    assert changed
    assert q.current_version.number == 2 and q.live_version is v1  # still serving version 1
    assert q.status == QuestionStatus.DRAFT and v1.stem.startswith("全国碳排放权交易市场于哪一天")
    workflow.transition(db.session, q, A.SUBMIT, author)
    workflow.transition(db.session, q, A.APPROVE, reviewer)
    assert q.live_version.number == 2


def test_drafts_are_edited_in_place_and_unchanged_saves_are_noops(app, make_user) -> None:  # type: ignore[no-untyped-def]
    author = make_user(Role.AUTHOR)
    q = qs.create_question(db.session, single(), author)
    assert not qs.update_question(db.session, q, single(), author)
    assert qs.update_question(db.session, q, single(difficulty=4), author)
    assert len(q.versions) == 1 and q.difficulty == 4


def test_no_self_approval(app, make_user) -> None:  # type: ignore[no-untyped-def]
    reviewer = make_user(Role.REVIEWER, Role.AUTHOR)
    q = qs.create_question(db.session, single(), reviewer)
    workflow.transition(db.session, q, A.SUBMIT, reviewer)
    with pytest.raises(PermissionDeniedError, match="cannot_approve_own"):
        workflow.transition(db.session, q, A.APPROVE, reviewer)
    # nor when the reviewer wrote the version under review of someone else's question
    author = make_user(Role.AUTHOR)
    other = qs.create_question(db.session, single(stem="第二道：配额清缴的主体是谁？"), author)
    qs.update_question(db.session, other, single(stem="第二道：配额清缴的义务主体是？"), reviewer)
    workflow.transition(db.session, other, A.SUBMIT, author)
    with pytest.raises(PermissionDeniedError):
        workflow.transition(db.session, other, A.APPROVE, reviewer)


def test_workflow_rules(app, make_user) -> None:  # type: ignore[no-untyped-def]
    author, other_author = make_user(Role.AUTHOR), make_user(Role.AUTHOR)
    reviewer = make_user(Role.REVIEWER)
    q = qs.create_question(db.session, single(), author)
    with pytest.raises(PermissionDeniedError):
        workflow.transition(db.session, q, A.SUBMIT, other_author)
    with pytest.raises(InvalidTransitionError):
        workflow.transition(db.session, q, A.APPROVE, reviewer)
    workflow.transition(db.session, q, A.SUBMIT, author)
    with pytest.raises(ValidationError):  # editing is locked while under review
        qs.update_question(db.session, q, single(difficulty=1), author)
    with pytest.raises(ValidationError, match="comment_required"):
        workflow.transition(db.session, q, A.RETURN, reviewer, "  ")
    workflow.transition(db.session, q, A.RETURN, reviewer, "选项C表述不严谨")
    assert q.status == QuestionStatus.RETURNED and q.review_comment == "选项C表述不严谨"
    qs.update_question(db.session, q, single(difficulty=1), author)
    assert q.status == QuestionStatus.DRAFT
    workflow.transition(db.session, q, A.SUBMIT, author)
    workflow.transition(db.session, q, A.APPROVE, reviewer)
    with pytest.raises(PermissionDeniedError):
        workflow.transition(db.session, q, A.RETIRE, author)
    workflow.transition(db.session, q, A.RETIRE, reviewer)
    assert q.status == QuestionStatus.RETIRED and q.live_version is None
    assert not qs.can_edit(q, author)
    trail = db.session.scalars(
        select(ReviewEvent.action).where(ReviewEvent.question_id == q.id).order_by(ReviewEvent.id)
    ).all()
    assert trail == ["create", "submit", "return", "edit", "submit", "approve", "retire"]


def test_authors_edit_only_their_own(app, make_user) -> None:  # type: ignore[no-untyped-def]
    q, _author, reviewer = _approved(make_user)
    stranger = make_user(Role.AUTHOR)
    with pytest.raises(PermissionDeniedError):
        qs.update_question(db.session, q, single(difficulty=5), stranger)
    assert qs.update_question(db.session, q, single(difficulty=5), reviewer)


def test_bulk_actions_report_what_they_skip(app, make_user) -> None:  # type: ignore[no-untyped-def]
    author, reviewer = make_user(Role.AUTHOR), make_user(Role.REVIEWER)
    drafts = [
        qs.create_question(db.session, single(stem=f"第{i}题：碳市场问题编号{i}？"), author)
        for i in range(3)
    ]
    result = bulkedit.apply(db.session, drafts[:2], "submit", author)
    assert len(result.done) == 2
    result = bulkedit.apply(db.session, drafts, "approve", reviewer)
    assert set(result.done) == {drafts[0].id, drafts[1].id}
    assert result.skipped == ((drafts[2].id, "invalid_transition"),)
    result = bulkedit.apply(db.session, drafts, "add_tags", author, tags="配额, 清缴")
    assert len(result.done) == 3 and set(drafts[0].tags) == {"配额", "清缴"}
    assert drafts[0].current_version.number == 2  # approved → a new version
    result = bulkedit.apply(db.session, drafts, "move_section", author, section="trading.3.2")
    assert {q.section_code for q in drafts} == {"trading.3.2"}
    with pytest.raises(ValidationError):
        bulkedit.apply(db.session, drafts, "move_section", author, section="no.such")


def test_the_starter_bank_is_loaded_approved_and_reloads_idempotently(app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from qbank.authoring.bankload import load_bank
    from qbank.authoring.formats.native import dump_native

    folder = tmp_path / "questions"
    folder.mkdir()
    path = folder / "management.4.1.yaml"
    drafts = [
        replace(single(), external_id="t-001", section=""),
        replace(short(), external_id="t-002", section=""),
    ]
    path.write_text(dump_native(drafts, "management.4.1"), encoding="utf-8")
    first = load_bank(db.session, folder)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    q = qs.get_by_uid(db.session, "t-001")
    assert q.status == QuestionStatus.APPROVED and q.live_version.number == 1
    again = load_bank(db.session, folder)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    path.write_text(path.read_text(encoding="utf-8").replace("哪一天", "哪一日"), encoding="utf-8")
    edited = load_bank(db.session, folder)
    assert (edited.created, edited.updated, edited.unchanged) == (0, 1, 1)
    db.session.refresh(q)
    assert [v.number for v in q.versions] == [1, 2] and q.live_version.number == 2
    assert db.session.scalar(select(Question).where(Question.uid == "t-001")) is q


def test_a_retired_starter_question_stays_retired_on_reload(app, make_user, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from qbank.authoring.bankload import load_bank
    from qbank.authoring.formats.native import dump_native

    folder = tmp_path / "q"
    folder.mkdir()
    (folder / "management.4.1.yaml").write_text(
        dump_native([replace(single(), external_id="t-101", section="")], "management.4.1"),
        encoding="utf-8",
    )
    load_bank(db.session, folder)
    q = qs.get_by_uid(db.session, "t-101")
    workflow.transition(db.session, q, A.RETIRE, make_user(Role.REVIEWER))
    load_bank(db.session, folder)
    assert q.status == QuestionStatus.RETIRED


def test_bad_starter_files_load_nothing(app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from qbank.authoring.bankload import BankContentError, load_bank

    folder = tmp_path / "q"
    folder.mkdir()
    (folder / "management.4.1.yaml").write_text(
        "section: management.4.1\nquestions:\n  - id: x-1\n    type: single\n    stem: 题干\n"
        "    options: {A: 甲, B: 乙}\n    answer: E\n",
        encoding="utf-8",
    )
    with pytest.raises(BankContentError) as info:
        load_bank(db.session, folder)
    assert any("answer names no option: E" in str(p) for p in info.value.problems)
    assert db.session.scalar(select(Question).where(Question.uid == "x-1")) is None
