"""Syllabus tables. Codes are the primary keys: they are stable and appear in content files."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qbank.db import db, utcnow


class Specialty(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "specialty"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    order: Mapped[int]
    title: Mapped[str] = mapped_column(String(100))
    title_en: Mapped[str] = mapped_column(String(200))
    objectives: Mapped[list[Any]] = mapped_column(default=list)

    parts: Mapped[list[Part]] = relationship(
        back_populates="specialty", order_by="Part.number", cascade="all, delete-orphan"
    )

    def localized_title(self, locale: str) -> str:
        return self.title_en if locale.startswith("en") else self.title

    @property
    def section_count(self) -> int:
        return sum(len(p.sections) for p in self.parts)


class Level(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "level"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    order: Mapped[int]
    title: Mapped[str] = mapped_column(String(20))
    title_en: Mapped[str] = mapped_column(String(40))
    fee_yuan: Mapped[int]

    def localized_title(self, locale: str) -> str:
        return self.title_en if locale.startswith("en") else self.title


class Part(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "part"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    specialty_code: Mapped[str] = mapped_column(ForeignKey("specialty.code"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(300))
    notice_title: Mapped[str] = mapped_column(String(200))
    notice_number: Mapped[int]

    specialty: Mapped[Specialty] = relationship(back_populates="parts")
    sections: Mapped[list[Section]] = relationship(
        back_populates="part", order_by="Section.number", cascade="all, delete-orphan"
    )

    def localized_title(self, locale: str) -> str:
        return self.title_en if locale.startswith("en") else self.title


class Section(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "section"

    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    part_code: Mapped[str] = mapped_column(ForeignKey("part.code"), index=True)
    specialty_code: Mapped[str] = mapped_column(ForeignKey("specialty.code"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(300))
    notice_title: Mapped[str] = mapped_column(String(200))
    # The canonical section teaching the same topic; equal to `code` for canonical sections.
    canonical_code: Mapped[str] = mapped_column(String(48), index=True)

    part: Mapped[Part] = relationship(back_populates="sections")

    @property
    def is_canonical(self) -> bool:
        return self.canonical_code == self.code

    def localized_title(self, locale: str) -> str:
        return self.title_en if locale.startswith("en") else self.title


class RuleSet(db.Model):  # type: ignore[name-defined,misc]
    """A rules document from content/rules (exam, calendar, eligibility), stored as loaded."""

    __tablename__ = "rule_set"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    data: Mapped[dict[str, Any]]
    digest: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
