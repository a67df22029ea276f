"""Swapping one question of a draft paper.

Suggestions come from the solver: the blueprint re-solved with every other question of the
paper fixed in (`must_include`) and the current one — plus the questions on the paper's
parallel forms, and each suggestion already found — fixed out (`must_exclude`). Each solve
returns the single most informative question at θ_cut that keeps every rule, so `count`
solves give the best `count` replacements in order. A manual swap of the examiner's choosing
is checked by the independent checker and, when it breaks the blueprint, applied only once
the examiner has seen the list of violations and confirmed.

Services flush, never commit; the acting user is a parameter.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbank.accounts.models import User
from qbank.authoring.models import QuestionVersion
from qbank.errors import NotFoundError, ValidationError
from qbank.papers.assemble import assemble
from qbank.papers.assembling import (
    Message,
    check_paper,
    form_statistics,
    refresh_statistics,
)
from qbank.papers.blueprints import syllabus_titles
from qbank.papers.check import Violation, check_form
from qbank.papers.models import ItemOrigin, Paper, PaperItem
from qbank.papers.records import require_change

SUGGESTIONS = 5


@dataclass(frozen=True)
class Replacement:
    uid: str
    question_id: int
    version_id: int
    section: str
    type: str
    points: float
    difficulty: int
    information: float  # at θ_cut
    gain: float  # paper information at θ_cut after the swap minus before
    stem: str = ""


@dataclass(frozen=True)
class Suggestions:
    item: PaperItem
    replacements: tuple[Replacement, ...]
    diagnosis: tuple[Message, ...]  # why there is none, when there is none
    seconds: float


def get_item(paper: Paper, position: int) -> PaperItem:
    for item in paper.items:
        if item.position == position:
            return item
    raise NotFoundError("paper_item_not_found", position=position)


def _sibling_question_ids(session: Session, paper: Paper) -> set[int]:
    rows = session.scalars(
        select(PaperItem.question_id)
        .join(Paper, Paper.id == PaperItem.paper_id)
        .where(Paper.batch == paper.batch, Paper.id != paper.id)
    )
    return set(rows)


def suggest_replacements(
    session: Session, paper: Paper, position: int, *, count: int = SUGGESTIONS,
    time_limit: float = 10.0,
) -> Suggestions:  # fmt: skip
    """The best `count` questions that can replace the item at `position` keeping every rule."""
    t0 = time.monotonic()
    item = get_item(paper, position)
    checked = check_paper(session, paper)
    bank, bp = checked.bank, checked.blueprint
    pool = bank.pool
    current = bank.index_of_question(item.question_id)
    others = [i for i in checked.index if i != current]
    excluded = {str(pool.id[current])} if current is not None else set()
    if bp.max_overlap == 0:
        siblings = _sibling_question_ids(session, paper)
        excluded |= {str(pool.id[i]) for i, q in enumerate(bank.question_id) if int(q) in siblings}
    fixed = tuple(str(pool.id[i]) for i in others)
    base_info, _ = form_statistics(bank, list(checked.index), paper.theta_cut)
    titles = syllabus_titles(session)
    found: list[Replacement] = []
    diagnosis: tuple[Message, ...] = ()
    while len(found) < count:
        remaining = time_limit - (time.monotonic() - t0)
        if remaining <= 0.05:
            break
        spec_bp = replace(
            bp,
            forms=1,
            max_overlap=0,
            must_include=fixed,
            must_exclude=tuple(sorted(excluded - set(fixed))),
        )
        result = assemble(
            spec_bp, pool, forms=1, time_limit=remaining, syllabus_titles=titles, rel_gap=0.0
        )
        if not result.forms:
            if not found:
                diagnosis = tuple(Message(c.message_zh, c.message_en) for c in result.diagnosis)
            break
        new = [int(i) for i in result.forms[0].index if str(pool.id[int(i)]) not in fixed]
        if len(new) != 1:
            break
        i = new[0]
        info, _ = form_statistics(bank, [*others, i], paper.theta_cut)
        single, _ = form_statistics(bank, [i], paper.theta_cut)
        found.append(
            Replacement(
                uid=str(pool.id[i]),
                question_id=int(bank.question_id[i]),
                version_id=int(bank.version_id[i]),
                section=str(pool.section[i]),
                type=str(pool.type[i]),
                points=float(pool.points[i]),
                difficulty=int(bank.difficulty[i]),
                information=single,
                gain=info - base_info,
            )
        )
        excluded.add(str(pool.id[i]))
    stems = dict(
        session.execute(
            select(QuestionVersion.id, QuestionVersion.stem).where(
                QuestionVersion.id.in_([r.version_id for r in found])
            )
        ).all()
    )
    found = [replace(r, stem=stems.get(r.version_id, "")) for r in found]
    return Suggestions(item, tuple(found), diagnosis, time.monotonic() - t0)


@dataclass(frozen=True)
class SwapResult:
    applied: bool
    uid: str
    violations: tuple[Violation, ...]  # of the paper with the swap made


def swap_item(
    session: Session,
    paper: Paper,
    position: int,
    uid: str,
    user: User,
    *,
    confirm: bool = False,
    origin: ItemOrigin = ItemOrigin.MANUAL,
) -> SwapResult:
    """Put question `uid` (its live version) at `position`.

    When the paper would break its blueprint the swap is applied only with `confirm`;
    otherwise the result lists the violations and nothing changes."""
    require_change(paper, user)
    item = get_item(paper, position)
    uid = uid.strip()
    checked = check_paper(session, paper)
    bank = checked.bank
    i = bank.position.get(uid)
    if i is None:
        raise ValidationError("question_not_in_pool", uid=uid)
    question_id = int(bank.question_id[i])
    if question_id == item.question_id:
        raise ValidationError("question_already_on_paper", uid=uid)
    if any(other.question_id == question_id for other in paper.items):
        raise ValidationError("question_already_on_paper", uid=uid)
    current = bank.index_of_question(item.question_id)
    ids = [str(bank.pool.id[k]) for k in checked.index if k != current]
    ids.insert(min(position - 1, len(ids)), uid)
    violations = tuple(check_form(checked.blueprint, bank.pool, ids))
    if violations and not confirm:
        return SwapResult(False, uid, violations)
    item.question_id = question_id
    item.question_version_id = int(bank.version_id[i])
    item.section_code = str(bank.pool.section[i])
    item.type = str(bank.pool.type[i])
    item.points = float(bank.pool.points[i])
    item.origin = origin.value
    session.flush()
    session.refresh(item)
    refresh_statistics(paper, bank)
    session.flush()
    return SwapResult(True, uid, violations)
