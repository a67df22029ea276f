"""A fresh mock-exam form for one learner, assembled by the blueprint solver from the approved
bank, preferring questions the learner has not seen yet."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbank.accounts.models import User
from qbank.analytics.parameters import ItemRef, parameters_for
from qbank.authoring.models import LEVEL_BITS, Question, QuestionStatus, QuestionVersion
from qbank.errors import NoEligibleItemsError, ValidationError
from qbank.papers.assemble import Pool, assemble
from qbank.papers.blueprint import Blueprint, load_blueprint
from qbank.practice.models import Attempt, AttemptKind
from qbank.practice.queries import seen_question_ids
from qbank.practice.sessions import FormItem, start_attempt
from qbank.syllabus.models import Part, Section

TYPE_ORDER = {"single": 0, "multiple": 1, "short": 2}


def specialty_sections(session: Session, specialty: str) -> dict[str, str]:
    """canonical section code → the first section code of `specialty` that teaches it."""
    rows = session.execute(
        select(Section.code, Section.canonical_code).join(Part, Part.code == Section.part_code)
        .where(Section.specialty_code == specialty).order_by(Part.number, Section.number)).all()
    out: dict[str, str] = {}
    for code, canonical in rows:
        out.setdefault(canonical, code)
    return out


def learner_pool(session: Session, blueprint: Blueprint) -> tuple[Pool, dict[str, int]]:
    """The blueprint's pool: live questions of its specialty and allowed levels, with their
    parameters. Also returns question id → live version id."""
    mapping = specialty_sections(session, blueprint.specialty)
    mask = sum(LEVEL_BITS[lv] for lv in blueprint.allowed_levels)
    points = {t.type: t.points for t in blueprint.types}
    rows = session.execute(
        select(Question.id, Question.type, Question.section_code, Question.levels_mask,
               Question.enemy_group, Question.difficulty, Question.live_version_id)
        .where(Question.status == QuestionStatus.APPROVED.value,
               Question.live_version_id.is_not(None),
               Question.section_code.in_(sorted(mapping)),
               Question.levels_mask.op("&")(mask) != 0,
               Question.type.in_(sorted(points)))
        .order_by(Question.id)).all()
    params = parameters_for(session, [ItemRef(r.id, r.type, points[r.type], r.difficulty)
                                      for r in rows], blueprint.multiple_scoring)
    pool = Pool.build(
        id=[str(r.id) for r in rows], section=[mapping[r.section_code] for r in rows],
        type=[r.type for r in rows], points=[points[r.type] for r in rows],
        a=params.params.a.tolist(),
        b=[[x for x in row if x == x] for row in params.params.b.tolist()],
        levels=[int(r.levels_mask) for r in rows], enemy=[r.enemy_group or "" for r in rows])
    return pool, {str(r.id): r.live_version_id for r in rows}


def default_blueprint(content_dir: Path, specialty: str, level: str) -> Blueprint:
    path = content_dir / "blueprints" / f"{specialty}-{level}.yaml"
    if not path.is_file():
        raise ValidationError("no_blueprint", specialty=specialty, level=level)
    return load_blueprint(path)


def assemble_form(session: Session, blueprint: Blueprint, avoid: set[int], seed: int,
                  time_limit: float = 10.0) -> tuple[list[FormItem], dict[str, object]]:
    pool, versions = learner_pool(session, blueprint)
    tries = [replace(blueprint, must_exclude=tuple(str(i) for i in sorted(avoid)), forms=1)]
    if avoid:
        tries.append(replace(blueprint, forms=1))  # seen questions only when the bank is short
    result = None
    for bp in tries:
        result = assemble(bp, pool, forms=1, seed=seed, time_limit=time_limit)
        if result.forms:
            break
    if result is None or not result.forms:
        raise NoEligibleItemsError("cannot_assemble", status=result.status if result else "")
    index = result.forms[0].index
    points = {t.type: t.points for t in blueprint.types}
    chosen = sorted((int(i) for i in index), key=lambda i: (
        TYPE_ORDER.get(str(pool.type[i]), 9), str(pool.section[i]), str(pool.id[i])))
    form = [FormItem(int(pool.id[i]), versions[str(pool.id[i])], str(pool.section[i]),
                     float(points[str(pool.type[i])])) for i in chosen]
    stats = {"status": result.status, "seconds": round(result.seconds, 3),
             "gap": result.gap, "theta_cut": float(result.theta[0]) if len(result.theta) else None,
             "unseen": len([f for f in form if f.question_id not in avoid]),
             "blueprint": blueprint.name}
    return form, stats


def start_mock(session: Session, learner: User, now: dt.datetime, content_dir: Path,
               specialty: str | None = None, level: str | None = None) -> Attempt:
    specialty = specialty or learner.specialty_code
    level = level or learner.level_code
    if not specialty or not level:
        raise ValidationError("track_required")
    blueprint = default_blueprint(content_dir, specialty, level)
    seed = random.SystemRandom().randrange(2**31)
    form, stats = assemble_form(session, blueprint, seen_question_ids(session, learner), seed)
    versions_ok = session.scalar(select(QuestionVersion.id).where(
        QuestionVersion.id.in_([f.version_id for f in form])).limit(1))
    assert versions_ok is not None
    return start_attempt(
        session, learner, form, kind=AttemptKind.MOCK, specialty=specialty, level=level,
        now=now, title=blueprint.name, duration=dt.timedelta(minutes=blueprint.duration_minutes),
        multiple_scoring=blueprint.multiple_scoring, pass_points=blueprint.cut_score, seed=seed,
        details={"assembly": stats})
