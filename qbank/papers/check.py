"""Independent check of a paper against its blueprint.

Written from the blueprint's own words, not from the assembly model: it recounts types,
points, sections, difficulty, eligibility and enemies item by item, so a bug in the
spec-building code cannot hide behind a matching bug here. Tests run every assembled form
through it; the app runs it on hand-edited papers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qbank.papers.assemble import LEVEL_BITS, Pool
from qbank.papers.blueprint import Blueprint, code_matches
from qbank.psychometrics.irt import ItemParameters, expected_score

_TOL = 1e-6


@dataclass(frozen=True)
class Violation:
    """One way a paper breaks its blueprint. `form` is set by `check_forms`."""

    code: str  # unknown_id, duplicate, type_count, total_points, section_points, ...
    message_zh: str
    message_en: str
    details: Mapping[str, Any] = field(default_factory=dict)
    form: int | None = None


def _fmt(v: float) -> str:
    return str(round(v)) if abs(v - round(v)) < 1e-9 else f"{v:.3f}"


def check_form(blueprint: Blueprint, pool: Pool, item_ids: Sequence[str]) -> list[Violation]:
    """Every way the paper `item_ids` breaks `blueprint` (empty list: it meets it exactly)."""
    bp = blueprint
    out: list[Violation] = []
    where = {str(q): i for i, q in enumerate(pool.id.tolist())}
    counts = Counter(item_ids)
    for qid, k in counts.items():
        if k > 1:
            out.append(
                Violation(
                    "duplicate",
                    f"题目 {qid} 出现了 {k} 次",
                    f"question {qid} appears {k} times",
                    {"id": qid},
                )
            )
    items = []
    for qid in counts:
        if qid not in where:
            out.append(
                Violation(
                    "unknown_id",
                    f"题库中没有题目 {qid}",
                    f"question {qid} is not in the pool",
                    {"id": qid},
                )
            )
        else:
            items.append(where[qid])
    allowed_bits = sum(LEVEL_BITS[lv] for lv in bp.allowed_levels)
    type_points = {t.type: t.points for t in bp.types}
    for i in items:
        qid = str(pool.id[i])
        sec, typ = str(pool.section[i]), str(pool.type[i])
        if not bool(pool.active[i]):
            out.append(
                Violation(
                    "retired", f"题目 {qid} 已停用", f"question {qid} is retired", {"id": qid}
                )
            )
        if not code_matches(bp.specialty, sec):
            out.append(
                Violation(
                    "specialty",
                    f"题目 {qid} 属于 {sec}，不在本专业",
                    f"question {qid} is in {sec}, outside the specialty",
                    {"id": qid},
                )
            )
        if typ not in type_points:
            out.append(
                Violation(
                    "type",
                    f"题目 {qid} 的题型 {typ} 不在蓝图中",
                    f"question {qid} has type {typ}, not in the blueprint",
                    {"id": qid},
                )
            )
        elif abs(float(pool.points[i]) - type_points[typ]) > _TOL:
            out.append(
                Violation(
                    "points",
                    f"题目 {qid} 分值 {_fmt(float(pool.points[i]))} 与蓝图的 {_fmt(type_points[typ])} 不符",
                    f"question {qid} is worth {_fmt(float(pool.points[i]))}, the blueprint says {_fmt(type_points[typ])}",
                    {"id": qid},
                )
            )
        if int(pool.levels[i]) & allowed_bits == 0:
            out.append(
                Violation(
                    "level",
                    f"题目 {qid} 不适用于 {'/'.join(bp.allowed_levels)}",
                    f"question {qid} does not suit {'/'.join(bp.allowed_levels)}",
                    {"id": qid},
                )
            )
        last = float(pool.last_used[i])
        if not np.isnan(last) and last <= bp.recency:
            out.append(
                Violation(
                    "recency",
                    f"题目 {qid} 在最近 {bp.recency} 份试卷中用过",
                    f"question {qid} was used in the last {bp.recency} papers",
                    {"id": qid, "last_used": last},
                )
            )
        if bp.max_exposure is not None and float(pool.exposure[i]) > bp.max_exposure + _TOL:
            out.append(
                Violation(
                    "exposure",
                    f"题目 {qid} 曝光率 {float(pool.exposure[i]):.2f} 超过 {bp.max_exposure}",
                    f"question {qid} has exposure {float(pool.exposure[i]):.2f} above {bp.max_exposure}",
                    {"id": qid},
                )
            )
        if qid in bp.must_exclude:
            out.append(
                Violation(
                    "must_exclude",
                    f"题目 {qid} 被指定排除",
                    f"question {qid} is on the must-exclude list",
                    {"id": qid},
                )
            )
    for qid in bp.must_include:
        if qid not in counts:
            out.append(
                Violation(
                    "must_include",
                    f"缺少必选题 {qid}",
                    f"must-include question {qid} is missing",
                    {"id": qid},
                )
            )
    # Counts and points, each question counted once per listed occurrence.
    listed = [where[q] for q in item_ids if q in where]
    types = Counter(str(pool.type[i]) for i in listed)
    for rule in bp.types:
        if types.get(rule.type, 0) != rule.count:
            out.append(
                Violation(
                    "type_count",
                    f"{rule.type} 应为 {rule.count} 道，实际 {types.get(rule.type, 0)} 道",
                    f"{rule.type}: {types.get(rule.type, 0)} questions, the blueprint says {rule.count}",
                    {"type": rule.type},
                )
            )
    total = sum(type_points.get(str(pool.type[i]), float(pool.points[i])) for i in listed)
    if abs(total - bp.total_points) > _TOL:
        out.append(
            Violation(
                "total_points",
                f"总分 {_fmt(total)}，应为 {_fmt(bp.total_points)}",
                f"the paper is worth {_fmt(total)}, not {_fmt(bp.total_points)}",
                {"points": total},
            )
        )
    for srule in bp.sections:
        inside = [
            i
            for i in listed
            if code_matches(srule.code, str(pool.section[i]))
            and (srule.type is None or str(pool.type[i]) == srule.type)
        ]
        pts = sum(float(pool.points[i]) for i in inside)
        label = srule.code + (f" ({srule.type})" if srule.type else "")
        for value, lo, hi, kind in (
            (pts, srule.min_points, srule.max_points, "points"),
            (float(len(inside)), srule.min_count, srule.max_count, "count"),
        ):
            if (lo is not None and value < lo - _TOL) or (hi is not None and value > hi + _TOL):
                rng = f"[{_fmt(lo) if lo is not None else '-'}, {_fmt(hi) if hi is not None else '-'}]"
                out.append(
                    Violation(
                        f"section_{kind}",
                        f"{label} {'分值' if kind == 'points' else '题数'} {_fmt(value)} 不在 {rng} 内",
                        f"{label} has {_fmt(value)} {kind}, outside {rng}",
                        {"code": srule.code, "type": srule.type, "value": value},
                    )
                )
    steps = pool.b[listed] if listed else np.zeros((0, 1))
    loc = np.array([float(np.mean(row[~np.isnan(row)])) for row in steps])
    diff = bp.difficulty
    if diff.mean_b is not None and loc.size:
        mean = float(loc.mean())
        if mean < diff.mean_b[0] - _TOL or mean > diff.mean_b[1] + _TOL:
            out.append(
                Violation(
                    "mean_b",
                    f"平均难度 b = {mean:.3f}，不在 [{diff.mean_b[0]}, {diff.mean_b[1]}] 内",
                    f"mean b = {mean:.3f}, outside [{diff.mean_b[0]}, {diff.mean_b[1]}]",
                    {"mean_b": mean},
                )
            )
    e1, e2 = diff.band_edges
    for band, lo_n, hi_n in diff.bands:
        k = int(
            (
                (loc < e1)
                if band == "easy"
                else (loc > e2)
                if band == "hard"
                else ((loc >= e1) & (loc <= e2))
            ).sum()
        )
        if not lo_n <= k <= hi_n:
            out.append(
                Violation(
                    "band",
                    f"{band} 难度题 {k} 道，不在 [{lo_n}, {hi_n}] 内",
                    f"{k} {band} questions, outside [{lo_n}, {hi_n}]",
                    {"band": band, "count": k},
                )
            )
    if bp.cut_tolerance is not None and bp.theta_cut is not None and listed:
        params = ItemParameters(pool.a[listed], pool.b[listed])
        k_steps = np.maximum(params.n_steps, 1)
        exp = float(
            (
                expected_score(np.array([bp.theta_cut]), params)[:, 0]
                / k_steps
                * pool.points[listed]
            ).sum()
        )
        if abs(exp - bp.cut_score) > bp.cut_tolerance + 1e-6:
            out.append(
                Violation(
                    "expected_at_cut",
                    f"θ_cut 处期望得分 {exp:.2f}，偏离及格分 {_fmt(bp.cut_score)} 超过 {_fmt(bp.cut_tolerance)}",
                    f"expected score at θ_cut is {exp:.2f}, more than {_fmt(bp.cut_tolerance)} from the cut {_fmt(bp.cut_score)}",
                    {"expected": exp},
                )
            )
    groups = Counter(str(pool.enemy[i]) for i in set(listed) if str(pool.enemy[i]))
    for g, k in groups.items():
        if k > 1:
            out.append(
                Violation(
                    "enemy",
                    f"互斥组 {g} 有 {k} 道题同卷",
                    f"enemy group {g} has {k} questions on the paper",
                    {"enemy": g},
                )
            )
    return out


def check_forms(
    blueprint: Blueprint, pool: Pool, forms: Sequence[Sequence[str]], theta_cut: float | None = None
) -> list[Violation]:
    """`check_form` on every form, plus the overlap rule between forms.

    `theta_cut` (the θ the forms were assembled for) enables the expected-score check when
    the blueprint has `cut_tolerance` but no fixed `theta_cut`.
    """
    bp = blueprint
    if theta_cut is not None and bp.theta_cut is None:
        from dataclasses import replace

        bp = replace(bp, theta_cut=theta_cut)
    out: list[Violation] = []
    for f, ids in enumerate(forms):
        for v in check_form(bp, pool, ids):
            out.append(Violation(v.code, v.message_zh, v.message_en, v.details, f))
    fixed = set(bp.must_include)
    for f in range(len(forms)):
        for g in range(f + 1, len(forms)):
            shared = (set(forms[f]) & set(forms[g])) - fixed
            if len(shared) > bp.max_overlap:
                out.append(
                    Violation(
                        "overlap",
                        f"第 {f + 1} 与第 {g + 1} 份试卷共有 {len(shared)} 道相同题目，超过 {bp.max_overlap}",
                        f"forms {f + 1} and {g + 1} share {len(shared)} questions, more than {bp.max_overlap}",
                        {"forms": (f, g), "shared": sorted(shared)},
                    )
                )
    return out
