"""Blueprints kept in the database: the 21 defaults loaded from `content/blueprints/`, examiners'
edits and copies, validation with line-numbered problems, import and export as YAML.

Services flush, never commit; the acting user is a parameter.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbank.accounts.models import User
from qbank.db import utcnow
from qbank.errors import NotFoundError, ValidationError
from qbank.papers.blueprint import Blueprint, BlueprintError, parse_blueprint
from qbank.papers.models import PaperBlueprint, text_hash
from qbank.syllabus.content import ContentError
from qbank.syllabus.loader import LoadReport
from qbank.syllabus.models import Part, Section, Specialty
from qbank.yamlfile import YamlProblem

MAX_SOURCE = 200_000
KEPT = "edited blueprint kept"


def syllabus_codes(session: Session) -> frozenset[str]:
    """Every specialty, part and section code: what blueprint section rules may name."""
    codes = set(session.scalars(select(Specialty.code)))
    codes |= set(session.scalars(select(Part.code)))
    codes |= set(session.scalars(select(Section.code)))
    return frozenset(codes)


def syllabus_titles(session: Session) -> dict[str, tuple[str, str]]:
    """Part and section code → (Chinese title, English title), for diagnosis messages."""
    rows = list(session.execute(select(Part.code, Part.title, Part.title_en)).all())
    rows += list(session.execute(select(Section.code, Section.title, Section.title_en)).all())
    return {code: (zh, en) for code, zh, en in rows}


def problem_dicts(problems: list[YamlProblem]) -> list[dict[str, Any]]:
    return [{"line": p.line, "message": p.message} for p in problems]


def parse_source(session: Session, source: str, name: str = "blueprint.yaml") -> Blueprint:
    """The blueprint of `source`, checked against the syllabus in the database.

    Raises ValidationError("invalid_blueprint", problems=[{line, message}, …])."""
    if len(source) > MAX_SOURCE:
        raise ValidationError(
            "invalid_blueprint", problems=[{"line": 0, "message": "the text is too long"}]
        )
    try:
        return parse_blueprint(source, name, syllabus_codes(session))
    except BlueprintError as exc:
        raise ValidationError("invalid_blueprint", problems=problem_dicts(exc.problems)) from None


def summarize(bp: Blueprint) -> dict[str, Any]:
    """What lists and API clients show without parsing the YAML again."""
    return {
        "name": bp.name,
        "specialty": bp.specialty,
        "level": bp.level,
        "total_points": bp.total_points,
        "cut_score": bp.cut_score,
        "duration_minutes": bp.duration_minutes,
        "types": [asdict(t) for t in bp.types],
        "n_items": bp.n_items,
        "section_rules": len(bp.sections),
        "mean_b": list(bp.difficulty.mean_b) if bp.difficulty.mean_b else None,
        "bands": [list(b) for b in bp.difficulty.bands],
        "multiple_scoring": bp.multiple_scoring,
        "levels_allowed": list(bp.allowed_levels),
        "recency": bp.recency,
        "max_exposure": bp.max_exposure,
        "forms": bp.forms,
        "max_overlap": bp.max_overlap,
        "theta_cut": bp.theta_cut,
        "cut_tolerance": bp.cut_tolerance,
    }


def _apply(record: PaperBlueprint, bp: Blueprint, source: str) -> None:
    record.source = source
    record.name = bp.name[:200]
    record.specialty_code = bp.specialty
    record.level_code = bp.level
    record.summary = summarize(bp)


def list_blueprints(
    session: Session, specialty: str | None = None, level: str | None = None
) -> list[PaperBlueprint]:
    stmt = select(PaperBlueprint).join(Specialty, Specialty.code == PaperBlueprint.specialty_code)
    if specialty:
        stmt = stmt.where(PaperBlueprint.specialty_code == specialty)
    if level:
        stmt = stmt.where(PaperBlueprint.level_code == level)
    rows = session.scalars(stmt.order_by(Specialty.order, PaperBlueprint.id)).all()
    order = {"junior": 0, "intermediate": 1, "senior": 2}
    return sorted(
        rows,
        key=lambda r: (
            r.specialty_code,
            order.get(r.level_code, 9),
            not r.is_default,
            r.id,
        ),
    )


def get_blueprint(session: Session, blueprint_id: int) -> PaperBlueprint:
    record = session.get(PaperBlueprint, blueprint_id)
    if record is None:
        raise NotFoundError("blueprint_not_found", blueprint_id=blueprint_id)
    return record


def default_blueprint_for(session: Session, specialty: str, level: str) -> PaperBlueprint | None:
    return session.scalar(
        select(PaperBlueprint).where(PaperBlueprint.default_key == f"{specialty}-{level}")
    )


def create_blueprint(session: Session, source: str, actor: User | None) -> PaperBlueprint:
    """A new (non-default) blueprint from YAML text."""
    bp = parse_source(session, source)
    now = utcnow()
    record = PaperBlueprint(
        created_at=now,
        updated_at=now,
        created_by_id=actor.id if actor else None,
        updated_by_id=actor.id if actor else None,
    )
    _apply(record, bp, source)
    session.add(record)
    session.flush()
    return record


def update_blueprint(
    session: Session, record: PaperBlueprint, source: str, actor: User | None
) -> bool:
    """Replace the YAML. Returns False when nothing changed. A default blueprint keeps its
    specialty and level (it is the default of that pair)."""
    if source == record.source:
        return False
    bp = parse_source(session, source)
    if record.is_default and (bp.specialty, bp.level) != (
        record.specialty_code,
        record.level_code,
    ):
        raise ValidationError(
            "blueprint_track_fixed", specialty=record.specialty_code, level=record.level_code
        )
    _apply(record, bp, source)
    record.updated_at = utcnow()
    record.updated_by_id = actor.id if actor else None
    session.flush()
    return True


_NAME_LINE = re.compile(r"^name:.*$", re.M)


def copy_blueprint(
    session: Session, record: PaperBlueprint, actor: User | None, suffix: str = "副本"
) -> PaperBlueprint:
    """ "New from default": an editable copy (not a default itself) under a new name."""
    bp = parse_source(session, record.source)
    name = f"{bp.name} {suffix}"
    source = _NAME_LINE.sub(
        lambda _m: f"name: {json.dumps(name, ensure_ascii=False)}", record.source, 1
    )
    return create_blueprint(session, source, actor)


def export_filename(record: PaperBlueprint) -> str:
    return f"{record.default_key or f'blueprint-{record.id}'}.yaml"


def load_default_blueprints(session: Session, directory: Path) -> LoadReport:
    """Upsert `directory/<specialty>-<level>.yaml` by file name (idempotent).

    A default that an examiner edited is kept as is and counted under "edited blueprint kept";
    every file is validated first and nothing is loaded if any has a problem (ContentError)."""
    report = LoadReport()
    if not directory.is_dir():
        return report
    codes = syllabus_codes(session)
    parsed: list[tuple[str, str, Blueprint]] = []
    problems: list[YamlProblem] = []
    for path in sorted(directory.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        try:
            bp = parse_blueprint(text, str(path), codes)
        except BlueprintError as exc:
            problems += exc.problems
            continue
        if path.stem != f"{bp.specialty}-{bp.level}":
            problems.append(
                YamlProblem(str(path), 1, f"the file must be named {bp.specialty}-{bp.level}.yaml")
            )
            continue
        parsed.append((path.stem, text, bp))
    if problems:
        raise ContentError(problems)
    existing = {
        r.default_key: r
        for r in session.scalars(
            select(PaperBlueprint).where(PaperBlueprint.default_key.is_not(None))
        )
    }
    now = utcnow()
    for key, text, bp in parsed:
        record = existing.get(key)
        if record is None:
            record = PaperBlueprint(default_key=key, created_at=now, updated_at=now)
            _apply(record, bp, text)
            record.loaded_hash = text_hash(text)
            session.add(record)
            report.count("created", "blueprint")
        elif record.is_edited:
            report.count("unchanged", KEPT)
        elif record.source != text:
            _apply(record, bp, text)
            record.loaded_hash = text_hash(text)
            record.updated_at = now
            report.count("updated", "blueprint")
        else:
            report.count("unchanged", "blueprint")
    session.flush()
    return report
