"""The coverage matrix: for a specialty and level, the approved questions a paper could use,
per section × type × difficulty band, against what the default blueprint needs — and which
gaps actually block a paper.

"Blocks" is never guessed from counts: the engine assembles the default blueprint for
`forms` disjoint forms (2: the bank must fill every default twice over) and, when that is
infeasible, for one form too; the rules named by its infeasibility diagnosis are the blockers.
The per-part "need" is a guide only: the blueprint's type counts spread over the parts in
proportion to their points (the middle of each part's range), times the forms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from qbank.papers.assemble import Pool, assemble, eligibility
from qbank.papers.assembling import Message
from qbank.papers.blueprint import BANDS, Blueprint, code_matches
from qbank.papers.blueprints import default_blueprint_for, parse_source, syllabus_titles
from qbank.papers.pool import load_pool
from qbank.psychometrics.assembly import AssemblyResult
from qbank.syllabus.models import Part, Section

TYPES = ("single", "multiple", "short")


@dataclass(frozen=True)
class SectionCoverage:
    code: str
    part: str
    title: tuple[str, str]
    cells: dict[str, dict[str, int]]  # type → band → eligible questions
    total: int
    need: int  # the blueprint's minimum count × forms (0: no minimum)
    blocks: bool  # named by the diagnosis for `forms` forms
    blocks_one: bool  # named by the diagnosis for a single form
    shared_with: str | None = None  # the earlier section of the specialty its questions count for


@dataclass(frozen=True)
class PartCoverage:
    code: str
    title: tuple[str, str]
    have: dict[str, int]  # type → eligible questions
    need: dict[str, int]  # type → typical need for `forms` forms (a guide)
    points_have: float
    points_need: float  # the blueprint's minimum points × forms
    blocks: bool
    blocks_one: bool
    blocked_types: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CoverageReport:
    specialty: str
    level: str
    blueprint_id: int | None
    blueprint_name: str
    forms: int
    feasible: bool  # `forms` disjoint forms can be assembled
    feasible_one: bool
    diagnosis: tuple[Message, ...]  # for `forms` forms
    diagnosis_one: tuple[Message, ...]
    parts: tuple[PartCoverage, ...]
    sections: tuple[SectionCoverage, ...]
    blocked_types: frozenset[str]
    blocks_difficulty: bool
    pool_size: int
    eligible: int
    seconds: float
    notes: tuple[str, ...] = field(default=())

    @property
    def blocks(self) -> bool:
        return not self.feasible


def _blocked(result: AssemblyResult) -> tuple[set[str], set[tuple[str, str]], set[str], bool]:
    """Codes, (code, type) pairs, types and difficulty named by a diagnosis."""
    codes: set[str] = set()
    typed: set[tuple[str, str]] = set()
    types: set[str] = set()
    difficulty = False
    for c in result.diagnosis:
        name = c.constraint
        code, qtype = c.details.get("code"), c.details.get("type")
        if name.startswith("type:"):
            types.add(name.split(":", 1)[1])
        elif code and qtype:
            typed.add((str(code), str(qtype)))
        elif code:
            codes.add(str(code))
        elif name in ("mean_b", "expected_at_cut") or name.startswith("band:"):
            difficulty = True
    return codes, typed, types, difficulty


def _run(
    bp: Blueprint, pool: Pool, forms: int, titles: dict[str, tuple[str, str]]
) -> AssemblyResult:
    # Feasibility is all that matters here: stop at the first paper (rel_gap 50 %).
    return assemble(bp, pool, forms=forms, time_limit=15.0, syllabus_titles=titles, rel_gap=0.5)


def coverage_report(
    session: Session, specialty: str, level: str, *, forms: int = 2
) -> CoverageReport | None:
    """The matrix for the default blueprint of `specialty`-`level` (None: no such blueprint)."""
    record = default_blueprint_for(session, specialty, level)
    if record is None:
        return None
    bp = parse_source(session, record.source)
    bank = load_pool(session, specialty, level, bp.multiple_scoring)
    pool = bank.pool
    titles = syllabus_titles(session)
    many = _run(bp, pool, forms, titles)
    one = many if forms == 1 or many.forms else _run(bp, pool, 1, titles)
    codes, typed, types, difficulty = _blocked(many)
    codes1, typed1, types1, difficulty1 = _blocked(one)
    mask = eligibility(bp, pool).mask
    loc = pool.location
    e1, e2 = bp.difficulty.band_edges
    band = np.where(loc < e1, 0, np.where(loc > e2, 2, 1))
    rows = session.execute(
        select(
            Section.code, Section.part_code, Section.title, Section.title_en, Section.canonical_code
        )
        .join(Part, Part.code == Section.part_code)
        .where(Section.specialty_code == specialty)
        .order_by(Part.number, Section.number)
    ).all()
    parts = session.execute(
        select(Part.code, Part.title, Part.title_en)
        .where(Part.specialty_code == specialty)
        .order_by(Part.number)
    ).all()
    sections = []
    first: dict[str, str] = {}
    for code, part, zh, en, canonical in rows:
        first.setdefault(canonical, code)
        here = mask & (pool.section == code)
        cells = {
            t: {b: int((here & (pool.type == t) & (band == k)).sum()) for k, b in enumerate(BANDS)}
            for t in TYPES
        }
        need = max((r.min_count or 0) for r in bp.sections if r.code == code and r.type is None) \
            if any(r.code == code and r.type is None for r in bp.sections) else 0  # fmt: skip
        sections.append(
            SectionCoverage(
                code, part, (zh, en), cells, int(here.sum()), need * forms,
                code in codes or any(c == code for c, _ in typed),
                code in codes1 or any(c == code for c, _ in typed1),
                first[canonical] if first[canonical] != code else None,
            )
        )  # fmt: skip
    type_counts = {t.type: t.count for t in bp.types}
    part_rows = []
    for code, zh, en in parts:
        inside = mask & np.array([code_matches(code, str(s)) for s in pool.section.tolist()], bool)
        rule = next((r for r in bp.sections if r.code == code and r.type is None), None)
        lo = rule.min_points if rule and rule.min_points is not None else None
        hi = rule.max_points if rule and rule.max_points is not None else None
        if lo is not None or hi is not None:
            share = ((lo or 0.0) + (hi if hi is not None else (lo or 0.0))) / 2 / bp.total_points
        else:
            share = sum(1 for s in sections if s.part == code) / max(len(sections), 1)
        part_rows.append(
            PartCoverage(
                code=code,
                title=(zh, en),
                have={t: int((inside & (pool.type == t)).sum()) for t in TYPES},
                need={t: math.ceil(type_counts.get(t, 0) * share * forms - 1e-9) for t in TYPES},
                points_have=float(pool.points[inside].sum()),
                points_need=(lo or 0.0) * forms,
                blocks=code in codes
                or any(c == code for c, _ in typed)
                or any(sec.blocks for sec in sections if sec.part == code),
                blocks_one=code in codes1
                or any(c == code for c, _ in typed1)
                or any(sec.blocks_one for sec in sections if sec.part == code),
                blocked_types=frozenset(t for c, t in typed if c == code) | frozenset(types),
            )
        )
    return CoverageReport(
        specialty=specialty,
        level=level,
        blueprint_id=record.id,
        blueprint_name=record.name,
        forms=forms,
        feasible=bool(many.forms),
        feasible_one=bool(one.forms),
        diagnosis=tuple(Message(c.message_zh, c.message_en) for c in many.diagnosis),
        diagnosis_one=tuple(Message(c.message_zh, c.message_en) for c in one.diagnosis)
        if one is not many
        else (),
        parts=tuple(part_rows),
        sections=tuple(sections),
        blocked_types=frozenset(types | types1),
        blocks_difficulty=difficulty or difficulty1,
        pool_size=pool.n,
        eligible=int(mask.sum()),
        seconds=many.seconds + (one.seconds if one is not many else 0.0),
    )


def text_table(report: CoverageReport, lang: str = "zh") -> str:
    """Parts × types, have/need, for the `qbank coverage` command ("!" marks a blocker)."""
    zh = lang == "zh"
    n = report.forms
    if report.feasible:
        verdict = f"可组 {n} 套互不重复的试卷" if zh else f"OK: {n} disjoint forms can be assembled"
    elif report.feasible_one:
        verdict = (
            f"受阻：可组 1 套，组不出 {n} 套互不重复的试卷"
            if zh
            else f"BLOCKED: one form, but not {n} disjoint forms"
        )
    else:
        verdict = "受阻：一套试卷也组不出" if zh else "BLOCKED: not even one form"
    width = max([len(p.code) for p in report.parts] + [8])
    lines = [f"{report.specialty}-{report.level}  {report.blueprint_name}", "  " + verdict]
    header = "".join(f"{t:>14}" for t in (*TYPES, "points"))
    lines.append("  " + ("part" if not zh else "部分").ljust(width) + header + "   (have/need)")
    for p in report.parts:
        cells = "".join(f"{f'{p.have[t]}/{p.need[t]}':>14}" for t in TYPES)
        points = f"{p.points_have:g}/{p.points_need:g}"
        blockers = [sec.code for sec in report.sections if sec.part == p.code and sec.blocks]
        mark = ("  ! " + " ".join(blockers or [p.code])) if p.blocks else ""
        lines.append("  " + p.code.ljust(width) + cells + f"{points:>14}" + mark)
    for m in report.diagnosis or report.diagnosis_one:
        lines.append("  - " + (m.zh if zh else m.en))
    return "\n".join(lines)
