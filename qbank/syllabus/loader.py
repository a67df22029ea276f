"""Idempotent upsert of the parsed syllabus and rules into the database.

The caller owns the transaction: this flushes, never commits.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbank.db import utcnow
from qbank.syllabus.content import Syllabus
from qbank.syllabus.models import Level, Part, RuleSet, Section, Specialty


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: str, kind: str) -> None:
        target = getattr(self, bucket)
        target[kind] = target.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def merge(self, other: LoadReport) -> None:
        for bucket in ("created", "updated", "unchanged"):
            for kind, n in getattr(other, bucket).items():
                getattr(self, bucket)[kind] = getattr(self, bucket).get(kind, 0) + n


def _upsert(
    session: Session, model: type, key: str, values: dict[str, Any], kind: str, report: LoadReport
) -> None:
    row = session.get(model, key)
    if row is None:
        session.add(model(**values))
        report.count("created", kind)
        return
    dirty = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            dirty = True
    report.count("updated" if dirty else "unchanged", kind)


def load_syllabus(session: Session, syllabus: Syllabus) -> LoadReport:
    report = LoadReport()
    for lv in syllabus.levels:
        _upsert(
            session,
            Level,
            lv.code,
            dict(
                code=lv.code,
                order=lv.order,
                title=lv.title,
                title_en=lv.title_en,
                fee_yuan=lv.fee_yuan,
            ),
            "level",
            report,
        )
    for sp in syllabus.specialties:
        objectives = [asdict(o) for o in sp.objectives]
        _upsert(
            session,
            Specialty,
            sp.code,
            dict(
                code=sp.code,
                order=sp.order,
                title=sp.title,
                title_en=sp.title_en,
                objectives=objectives,
            ),
            "specialty",
            report,
        )
    session.flush()
    for sp in syllabus.specialties:
        for part in sp.parts:
            _upsert(
                session,
                Part,
                part.code,
                dict(
                    code=part.code,
                    specialty_code=sp.code,
                    number=part.number,
                    title=part.title,
                    title_en=part.title_en,
                    notice_title=part.notice_title,
                    notice_number=part.notice_number,
                ),
                "part",
                report,
            )
    session.flush()
    for sp in syllabus.specialties:
        for part in sp.parts:
            for sec in part.sections:
                _upsert(
                    session,
                    Section,
                    sec.code,
                    dict(
                        code=sec.code,
                        part_code=part.code,
                        specialty_code=sp.code,
                        number=sec.number,
                        title=sec.title,
                        title_en=sec.title_en,
                        notice_title=sec.notice_title,
                        canonical_code=sec.same_as or sec.code,
                    ),
                    "section",
                    report,
                )
    rules = {
        "exam": {"levels": [asdict(lv) for lv in syllabus.levels], **asdict(syllabus.exam)},
        "calendar": syllabus.calendar,
        "eligibility": syllabus.eligibility,
    }
    for name, data in rules.items():
        plain = json.loads(json.dumps(data, ensure_ascii=False, default=str))
        digest = hashlib.sha256(json.dumps(plain, sort_keys=True).encode()).hexdigest()
        row = session.get(RuleSet, name)
        if row is None:
            session.add(RuleSet(name=name, data=plain, digest=digest, loaded_at=utcnow()))
            report.count("created", "rules")
        elif row.digest != digest:
            row.data, row.digest, row.loaded_at = plain, digest, utcnow()
            report.count("updated", "rules")
        else:
            report.count("unchanged", "rules")
    session.flush()
    return report


def get_rules(session: Session, name: str) -> dict[str, Any]:
    row = session.scalar(select(RuleSet).where(RuleSet.name == name))
    if row is None:
        raise LookupError(f"rules '{name}' are not loaded; run `qbank load-content`")
    return dict(row.data)
