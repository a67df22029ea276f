"""Assembling papers from a stored blueprint and the approved bank, and re-checking them.

`assemble_papers` runs the engine (`qbank.papers.assemble`) inline — about a second on the
starter bank — with the time limit capped at `MAX_TIME_LIMIT`, and saves one draft `Paper` per
form with its items pinned to the question versions the pool held. An infeasible blueprint
saves nothing and returns the engine's diagnosis.

Services flush, never commit; the acting user is a parameter.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

import numpy as np
from sqlalchemy.orm import Session

from qbank.accounts.models import User
from qbank.db import utcnow
from qbank.papers.assemble import assemble, eligibility
from qbank.papers.blueprint import Blueprint, parse_blueprint
from qbank.papers.blueprints import parse_source, syllabus_titles
from qbank.papers.check import Violation, check_form
from qbank.papers.models import Paper, PaperBlueprint, PaperItem, PaperStatus
from qbank.papers.pool import BankPool, load_pool
from qbank.psychometrics.irt import ItemParameters, expected_score, item_information

MAX_TIME_LIMIT = 20.0
MAX_FORMS = 10
TYPE_ORDER = {"single": 0, "multiple": 1, "short": 2}


@dataclass(frozen=True)
class Message:
    """A sentence computed by the engine, in both languages (the page picks one)."""

    zh: str
    en: str


@dataclass(frozen=True)
class AssemblyOutcome:
    status: str  # optimal | feasible | infeasible | time_limit
    seconds: float
    papers: tuple[Paper, ...]
    diagnosis: tuple[Message, ...]
    pool_size: int
    eligible: int


def section_sort_key(code: str) -> tuple[int | str, ...]:
    """trading.1.10 after trading.1.9."""
    return tuple(int(p) if p.isdigit() else p for p in code.split("."))


def item_order(types: list[str], sections: list[str], ids: list[str]) -> list[int]:
    """Paper order: single, multiple, short; within a type by syllabus order, then id."""
    return sorted(
        range(len(ids)),
        key=lambda i: (TYPE_ORDER.get(types[i], 9), section_sort_key(sections[i]), ids[i]),
    )


def assemble_papers(
    session: Session,
    record: PaperBlueprint,
    actor: User | None,
    *,
    forms: int | None = None,
    seed: int = 0,
    time_limit: float = 10.0,
) -> AssemblyOutcome:
    """Assemble `forms` parallel forms (default: the blueprint's) and save them as drafts."""
    bp = parse_source(session, record.source)
    n_forms = max(1, min(int(forms or bp.forms), MAX_FORMS))
    limit = max(1.0, min(float(time_limit), MAX_TIME_LIMIT))
    bank = load_pool(session, bp.specialty, bp.level, bp.multiple_scoring)
    result = assemble(
        bp,
        bank.pool,
        forms=n_forms,
        seed=seed,
        time_limit=limit,
        syllabus_titles=syllabus_titles(session),
    )
    eligible = int(eligibility(bp, bank.pool).mask.sum())
    diagnosis = tuple(Message(c.message_zh, c.message_en) for c in result.diagnosis)
    if not result.forms:
        if result.status == "time_limit":
            diagnosis += (
                Message(
                    f"在 {limit:g} 秒内未找到满足蓝图的试卷（并未证明不可行），请延长时间限制",
                    f"no paper meeting the blueprint was found within {limit:g} s "
                    "(infeasibility not proven); allow more time",
                ),
            )
        return AssemblyOutcome(result.status, result.seconds, (), diagnosis, bank.pool.n, eligible)
    batch = secrets.token_hex(8)
    theta = float(result.theta[0])
    now = utcnow()
    papers = []
    for f, form in enumerate(result.forms, start=1):
        name = bp.name if n_forms == 1 else f"{bp.name} · {chr(ord('A') + f - 1)}卷"
        paper = Paper(
            name=name[:240],
            status=PaperStatus.DRAFT.value,
            blueprint_id=record.id,
            blueprint_source=record.source,
            specialty_code=bp.specialty,
            level_code=bp.level,
            total_points=bp.total_points,
            cut_score=bp.cut_score,
            duration_minutes=bp.duration_minutes,
            batch=batch,
            form_number=f,
            forms_in_batch=len(result.forms),
            seed=seed,
            time_limit=limit,
            solver_status=result.status,
            solve_seconds=float(result.seconds),
            gap=None if result.gap is None else float(result.gap),
            theta_cut=theta,
            information_at_cut=float(form.information[0]),
            expected_at_cut=None if form.expected_score is None else float(form.expected_score[0]),
            created_by_id=actor.id if actor else None,
            created_at=now,
            updated_at=now,
        )
        index = [int(i) for i in form.index]
        pool = bank.pool
        order = item_order(
            [str(pool.type[i]) for i in index],
            [str(pool.section[i]) for i in index],
            [str(pool.id[i]) for i in index],
        )
        for position, k in enumerate(order, start=1):
            i = index[k]
            paper.items.append(
                PaperItem(
                    position=position,
                    question_id=int(bank.question_id[i]),
                    question_version_id=int(bank.version_id[i]),
                    section_code=str(pool.section[i]),
                    type=str(pool.type[i]),
                    points=float(pool.points[i]),
                )
            )
        session.add(paper)
        papers.append(paper)
    session.flush()
    return AssemblyOutcome(
        result.status, result.seconds, tuple(papers), diagnosis, bank.pool.n, eligible
    )


def paper_blueprint(paper: Paper) -> Blueprint:
    """The blueprint the paper was assembled to, with θ_cut fixed at the paper's."""
    bp = parse_blueprint(paper.blueprint_source, f"paper-{paper.id}.yaml")
    return bp if bp.theta_cut is not None else replace(bp, theta_cut=paper.theta_cut)


def paper_pool(session: Session, paper: Paper, bp: Blueprint | None = None) -> BankPool:
    """The pool as the paper sees it: its own pinned versions; a published paper checked
    against the papers published before it."""
    bp = bp or paper_blueprint(paper)
    return load_pool(
        session,
        paper.specialty_code,
        paper.level_code,
        bp.multiple_scoring,
        pinned={item.question_id: item.question_version_id for item in paper.items},
        before=paper.published_at if paper.is_published else None,
        exclude_papers=(paper.id,) if paper.id is not None else (),
    )


@dataclass(frozen=True)
class PaperCheck:
    blueprint: Blueprint
    bank: BankPool
    ids: tuple[str, ...]  # the paper's question uids in paper order
    index: tuple[int, ...]  # their pool positions
    violations: tuple[Violation, ...]


def check_paper(session: Session, paper: Paper) -> PaperCheck:
    """The independent checker's verdict on the paper as it stands."""
    bp = paper_blueprint(paper)
    bank = paper_pool(session, paper, bp)
    index = []
    for item in paper.items:
        i = bank.index_of_question(item.question_id)
        if i is not None:
            index.append(i)
    ids = tuple(str(bank.pool.id[i]) for i in index)
    return PaperCheck(bp, bank, ids, tuple(index), tuple(check_form(bp, bank.pool, list(ids))))


def form_statistics(bank: BankPool, index: list[int], theta: float) -> tuple[float, float]:
    """Information and expected points of the items `index` at θ."""
    if not index:
        return 0.0, 0.0
    idx = np.asarray(index, dtype=np.int64)
    pool = bank.pool
    k = int(np.max(np.sum(~np.isnan(pool.b[idx]), axis=1)))
    params = ItemParameters(pool.a[idx], pool.b[idx, : max(k, 1)])
    th = np.array([theta])
    info = float(item_information(th, params).sum())
    steps = np.maximum(params.n_steps, 1)
    expected = float((expected_score(th, params)[:, 0] / steps * pool.points[idx]).sum())
    return info, expected


def refresh_statistics(paper: Paper, bank: BankPool) -> None:
    """Recompute the paper's information and expected score at θ_cut after a change."""
    index = [
        i for item in paper.items if (i := bank.index_of_question(item.question_id)) is not None
    ]
    info, expected = form_statistics(bank, index, paper.theta_cut)
    paper.information_at_cut = info
    paper.expected_at_cut = expected
    paper.updated_at = utcnow()
