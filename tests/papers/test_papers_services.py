"""The examiners' services on a real database: blueprints kept in the database, the pool
adapter, assembling, swapping, publishing — every paper checked by the independent checker."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from qbank.accounts.models import Role
from qbank.authoring import questions as qs
from qbank.authoring import workflow
from qbank.authoring.models import Question, QuestionStatus
from qbank.db import db
from qbank.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from qbank.papers import assembling, blueprints, records, swapping
from qbank.papers.check import check_form
from qbank.papers.models import Paper, PaperBlueprint, PaperStatus
from qbank.papers.pool import load_pool
from qbank.papers.printing import printable

TRACK = ("management", "intermediate")


def default(specialty: str = TRACK[0], level: str = TRACK[1]) -> PaperBlueprint:
    record = blueprints.default_blueprint_for(db.session, specialty, level)
    assert record is not None
    return record


def assemble_one(user: Any, seed: int = 0, forms: int | None = None, **track: str) -> list[Paper]:
    outcome = assembling.assemble_papers(
        db.session, default(**track), user, forms=forms, seed=seed, time_limit=20
    )
    assert outcome.papers, [m.en for m in outcome.diagnosis]
    db.session.commit()
    return list(outcome.papers)


def violations(paper: Paper) -> list[str]:
    return [v.message_en for v in assembling.check_paper(db.session, paper).violations]


def test_defaults_load_once_and_edits_are_kept(app, make_user) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    rows = blueprints.list_blueprints(db.session)
    assert len(rows) == 21 and all(r.is_default and not r.is_edited for r in rows)
    record = default()
    examiner = make_user(Role.EXAMINER)
    edited = record.source.replace("cut_score: 60", "cut_score: 62")
    assert blueprints.update_blueprint(db.session, record, edited, examiner)
    assert record.is_edited and record.summary["cut_score"] == 62
    report = blueprints.load_default_blueprints(
        db.session, Path(app.config["CONTENT_DIR"]) / "blueprints"
    )
    assert report.unchanged == {"blueprint": 20, blueprints.KEPT: 1} and not report.changed
    assert record.source == edited  # the reload reported the edit and left it alone


def test_blueprint_problems_come_with_their_lines(app, make_user) -> None:  # type: ignore[no-untyped-def]
    record = default()
    bad = record.source.replace("cut_score: 60", "cut_score: 600").replace(
        "level: intermediate", "level: middle"
    )
    with pytest.raises(ValidationError) as err:
        blueprints.update_blueprint(db.session, record, bad, make_user(Role.EXAMINER))
    problems = err.value.details["problems"]
    lines = bad.splitlines()
    assert {lines[p["line"] - 1].split(":")[0] for p in problems} >= {"level", "cut_score"}
    with pytest.raises(ValidationError) as err:  # a default keeps its specialty and level
        blueprints.update_blueprint(
            db.session, record, record.source.replace("level: intermediate", "level: junior"), None
        )
    assert err.value.message == "blueprint_track_fixed"
    copy = blueprints.copy_blueprint(db.session, record, None)
    assert not copy.is_default and copy.name.endswith("副本") and copy.level_code == "intermediate"


def test_pool_maps_shared_topics_to_the_specialtys_own_sections(app) -> None:  # type: ignore[no-untyped-def]
    bank = load_pool(db.session, "trading", "intermediate")
    pool = bank.pool
    uids = pool.id.tolist()
    # management.1.1 is taught in trading as trading.1.1
    shared = [i for i, u in enumerate(uids) if u.startswith("management.1.1-")]
    assert shared and {pool.section[i] for i in shared} == {"trading.1.1"}
    assert not any(s.startswith("management.") for s in pool.section.tolist())
    # asset lists trading.3.2 twice (asset.2.2 and asset.3.3): the first one gets the questions
    asset = load_pool(db.session, "asset", "intermediate").pool
    topic = [i for i, u in enumerate(asset.id.tolist()) if u.startswith("trading.3.2-")]
    assert topic and {asset.section[i] for i in topic} == {"asset.2.2"}
    # cold-start parameters from the analytics adapter: a = 1, provisional, steps per type
    assert np.all(pool.a == 1.0) and bank.provisional.all()
    short = np.flatnonzero(pool.type == "short")
    assert short.size and np.all(np.sum(~np.isnan(pool.b[short]), axis=1) == 5)
    assert np.all(np.isnan(pool.last_used)) and np.all(pool.exposure == 0) and bank.history == 0


def test_pool_uses_live_versions_and_leaves_out_retired(app, make_user) -> None:  # type: ignore[no-untyped-def]
    reviewer = make_user(Role.REVIEWER)
    q = db.session.scalar(select(Question).where(Question.uid.like("trading.2.3-%")).limit(1))
    live = q.live_version_id
    draft = qs.draft_from_version(q.current_version, q.uid)
    from dataclasses import replace

    qs.update_question(db.session, q, replace(draft, stem=draft.stem + "（修订）"), reviewer)
    bank = load_pool(db.session, "trading", "intermediate")
    assert int(bank.version_id[bank.position[q.uid]]) == live  # the draft edit is not used
    other = db.session.scalar(select(Question).where(Question.uid.like("trading.2.1-%")).limit(1))
    workflow.transition(db.session, other, workflow.Action.RETIRE, reviewer)
    assert other.uid not in load_pool(db.session, "trading", "intermediate").position


def test_assembled_papers_meet_the_blueprint_and_pin_versions(app, make_user) -> None:  # type: ignore[no-untyped-def]
    examiner = make_user(Role.EXAMINER)
    a, b = assemble_one(examiner, forms=2)
    assert a.status == PaperStatus.DRAFT and a.batch == b.batch and a.forms_in_batch == 2
    assert len(a.items) == 64 and sum(i.points for i in a.items) == 100
    assert not {i.question_id for i in a.items} & {i.question_id for i in b.items}
    assert violations(a) == [] and violations(b) == []
    for item in a.items:
        assert item.question_version_id == item.question.live_version_id
    assert [i.type for i in a.items] == sorted(
        (i.type for i in a.items), key=["single", "multiple", "short"].index
    )
    assert a.information_at_cut > 0 and a.solver_status in ("optimal", "feasible")


def test_infeasible_blueprint_says_why_and_saves_nothing(app, make_user) -> None:  # type: ignore[no-untyped-def]
    record = default()
    source = record.source.replace(
        "- {code: management.1.1, min_count: 1}", "- {code: management.1.1, min_count: 30}"
    )
    blueprints.update_blueprint(db.session, record, source, None)
    outcome = assembling.assemble_papers(db.session, record, make_user(Role.EXAMINER))
    assert outcome.status == "infeasible" and not outcome.papers
    assert any("1.1" in m.en for m in outcome.diagnosis), [m.en for m in outcome.diagnosis]
    assert db.session.scalar(select(Paper.id)) is None


def test_recency_and_exposure_come_from_published_papers(app, make_user) -> None:  # type: ignore[no-untyped-def]
    examiner = make_user(Role.EXAMINER)
    (first,) = assemble_one(examiner)
    used = {i.question.uid for i in first.items}
    bank = load_pool(db.session, *TRACK)
    assert np.all(np.isnan(bank.pool.last_used))  # drafts do not count
    records.publish_paper(db.session, first, examiner)
    (second,) = assemble_one(examiner, seed=1)
    records.publish_paper(db.session, second, examiner)
    bank = load_pool(db.session, *TRACK)
    last = {u: bank.pool.last_used[i] for u, i in bank.position.items()}
    assert {last[u] for u in used} == {2.0}  # two published papers ago
    assert {last[i.question.uid] for i in second.items} == {1.0}
    assert {float(bank.pool.exposure[bank.position[u]]) for u in used} == {0.5}
    assert not used & {i.question.uid for i in second.items}  # recency 2 kept them apart
    # another specialty's history is its own
    assert np.all(np.isnan(load_pool(db.session, "management", "junior").pool.last_used))


def test_publishing_freezes_the_paper_and_its_versions(app, make_user) -> None:  # type: ignore[no-untyped-def]
    examiner, reviewer = make_user(Role.EXAMINER), make_user(Role.REVIEWER, Role.AUTHOR)
    (paper,) = assemble_one(examiner)
    item = paper.items[0]
    pinned, stem = item.question_version_id, item.version.stem
    records.publish_paper(db.session, paper, examiner)
    db.session.commit()
    with pytest.raises(ConflictError):
        swapping.swap_item(db.session, paper, 1, "management.1.1-s01", examiner, confirm=True)
    with pytest.raises(ConflictError):
        records.discard_paper(db.session, paper, examiner)
    db.session.rollback()
    paper.items[1].points = 3.0  # even behind the services' back
    with pytest.raises(ConflictError):
        db.session.flush()
    db.session.rollback()
    # the question is edited and the edit approved: the paper keeps the version it pinned
    q = item.question
    from dataclasses import replace

    draft = qs.draft_from_version(q.current_version, q.uid)
    qs.update_question(db.session, q, replace(draft, stem=draft.stem + "（2027年修订）"), reviewer)
    workflow.transition(db.session, q, workflow.Action.SUBMIT, reviewer)
    workflow.transition(db.session, q, workflow.Action.APPROVE, make_user(Role.REVIEWER))
    db.session.commit()
    assert q.live_version_id != pinned and q.status == QuestionStatus.APPROVED
    db.session.expire_all()
    paper = db.session.get(Paper, paper.id)
    assert paper.items[0].question_version_id == pinned
    assert printable(db.session, paper).questions[0].stem == stem
    assert violations(paper) == []  # checked against the papers published before it


def test_swap_suggestions_keep_every_rule(app, make_user) -> None:  # type: ignore[no-untyped-def]
    examiner = make_user(Role.EXAMINER)
    a, b = assemble_one(examiner, forms=2)
    position = 41  # the first multiple-choice question
    found = swapping.suggest_replacements(db.session, a, position, count=3)
    assert len(found.replacements) == 3 and not found.diagnosis
    gains = [r.gain for r in found.replacements]
    assert gains == sorted(gains, reverse=True)
    check = assembling.check_paper(db.session, a)
    others = [u for u in check.ids if u != found.item.question.uid]
    siblings = {i.question.uid for i in b.items}
    for r in found.replacements:
        assert r.uid not in siblings and r.type == found.item.type
        assert check_form(check.blueprint, check.bank.pool, [*others, r.uid]) == []
    result = swapping.swap_item(
        db.session,
        a,
        position,
        found.replacements[0].uid,
        examiner,
        origin=swapping.ItemOrigin.SUGGESTED,
    )
    assert result.applied and result.violations == ()
    db.session.commit()
    assert violations(a) == [] and a.items[position - 1].question.uid == found.replacements[0].uid


def test_a_swap_that_breaks_the_blueprint_needs_confirmation(app, make_user) -> None:  # type: ignore[no-untyped-def]
    examiner = make_user(Role.EXAMINER)
    (paper,) = assemble_one(examiner)
    on_paper = {i.question.uid for i in paper.items}
    bank = load_pool(db.session, *TRACK)
    short = next(
        u for u, i in bank.position.items()
        if bank.pool.type[i] == "short" and u not in on_paper
    )  # fmt: skip
    before = paper.items[0].question_id
    result = swapping.swap_item(
        db.session, paper, 1, short, examiner
    )  # a short answer for a single
    assert not result.applied and paper.items[0].question_id == before
    codes = {v.code for v in result.violations}
    assert {"type_count", "total_points"} <= codes
    result = swapping.swap_item(db.session, paper, 1, short, examiner, confirm=True)
    db.session.commit()
    assert result.applied and paper.items[0].question.uid == short
    assert {"type_count", "total_points"} <= {
        v.code for v in assembling.check_paper(db.session, paper).violations
    }
    with pytest.raises(ValidationError):  # broken papers are published only when confirmed
        records.publish_paper(db.session, paper, examiner)
    with pytest.raises(ValidationError):
        swapping.swap_item(db.session, paper, 2, "no-such-question", examiner)


def test_who_sees_and_changes_which_paper(app, make_user) -> None:  # type: ignore[no-untyped-def]
    mine, other = make_user(Role.EXAMINER), make_user(Role.EXAMINER)
    reviewer, admin = make_user(Role.REVIEWER), make_user(Role.ADMIN)
    (draft,) = assemble_one(mine)
    (published,) = assemble_one(other, seed=3)
    records.publish_paper(db.session, published, other)
    assert {p.id for p in records.list_papers(db.session, mine)} == {draft.id, published.id}
    assert {p.id for p in records.list_papers(db.session, other)} == {published.id}
    assert {p.id for p in records.list_papers(db.session, reviewer)} == {draft.id, published.id}
    with pytest.raises(NotFoundError):
        records.get_paper(db.session, draft.id, other)
    with pytest.raises(PermissionDeniedError):
        records.publish_paper(db.session, draft, reviewer)
    assert records.can_change(draft, admin) and not records.can_change(published, admin)
    records.discard_paper(db.session, draft, mine)
    assert db.session.get(Paper, draft.id) is None
