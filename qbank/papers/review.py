"""What the paper review page shows: the items with their statistics, the blueprint's rules
met or not (from the independent checker), test information, and the expected score
distribution and pass rate for the candidate population.

The population is the calibrated one once calibration runs exist; until then a standard
normal N(0, 1) on the cold-start scale, and the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from qbank.authoring.models import Question
from qbank.papers.assemble import code_label
from qbank.papers.assembling import PaperCheck, check_paper
from qbank.papers.blueprint import TYPE_EN, TYPE_ZH, Blueprint, code_matches
from qbank.papers.blueprints import syllabus_titles
from qbank.papers.check import Violation
from qbank.papers.models import Paper, PaperItem
from qbank.psychometrics.forecast import score_distribution
from qbank.psychometrics.irt import ItemParameters, item_information
from qbank.psychometrics.quadrature import normal_grid

BAND_ZH = {"easy": "容易题", "medium": "中等难度题", "hard": "难题"}
RULE_CODES = {"type_count", "total_points", "section_points", "section_count", "mean_b", "band",
              "expected_at_cut"}  # fmt: skip


@dataclass(frozen=True)
class Population:
    mean: float
    sd: float
    calibrated: bool


def candidate_population(session: Session) -> Population:
    """The ability distribution of candidates. No calibration run exists yet, so the standard
    normal of the cold-start scale; a calibration run will supply its estimated mean and sd."""
    return Population(0.0, 1.0, calibrated=False)


@dataclass(frozen=True)
class ItemRow:
    item: PaperItem
    uid: str
    difficulty: int
    a: float
    b: float  # location: mean of the steps
    information: float  # at θ_cut
    provisional: bool
    last_used: int | None  # published papers ago
    exposure: float
    newer_version: int | None  # the live version's number when it is not the pinned one
    retired: bool
    flagged: bool  # named by a violation


@dataclass(frozen=True)
class Measure:
    unit: str  # "points", "questions" or "" (a plain value such as mean b)
    required: str
    actual: str


@dataclass(frozen=True)
class RuleRow:
    label_zh: str
    label_en: str
    measures: tuple[Measure, ...]
    met: bool


@dataclass(frozen=True)
class Forecast:
    population: Population
    expected: float
    sd: float
    pass_rate: float
    grid: NDArray[np.float64]
    pmf: NDArray[np.float64]


@dataclass(frozen=True)
class PaperReview:
    paper: Paper
    blueprint: Blueprint
    rows: tuple[ItemRow, ...]
    rules: tuple[RuleRow, ...]
    findings: tuple[Violation, ...]  # violations that are not about a rule row
    violations: tuple[Violation, ...]
    params: ItemParameters  # the paper's items in paper order
    points: NDArray[np.float64]
    information_at_cut: float
    se_at_cut: float
    expected_at_cut: float
    mean_b: float
    provisional: int
    forecast: Forecast


def _num(x: float | None) -> str:
    if x is None:
        return "–"
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _range(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return _num(lo) if lo == hi else f"{_num(lo)}–{_num(hi)}"
    if lo is not None:
        return f"≥ {_num(lo)}"
    return f"≤ {_num(hi)}"


def _has(violations: tuple[Violation, ...], kind: str, **details: Any) -> bool:
    return any(
        v.code == kind and all(v.details.get(k) == val for k, val in details.items())
        for v in violations
    )


def rule_rows(
    bp: Blueprint, check: PaperCheck, titles: dict[str, tuple[str, str]], mean_b: float
) -> list[RuleRow]:
    """Every rule of the blueprint with what the paper has; `met` from the checker."""
    pool, index, vs = check.bank.pool, list(check.index), check.violations
    types = [str(pool.type[i]) for i in index]
    rows = []
    for t in bp.types:
        rows.append(
            RuleRow(f"{TYPE_ZH.get(t.type, t.type)}（每题 {_num(t.points)} 分）",
                    f"{TYPE_EN.get(t.type, t.type)} ({_num(t.points)} points each)",
                    (Measure("questions", str(t.count), str(types.count(t.type))),),
                    not _has(vs, "type_count", type=t.type))
        )  # fmt: skip
    total = float(sum(float(pool.points[i]) for i in index))
    rows.append(
        RuleRow("总分", "total", (Measure("points", _num(bp.total_points), _num(total)),),
                not _has(vs, "total_points"))
    )  # fmt: skip
    for rule in bp.sections:
        inside = [
            i for i in index
            if code_matches(rule.code, str(pool.section[i]))
            and (rule.type is None or str(pool.type[i]) == rule.type)
        ]  # fmt: skip
        zh, en = code_label(rule.code, titles)
        if rule.type:
            zh, en = f"{zh} · {rule.type}", f"{en} · {rule.type}"
        measures = []
        if rule.min_points is not None or rule.max_points is not None:
            points = _num(sum(float(pool.points[i]) for i in inside))
            measures.append(Measure("points", _range(rule.min_points, rule.max_points), points))
        if rule.min_count is not None or rule.max_count is not None:
            count = str(len(inside))
            measures.append(Measure("questions", _range(rule.min_count, rule.max_count), count))
        met = not (
            _has(vs, "section_points", code=rule.code, type=rule.type)
            or _has(vs, "section_count", code=rule.code, type=rule.type)
        )
        rows.append(RuleRow(zh, en, tuple(measures), met))
    diff = bp.difficulty
    if diff.mean_b is not None:
        rows.append(
            RuleRow("平均难度 b", "mean difficulty b",
                    (Measure("", _range(*diff.mean_b), f"{mean_b:.2f}"),), not _has(vs, "mean_b"))
        )  # fmt: skip
    locs = np.nanmean(pool.b[index], axis=1) if index else np.zeros(0)
    e1, e2 = diff.band_edges
    for band, lo, hi in diff.bands:
        mask = (
            locs < e1
            if band == "easy"
            else locs > e2
            if band == "hard"
            else (locs >= e1) & (locs <= e2)
        )
        rows.append(
            RuleRow(f"{BAND_ZH[band]}（难度段）", f"{band} questions",
                    (Measure("questions", _range(lo, hi), str(int(mask.sum()))),),
                    not _has(vs, "band", band=band))
        )  # fmt: skip
    return rows


def forecast(
    params: ItemParameters, points: NDArray[np.float64], cut: float, population: Population
) -> Forecast:
    """Score distribution over the population (exact convolution at each quadrature node)."""
    grid_q = normal_grid(61, population.mean, population.sd)
    if params.n_items == 0:
        return Forecast(population, 0.0, 0.0, 0.0, np.zeros(1), np.ones(1))
    grid, pmf = score_distribution(params, points, grid_q.nodes)
    mixed = grid_q.weights @ pmf
    expected = float(mixed @ grid)
    sd = float(np.sqrt(max(float(mixed @ grid**2) - expected**2, 0.0)))
    pass_rate = float(mixed[grid >= cut - 1e-9].sum())
    return Forecast(population, expected, sd, pass_rate, grid, mixed)


def review_paper(session: Session, paper: Paper) -> PaperReview:
    check = check_paper(session, paper)
    bank, bp = check.bank, check.blueprint
    pool = bank.pool
    by_question = {int(q): i for i, q in enumerate(bank.question_id.tolist())}
    live = dict(
        session.execute(
            select(Question.id, Question.live_version_id).where(
                Question.id.in_([item.question_id for item in paper.items])
            )
        ).all()
    )
    flagged_ids = {str(v.details.get("id")) for v in check.violations if "id" in v.details}
    index = [
        by_question[item.question_id] for item in paper.items if item.question_id in by_question
    ]
    steps = int(np.max(np.sum(~np.isnan(pool.b[index]), axis=1))) if index else 1
    params = (
        ItemParameters(pool.a[index], pool.b[index, : max(steps, 1)])
        if index
        else (ItemParameters(np.zeros(0), np.zeros((0, 1))))
    )
    theta = np.array([paper.theta_cut])
    info_items = item_information(theta, params)[:, 0] if index else np.zeros(0)
    rows = []
    for k, item in enumerate(item for item in paper.items if item.question_id in by_question):
        i = index[k]
        uid = str(pool.id[i])
        live_id = live.get(item.question_id)
        newer = None
        if live_id is not None and live_id != item.question_version_id:
            newer = next((v.number for v in item.question.versions if v.id == live_id), None)
        rows.append(
            ItemRow(
                item=item,
                uid=uid,
                difficulty=int(bank.difficulty[i]),
                a=float(pool.a[i]),
                b=float(np.nanmean(pool.b[i])),
                information=float(info_items[k]),
                provisional=bool(bank.provisional[i]),
                last_used=None if np.isnan(pool.last_used[i]) else int(pool.last_used[i]),
                exposure=float(pool.exposure[i]),
                newer_version=newer,
                retired=not bool(pool.active[i]),
                flagged=uid in flagged_ids,
            )
        )
    points = pool.points[index].astype(np.float64)
    mean_b = float(np.mean([r.b for r in rows])) if rows else 0.0
    info = float(info_items.sum())
    expected = float(paper.expected_at_cut or 0.0)
    titles = syllabus_titles(session)
    findings = tuple(v for v in check.violations if v.code not in RULE_CODES)
    return PaperReview(
        paper=paper,
        blueprint=bp,
        rows=tuple(rows),
        rules=tuple(rule_rows(bp, check, titles, mean_b)),
        findings=findings,
        violations=check.violations,
        params=params,
        points=points,
        information_at_cut=info,
        se_at_cut=float(1 / np.sqrt(info)) if info > 0 else float("inf"),
        expected_at_cut=expected,
        mean_b=mean_b,
        provisional=sum(r.provisional for r in rows),
        forecast=forecast(params, points, paper.cut_score, candidate_population(session)),
    )


@dataclass(frozen=True)
class FormSummary:
    paper: Paper
    information_at_cut: float
    se_at_cut: float
    expected_at_cut: float
    expected: float
    pass_rate: float
    mean_b: float
    violations: int
    params: ItemParameters


def compare_forms(session: Session, papers: list[Paper]) -> list[FormSummary]:
    out = []
    for paper in papers:
        r = review_paper(session, paper)
        out.append(
            FormSummary(paper, r.information_at_cut, r.se_at_cut, r.expected_at_cut,
                        r.forecast.expected, r.forecast.pass_rate, r.mean_b,
                        len(r.violations), r.params)
        )  # fmt: skip
    return out
