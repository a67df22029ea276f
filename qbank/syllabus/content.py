"""Pure parser of `content/syllabus/` and `content/rules/`: files in, frozen specs out.

Nothing here touches the database; `loader.py` upserts what this returns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qbank.yamlfile import YamlProblem, YamlSyntaxError, line_of, load_yaml_file


@dataclass(frozen=True)
class SectionSpec:
    code: str  # e.g. "trading.2.3"
    number: int
    title: str
    title_en: str
    notice_title: str  # the notice's wording, when it differs from `title`
    same_as: str | None  # canonical section code, None when this section is canonical


@dataclass(frozen=True)
class PartSpec:
    code: str  # e.g. "trading.2"
    number: int
    title: str
    title_en: str
    notice_title: str
    notice_number: int
    sections: tuple[SectionSpec, ...]


@dataclass(frozen=True)
class ObjectiveSpec:
    zh: str
    en: str
    notice_zh: str


@dataclass(frozen=True)
class SpecialtySpec:
    code: str
    order: int
    title: str
    title_en: str
    objectives: tuple[ObjectiveSpec, ...]
    parts: tuple[PartSpec, ...]


@dataclass(frozen=True)
class LevelSpec:
    code: str
    order: int
    title: str
    title_en: str
    fee_yuan: int


@dataclass(frozen=True)
class QuestionTypeSpec:
    code: str
    title: str
    title_en: str


@dataclass(frozen=True)
class ExamRules:
    total_points: int
    pass_points: int
    duration_minutes: int
    start_time: str
    end_time: str
    retake_fee_yuan: int
    question_types: tuple[QuestionTypeSpec, ...]
    fee_includes: tuple[str, ...]


@dataclass(frozen=True)
class Syllabus:
    specialties: tuple[SpecialtySpec, ...]
    levels: tuple[LevelSpec, ...]
    exam: ExamRules
    calendar: dict[str, Any]
    eligibility: dict[str, Any]
    problems: tuple[YamlProblem, ...] = field(default=())

    def sections(self) -> list[SectionSpec]:
        return [s for sp in self.specialties for p in sp.parts for s in p.sections]

    def canonical_code(self, code: str) -> str:
        for s in self.sections():
            if s.code == code:
                return s.same_as or s.code
        raise KeyError(code)


class ContentError(Exception):
    """Raised with every problem found, each naming its file and line."""

    def __init__(self, problems: list[YamlProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[YamlProblem] = []

    def problem(self, node: Any, message: str, line: int = 0) -> None:
        self.problems.append(YamlProblem(str(self.path), line_of(node, line), message))

    def text(self, node: Any, key: str, required: bool = True) -> str:
        value = node.get(key) if isinstance(node, dict) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(node, f"'{key}' is required")
            return ""
        if not isinstance(value, (str, int, float)):
            self.problem(node, f"'{key}' must be text")
            return ""
        return str(value).strip()

    def integer(self, node: Any, key: str, default: int | None = None) -> int:
        value = node.get(key, default) if isinstance(node, dict) else default
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(node, f"'{key}' must be a whole number")
            return 0
        return value


def _parse_specialty(path: Path) -> tuple[SpecialtySpec | None, list[YamlProblem]]:
    r = _Reader(path)
    try:
        doc = load_yaml_file(path)
    except YamlSyntaxError as exc:
        return None, [exc.problem]
    if not isinstance(doc, dict):
        r.problem(doc, "a specialty file must be a mapping", 1)
        return None, r.problems
    code = r.text(doc, "code")
    if code and code != path.stem:
        r.problem(doc, f"code '{code}' must match the file name '{path.stem}'")
    objectives = []
    for obj in doc.get("objectives") or []:
        zh = r.text(obj, "zh")
        objectives.append(
            ObjectiveSpec(zh, r.text(obj, "en"), r.text(obj, "notice_zh", False) or zh)
        )
    parts = []
    for expected_part, part in enumerate(doc.get("parts") or [], start=1):
        number = r.integer(part, "number")
        if number != expected_part:
            r.problem(part, f"part number {number} out of order (expected {expected_part})")
        title = r.text(part, "title")
        sections = []
        for expected, sec in enumerate(part.get("sections") or [], start=1):
            snum = r.integer(sec, "number")
            if snum != expected:
                r.problem(sec, f"section number {snum} out of order (expected {expected})")
            stitle = r.text(sec, "title")
            sections.append(
                SectionSpec(
                    code=f"{code}.{number}.{snum}",
                    number=snum,
                    title=stitle,
                    title_en=r.text(sec, "title_en"),
                    notice_title=r.text(sec, "notice_title", False) or stitle,
                    same_as=r.text(sec, "same_as", False) or None,
                )
            )
        if not sections:
            r.problem(part, "a part needs at least one section")
        parts.append(
            PartSpec(
                code=f"{code}.{number}",
                number=number,
                title=title,
                title_en=r.text(part, "title_en"),
                notice_title=r.text(part, "notice_title", False) or title,
                notice_number=r.integer(part, "notice_number", number),
                sections=tuple(sections),
            )
        )
    if not parts:
        r.problem(doc, "a specialty needs at least one part")
    spec = SpecialtySpec(
        code=code,
        order=r.integer(doc, "order"),
        title=r.text(doc, "title"),
        title_en=r.text(doc, "title_en"),
        objectives=tuple(objectives),
        parts=tuple(parts),
    )
    return spec, r.problems


def _parse_rules(
    rules_dir: Path,
) -> tuple[
    tuple[LevelSpec, ...], ExamRules | None, dict[str, Any], dict[str, Any], list[YamlProblem]
]:
    problems: list[YamlProblem] = []
    docs: dict[str, Any] = {}
    for name in ("exam", "calendar", "eligibility"):
        path = rules_dir / f"{name}.yaml"
        try:
            docs[name] = load_yaml_file(path)
        except FileNotFoundError:
            problems.append(YamlProblem(str(path), 0, "file is missing"))
        except YamlSyntaxError as exc:
            problems.append(exc.problem)
    levels: tuple[LevelSpec, ...] = ()
    exam = None
    if isinstance(docs.get("exam"), dict):
        r = _Reader(rules_dir / "exam.yaml")
        doc = docs["exam"]
        levels = tuple(
            LevelSpec(
                r.text(lv, "code"),
                r.integer(lv, "order"),
                r.text(lv, "title"),
                r.text(lv, "title_en"),
                r.integer(lv, "fee_yuan"),
            )
            for lv in doc.get("levels") or []
        )
        e = doc.get("exam") or {}
        exam = ExamRules(
            total_points=r.integer(e, "total_points"),
            pass_points=r.integer(e, "pass_points"),
            duration_minutes=r.integer(e, "duration_minutes"),
            start_time=r.text(e, "start_time"),
            end_time=r.text(e, "end_time"),
            retake_fee_yuan=r.integer(e, "retake_fee_yuan"),
            question_types=tuple(
                QuestionTypeSpec(r.text(t, "code"), r.text(t, "title"), r.text(t, "title_en"))
                for t in doc.get("question_types") or []
            ),
            fee_includes=tuple(str(x) for x in doc.get("fee_includes") or []),
        )
        problems += r.problems
    calendar = _plain(docs.get("calendar") or {})
    eligibility = _plain(docs.get("eligibility") or {})
    cutoff = eligibility.get("cutoff_date")
    if isinstance(cutoff, dt.date):
        eligibility["cutoff_date"] = cutoff.isoformat()
    return levels, exam, calendar, eligibility, problems


def _plain(value: Any) -> Any:
    """Drop line information so the value can be stored as JSON."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def parse_syllabus(content_dir: Path) -> Syllabus:
    """Read the syllabus and rules. Raises ContentError listing every problem found."""
    problems: list[YamlProblem] = []
    specialties = []
    syllabus_dir = content_dir / "syllabus"
    files = sorted(syllabus_dir.glob("*.yaml"))
    if not files:
        problems.append(YamlProblem(str(syllabus_dir), 0, "no specialty files found"))
    for path in files:
        spec, found = _parse_specialty(path)
        problems += found
        if spec is not None:
            specialties.append(spec)
    specialties.sort(key=lambda s: s.order)
    levels, exam, calendar, eligibility, found = _parse_rules(content_dir / "rules")
    problems += found
    _check_references(specialties, problems)
    if problems or exam is None:
        raise ContentError(problems or [YamlProblem(str(content_dir), 0, "exam rules missing")])
    return Syllabus(tuple(specialties), levels, exam, calendar, eligibility)


def _check_references(specialties: list[SpecialtySpec], problems: list[YamlProblem]) -> None:
    by_code = {s.code: s for sp in specialties for p in sp.parts for s in p.sections}
    seen: set[str] = set()
    for sp in specialties:
        if sp.code in seen:
            problems.append(YamlProblem(sp.code, 0, f"specialty '{sp.code}' defined twice"))
        seen.add(sp.code)
    for code, section in by_code.items():
        if section.same_as is None:
            continue
        target = by_code.get(section.same_as)
        if target is None:
            problems.append(YamlProblem(code, 0, f"same_as '{section.same_as}' is not a section"))
        elif target.same_as is not None:
            problems.append(
                YamlProblem(code, 0, f"same_as '{section.same_as}' is not canonical itself")
            )
