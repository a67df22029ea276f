"""Eligibility self-check: which levels a candidate may register for, and under which rule.

Pure: the rules come in as data (content/rules/eligibility.yaml), the candidate as a `Candidate`.
Years are counted up to the notice's cut-off date: "工作年限是指取得规定学历前、后从事该项工作的时间
总和，其计算截止日期为 …". "满 N 年" and "N 年以上" both include N.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class Education(enum.IntEnum):
    """Highest education. 高中 and 中专 are the same tier (upper secondary)."""

    NONE = 0  # 初中及以下
    SECONDARY = 1  # 高中、中专、职高、技校
    COLLEGE = 2  # 大专
    BACHELOR = 3  # 本科
    POSTGRADUATE = 4  # 研究生（硕士、博士）

    @classmethod
    def parse(cls, value: str) -> Education:
        try:
            return cls[value.strip().upper()]
        except KeyError as exc:
            raise ValueError(f"unknown education '{value}'") from exc


CERTIFICATES = (
    "carbon_junior",  # 初级碳减排领域证书
    "carbon_intermediate",  # 中级碳减排领域证书
    "other_junior",  # 其他初级职业或技能证书、职称证书
    "other_intermediate",
    "other_senior",
)


@dataclass(frozen=True)
class Candidate:
    education: Education
    related_major: bool = False
    years_in_field: float | None = None  # or give `started_on`
    started_on: dt.date | None = None  # first day in the field; years counted to the cut-off
    continuous: bool = True  # no break in the years (连续从事)
    student: bool = False
    certificates: Mapping[str, dt.date | None] = field(default_factory=dict)  # kind → obtained on


@dataclass(frozen=True)
class Rule:
    id: str
    text: str
    min_education: Education | None = None
    related_major: bool = False
    min_years: float | None = None
    continuous: bool = False
    student: bool = False
    certificate: tuple[str, ...] = ()
    min_certificate_years: float | None = None


@dataclass(frozen=True)
class RuleOutcome:
    rule: Rule
    met: bool
    unmet: tuple[str, ...]  # reason codes of the conditions not met


@dataclass(frozen=True)
class LevelOutcome:
    level: str
    eligible: bool
    matched: tuple[Rule, ...]
    outcomes: tuple[RuleOutcome, ...]


@dataclass(frozen=True)
class EligibilityRules:
    cutoff: dt.date
    levels: Mapping[str, tuple[Rule, ...]]

    @classmethod
    def from_data(cls, data: Mapping[str, Any], cutoff: dt.date | None = None) -> EligibilityRules:
        levels = {}
        for level, rules in data["levels"].items():
            parsed = []
            for r in rules:
                cert = r.get("certificate") or []
                parsed.append(
                    Rule(
                        id=r["id"],
                        text=r["text"],
                        min_education=Education[r["min_education"].upper()]
                        if r.get("min_education")
                        else None,
                        related_major=bool(r.get("related_major", False)),
                        min_years=r.get("min_years"),
                        continuous=bool(r.get("continuous", False)),
                        student=bool(r.get("student", False)),
                        certificate=tuple(cert) if isinstance(cert, list) else (str(cert),),
                        min_certificate_years=r.get("min_certificate_years"),
                    )
                )
            levels[level] = tuple(parsed)
        when = cutoff or dt.date.fromisoformat(str(data["cutoff_date"]))
        return cls(cutoff=when, levels=levels)


def full_years(start: dt.date, end: dt.date) -> float:
    """Completed years from `start` to `end` plus the fraction of the year under way.

    A start exactly N calendar years before `end` gives N (Feb 29 counts as Feb 28 in
    non-leap years)."""
    if end < start:
        return 0.0
    years = end.year - start.year
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:
        anniversary = dt.date(start.year + years, 2, 28)
    if anniversary > end:
        years -= 1
        try:
            anniversary = start.replace(year=start.year + years)
        except ValueError:
            anniversary = dt.date(start.year + years, 2, 28)
    following = (
        dt.date(anniversary.year + 1, anniversary.month, min(anniversary.day, 28))
        if (anniversary.month, anniversary.day) == (2, 29)
        else anniversary.replace(year=anniversary.year + 1)
    )
    fraction = (end - anniversary).days / max((following - anniversary).days, 1)
    return years + fraction


def years_in_field(candidate: Candidate, cutoff: dt.date) -> float:
    """Years worked up to and including the cut-off day: someone who started on 2020-01-01 has
    worked 3 full years by the end of 2022-12-31."""
    if candidate.started_on is not None:
        return full_years(candidate.started_on, cutoff + dt.timedelta(days=1))
    return float(candidate.years_in_field or 0.0)


def evaluate_rule(rule: Rule, candidate: Candidate, cutoff: dt.date) -> RuleOutcome:
    unmet = []
    if rule.student and not candidate.student:
        unmet.append("student")
    if rule.min_education is not None and candidate.education < rule.min_education:
        unmet.append("education")
    if rule.related_major and not candidate.related_major:
        unmet.append("related_major")
    if rule.min_years is not None:
        if years_in_field(candidate, cutoff) + 1e-9 < rule.min_years:
            unmet.append("years")
        elif rule.continuous and not candidate.continuous:
            unmet.append("continuous")
    if rule.certificate:
        held = [c for c in rule.certificate if c in candidate.certificates]
        if not held:
            unmet.append("certificate")
        elif rule.min_certificate_years is not None:
            ok = False
            for c in held:
                obtained = candidate.certificates[c]
                held_years = (
                    full_years(obtained, cutoff + dt.timedelta(days=1))
                    if obtained is not None
                    else 0.0
                )
                if held_years + 1e-9 >= rule.min_certificate_years:
                    ok = True
            if not ok:
                unmet.append("certificate_years")
    return RuleOutcome(rule, not unmet, tuple(unmet))


def check_eligibility(candidate: Candidate, rules: EligibilityRules) -> list[LevelOutcome]:
    """One outcome per level, in the order of the rules data."""
    result = []
    for level, level_rules in rules.levels.items():
        outcomes = tuple(evaluate_rule(r, candidate, rules.cutoff) for r in level_rules)
        matched = tuple(o.rule for o in outcomes if o.met)
        result.append(LevelOutcome(level, bool(matched), matched, outcomes))
    return result
