"""Reading the syllabus, rules and calendar from the database for views and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from qbank.errors import NotFoundError
from qbank.syllabus.calendar import CalendarRules, Sitting, upcoming_sittings
from qbank.syllabus.eligibility import EligibilityRules
from qbank.syllabus.loader import get_rules
from qbank.syllabus.models import Level, Part, Section, Specialty

CHINA = ZoneInfo("Asia/Shanghai")


def today_in_china() -> dt.date:
    return dt.datetime.now(CHINA).date()


def list_specialties(session: Session) -> list[Specialty]:
    return list(
        session.scalars(
            select(Specialty)
            .order_by(Specialty.order)
            .options(selectinload(Specialty.parts).selectinload(Part.sections))
        )
    )


def get_specialty(session: Session, code: str) -> Specialty:
    specialty = session.scalar(
        select(Specialty)
        .where(Specialty.code == code)
        .options(selectinload(Specialty.parts).selectinload(Part.sections))
    )
    if specialty is None:
        raise NotFoundError("unknown_specialty", code=code)
    return specialty


def list_levels(session: Session) -> list[Level]:
    return list(session.scalars(select(Level).order_by(Level.order)))


def all_sections(session: Session) -> dict[str, Section]:
    return {s.code: s for s in session.scalars(select(Section))}


def sharing_map(session: Session) -> dict[str, list[str]]:
    """Canonical code → every section code that teaches that topic."""
    out: dict[str, list[str]] = {}
    for s in session.scalars(select(Section).order_by(Section.code)):
        out.setdefault(s.canonical_code, []).append(s.code)
    return out


def exam_rules(session: Session) -> dict[str, Any]:
    return get_rules(session, "exam")


def eligibility_rules(session: Session, cutoff: dt.date | None = None) -> EligibilityRules:
    return EligibilityRules.from_data(get_rules(session, "eligibility"), cutoff)


def calendar_rules(session: Session) -> CalendarRules:
    return CalendarRules.from_data(get_rules(session, "calendar"))


def next_sittings(session: Session, start: dt.date | None = None, count: int = 6) -> list[Sitting]:
    try:
        rules = calendar_rules(session)
    except LookupError:
        return []
    return upcoming_sittings(start or today_in_china(), rules, count)


def syllabus_tree(session: Session) -> list[dict[str, Any]]:
    return [
        {
            "code": sp.code,
            "title": sp.title,
            "title_en": sp.title_en,
            "objectives": sp.objectives,
            "parts": [
                {
                    "code": p.code,
                    "number": p.number,
                    "title": p.title,
                    "title_en": p.title_en,
                    "sections": [
                        {
                            "code": s.code,
                            "number": s.number,
                            "title": s.title,
                            "title_en": s.title_en,
                            "canonical_code": s.canonical_code,
                        }
                        for s in p.sections
                    ],
                }
                for p in sp.parts
            ],
        }
        for sp in list_specialties(session)
    ]
