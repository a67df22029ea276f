"""Blueprint + question pool → assembly spec → forms. Pure: no Flask, no database.

The app's database adapter (and `filemode` for CSV files) fills a `Pool`; `assemble` turns
the blueprint into the neutral `AssemblySpec` of `qbank.psychometrics.assembly` and solves it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq

from qbank.papers.blueprint import (
    LEVEL_ZH,
    LEVELS,
    TYPE_EN,
    TYPE_ZH,
    Blueprint,
    code_matches,
)
from qbank.psychometrics.assembly import (
    AssemblyResult,
    AssemblySpec,
    Conflict,
    Constraint,
    SolveStats,
    solve_assembly,
)
from qbank.psychometrics.irt import ItemParameters, expected_score, prob_correct

FloatArray = NDArray[np.float64]
LEVEL_BITS = {level: 1 << i for i, level in enumerate(LEVELS)}
ALL_LEVELS = sum(LEVEL_BITS.values())

SPECIALTY_ZH = {
    "management": "碳排放管理", "monitoring": "碳排放监测", "trading": "碳交易",
    "asset": "碳资产管理", "consulting": "碳排放咨询", "sink": "碳汇计量评估",
    "assessment": "碳排放评估",
}  # fmt: skip
_CN_NUM = "零一二三四五六七八九十"


def level_bits(levels: Iterable[str]) -> int:
    """Bit mask of level codes (junior 1, intermediate 2, senior 4); blanks are ignored."""
    return sum(LEVEL_BITS[lv.strip()] for lv in set(levels) if lv.strip())


@dataclass(frozen=True)
class Pool:
    """The approved questions of one specialty (or more), one array entry per question.

    id, section, type, enemy : (n,) str arrays (`enemy` "" when in no enemy group; `section`
        the specialty's section code, e.g. ``trading.2.3``)
    points : (n,) the question's points; a, b : IRT parameters (b (n, K) NaN-padded steps)
    levels : (n,) bit mask of suitable levels (junior 1, intermediate 2, senior 4)
    last_used : (n,) papers since the question was last used (1 = the latest), NaN = never
    exposure : (n,) share of recent papers that used it (0..1)
    active : (n,) False for retired questions
    """

    id: NDArray[np.str_]
    section: NDArray[np.str_]
    type: NDArray[np.str_]
    points: FloatArray
    a: FloatArray
    b: FloatArray
    levels: NDArray[np.int64]
    enemy: NDArray[np.str_]
    last_used: FloatArray
    exposure: FloatArray
    active: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def __post_init__(self) -> None:
        n = self.id.shape[0]
        if self.active.shape[0] != n:
            object.__setattr__(self, "active", np.ones(n, dtype=bool))
        for name in ("section", "type", "points", "a", "levels", "enemy", "last_used", "exposure"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"pool.{name} must have one entry per question")
        if self.b.ndim != 2 or self.b.shape[0] != n:
            raise ValueError("pool.b must be (n, K)")

    @classmethod
    def build(
        cls,
        id: Sequence[str],
        section: Sequence[str],
        type: Sequence[str],
        points: Sequence[float],
        a: Sequence[float],
        b: Sequence[float | Sequence[float]],
        levels: Sequence[Iterable[str] | str | int] | None = None,
        enemy: Sequence[str | None] | None = None,
        last_used: Sequence[int | None] | None = None,
        exposure: Sequence[float] | None = None,
        active: Sequence[bool] | None = None,
    ) -> Pool:
        """Convenience constructor from plain lists (None = never used / no group / all levels)."""
        n = len(id)
        steps = [np.atleast_1d(np.asarray(x, dtype=np.float64)) for x in b]
        k = max((s.shape[0] for s in steps), default=1)
        b_arr = np.full((n, k), np.nan)
        for i, s in enumerate(steps):
            b_arr[i, : s.shape[0]] = s
        lv = np.full(n, ALL_LEVELS, dtype=np.int64)
        if levels is not None:
            lv = np.array(
                [
                    x if isinstance(x, int)
                    else level_bits(x.split(";") if isinstance(x, str) else x) or ALL_LEVELS
                    for x in levels
                ],
                dtype=np.int64,
            )  # fmt: skip
        return cls(
            id=np.asarray(id, dtype=np.str_),
            section=np.asarray(section, dtype=np.str_),
            type=np.asarray(type, dtype=np.str_),
            points=np.asarray(points, dtype=np.float64),
            a=np.asarray(a, dtype=np.float64),
            b=b_arr,
            levels=lv,
            enemy=np.asarray([e or "" for e in (enemy or [""] * n)], dtype=np.str_),
            last_used=np.asarray(
                [np.nan if x is None else float(x) for x in (last_used or [None] * n)],
                dtype=np.float64,
            ),
            exposure=np.asarray(
                exposure if exposure is not None else np.zeros(n), dtype=np.float64
            ),
            active=np.asarray(active if active is not None else np.ones(n, dtype=bool), dtype=bool),
        )

    @property
    def n(self) -> int:
        return int(self.id.shape[0])

    @property
    def params(self) -> ItemParameters:
        return ItemParameters(self.a, self.b)

    @property
    def location(self) -> FloatArray:
        """Mean of each item's steps: the b that difficulty rules are about."""
        out: FloatArray = np.nanmean(self.b, axis=1)
        return out

    def subset(self, index: NDArray[np.int64]) -> Pool:
        return Pool(
            self.id[index],
            self.section[index],
            self.type[index],
            self.points[index],
            self.a[index],
            self.b[index],
            self.levels[index],
            self.enemy[index],
            self.last_used[index],
            self.exposure[index],
            self.active[index],
        )


@dataclass(frozen=True)
class Eligibility:
    """Which pool questions may appear on a paper of the blueprint, and why not."""

    mask: NDArray[np.bool_]
    in_scope: NDArray[np.bool_]  # active, right specialty, a type the paper has
    reasons: tuple[tuple[str, NDArray[np.bool_]], ...]  # (reason, mask of items excluded by it)


def section_mask(codes: NDArray[np.str_], rule_code: str) -> NDArray[np.bool_]:
    """Items whose section is `rule_code` or below it at a dot boundary."""
    uniq, inv = np.unique(codes, return_inverse=True)
    hit = np.array([code_matches(rule_code, str(u)) for u in uniq.tolist()], dtype=bool)
    out: NDArray[np.bool_] = hit[inv] if uniq.size else np.zeros(codes.shape[0], dtype=bool)
    return out


class _Codes:
    """Section codes factorised once, so matching a rule costs one pass over distinct codes."""

    def __init__(self, codes: NDArray[np.str_]) -> None:
        self.uniq, self.inv = np.unique(codes, return_inverse=True)
        self.names = [str(u) for u in self.uniq.tolist()]

    def mask(self, rule_code: str, index: NDArray[np.int64] | None = None) -> NDArray[np.bool_]:
        hit = np.array([code_matches(rule_code, u) for u in self.names], dtype=bool)
        inv = self.inv if index is None else self.inv[index]
        out: NDArray[np.bool_] = hit[inv] if hit.size else np.zeros(inv.shape[0], dtype=bool)
        return out


def eligibility(bp: Blueprint, pool: Pool, codes: _Codes | None = None) -> Eligibility:
    type_points = {t.type: t.points for t in bp.types if t.count > 0}
    in_type = np.isin(pool.type, list(type_points))
    codes = codes or _Codes(pool.section)
    in_scope = pool.active & codes.mask(bp.specialty) & in_type
    utypes, tinv = np.unique(pool.type, return_inverse=True)
    want_points = np.array([type_points.get(str(t), np.nan) for t in utypes.tolist()])[tinv]
    reasons = [
        ("points", ~np.isclose(pool.points, want_points)),
        ("level", (pool.levels & level_bits(bp.allowed_levels)) == 0),
        ("recency", ~np.isnan(pool.last_used) & (pool.last_used <= bp.recency)),
        ("exposure", pool.exposure > (bp.max_exposure if bp.max_exposure is not None else np.inf)),
        ("must_exclude", np.isin(pool.id, list(bp.must_exclude))),
    ]
    mask = in_scope.copy()
    for _, bad in reasons:
        mask &= ~bad
    return Eligibility(mask, in_scope, tuple((r, in_scope & bad) for r, bad in reasons))


def theta_cut(bp: Blueprint, pool: Pool, eligible: NDArray[np.bool_] | None = None) -> float:
    """θ at which the expected share of points equals ``cut_score / total_points``.

    The share is averaged over the eligible items of each type and the types weighted by
    their share of the paper's points (``count * points / total_points``) — the expected
    score of a typical paper drawn from the pool. Solved with Brent's method on [−6, 6]; if
    the cut lies outside, the nearer end is returned.
    """
    if bp.theta_cut is not None:
        return float(bp.theta_cut)
    mask = eligibility(bp, pool).mask if eligible is None else eligible
    target = bp.cut_score / bp.total_points
    # Items grouped by type and number of steps (b trimmed to its real steps: cheap to
    # evaluate), each group weighted by its type's share of points and its share of the type.
    groups = []
    steps = pool.params.n_steps
    for rule in bp.types:
        in_type = mask & (pool.type == rule.type)
        n_type = int(in_type.sum())
        if rule.count == 0 or n_type == 0:
            continue
        for k in np.unique(steps[in_type]):
            sel = np.flatnonzero(in_type & (steps == k))
            kk = max(int(k), 1)
            sub = ItemParameters(pool.a[sel], pool.b[sel, :kk])
            groups.append((rule.count * rule.points * sel.size / n_type, sub, float(kk)))
    if not groups:
        return 0.0
    weight = sum(g[0] for g in groups)

    def share(theta: float) -> float:
        th = np.array([theta])
        total = 0.0
        for w, sub, k in groups:
            if k == 1:  # dichotomous: E[X] = P, the fast 2PL path
                mean = float(np.mean(prob_correct(th, sub.a, sub.b[:, 0])))
            else:
                mean = float(np.mean(expected_score(th, sub)[:, 0]))
            total += w * mean / k
        return total / weight - target

    lo, hi = share(-6.0), share(6.0)
    if lo >= 0:
        return -6.0
    if hi <= 0:
        return 6.0
    return float(brentq(share, -6.0, 6.0, xtol=1e-6))


def _cn(n: int) -> str:
    if n <= 10:
        return _CN_NUM[n]
    if n < 20:
        return "十" + _CN_NUM[n - 10]
    return str(n)


def code_label(code: str, titles: Mapping[str, Any] | None = None) -> tuple[str, str]:
    """Chinese and English name of a syllabus code: 碳交易 第二部分 / trading part 2."""
    parts = code.split(".")
    spec_zh = SPECIALTY_ZH.get(parts[0], parts[0])
    if len(parts) == 1:
        zh, en = f"{spec_zh} 全卷", f"{parts[0]} paper"
    elif len(parts) == 2:
        zh, en = (
            f"{spec_zh} 第{_cn(int(parts[1]))}部分" if parts[1].isdigit() else code,
            f"{parts[0]} part {parts[1]}",
        )
    else:
        zh, en = f"{spec_zh} 第{'.'.join(parts[1:])}节", f"{parts[0]} section {'.'.join(parts[1:])}"
    title = (titles or {}).get(code)
    if isinstance(title, tuple):
        zh, en = f"{zh}（{title[0]}）", f"{en} ({title[1]})"
    elif isinstance(title, str):
        zh = f"{zh}（{title}）"
    return zh, en


def _noun(type_code: str | None, levels: tuple[str, ...]) -> tuple[str, str]:
    lv_zh = LEVEL_ZH[levels[0]] if len(levels) == 1 else ""
    lv_en = f" at level {levels[0]}" if len(levels) == 1 else ""
    if type_code is None:
        return f"{lv_zh}题", f"questions{lv_en}"
    return f"{lv_zh}{TYPE_ZH[type_code]}", f"{TYPE_EN[type_code]} questions{lv_en}"


@dataclass(frozen=True)
class BuiltSpec:
    """A spec over the eligible items (`pool_index` maps spec positions back to the pool)."""

    spec: AssemblySpec
    pool_index: NDArray[np.int64]
    theta_cut: float
    eligibility: Eligibility
    problems: tuple[Conflict, ...]  # must-include questions that cannot be used


def build_spec(
    blueprint: Blueprint,
    pool: Pool,
    syllabus_titles: Mapping[str, Any] | None = None,
    *,
    forms: int | None = None,
) -> BuiltSpec:
    """Translate the blueprint into named linear constraints over the eligible questions."""
    bp = blueprint
    codes = _Codes(pool.section)
    elig = eligibility(bp, pool, codes)
    idx = np.flatnonzero(elig.mask).astype(np.int64)
    sub = pool.subset(idx)
    th = theta_cut(bp, pool, elig.mask)
    n_items = bp.n_items
    levels = bp.allowed_levels
    cons: list[Constraint] = []

    def excluded(group: NDArray[np.bool_]) -> int:
        return int((group & elig.in_scope & ~elig.mask).sum())

    whole_zh, whole_en = "全卷", "the paper"
    for rule in bp.types:
        noun_zh, noun_en = _noun(rule.type, levels)
        cons.append(
            Constraint.from_mask(
                f"type:{rule.type}",
                sub.type == rule.type,
                rule.count,
                rule.count,
                kind="count",
                label_zh=whole_zh,
                label_en=whole_en,
                noun_zh=noun_zh,
                noun_en=noun_en,
                details={"type": rule.type, "excluded": excluded(pool.type == rule.type)},
            )
        )
    for srule in bp.sections:
        pool_group = codes.mask(srule.code)
        group = pool_group[idx]
        if srule.type is not None:
            group = group & (sub.type == srule.type)
            pool_group = pool_group & (pool.type == srule.type)
        zh, en = code_label(srule.code, syllabus_titles)
        noun_zh, noun_en = _noun(srule.type, levels)
        details = {"code": srule.code, "type": srule.type, "excluded": excluded(pool_group)}
        suffix = f":{srule.type}" if srule.type else ""
        if srule.min_points is not None or srule.max_points is not None:
            cons.append(
                Constraint(
                    f"section_points:{srule.code}{suffix}",
                    sub.points * group,
                    srule.min_points if srule.min_points is not None else -np.inf,
                    srule.max_points if srule.max_points is not None else np.inf,
                    kind="points",
                    label_zh=zh,
                    label_en=en,
                    noun_zh="" if srule.type is None else f"（{noun_zh}）",
                    noun_en=noun_en,
                    details=details,
                )
            )
        if srule.min_count is not None or srule.max_count is not None:
            cons.append(
                Constraint.from_mask(
                    f"section_count:{srule.code}{suffix}",
                    group,
                    srule.min_count if srule.min_count is not None else -np.inf,
                    srule.max_count if srule.max_count is not None else np.inf,
                    kind="count",
                    label_zh=zh,
                    label_en=en,
                    noun_zh=noun_zh,
                    noun_en=noun_en,
                    details=details,
                )
            )
    loc = sub.location
    diff = bp.difficulty
    if diff.mean_b is not None and n_items > 0:
        # Σ b_i x_i / N with N fixed by the type counts: a linear mean.
        cons.append(
            Constraint(
                "mean_b",
                loc / n_items,
                diff.mean_b[0],
                diff.mean_b[1],
                kind="mean",
                label_zh="平均难度 b",
                label_en="mean difficulty b",
                details={"mean_b": diff.mean_b},
            )
        )
    if bp.cut_tolerance is not None:
        # A candidate exactly at θ_cut should expect the cut score on every form.
        k = np.maximum(sub.params.n_steps, 1).astype(np.float64)
        expected = expected_score(np.array([th]), sub.params)[:, 0] / k * sub.points
        cons.append(
            Constraint(
                "expected_at_cut",
                expected,
                bp.cut_score - bp.cut_tolerance,
                bp.cut_score + bp.cut_tolerance,
                kind="expected",
                label_zh="θ_cut 处的期望得分",
                label_en="the expected score at θ_cut",
                details={"theta_cut": th},
            )
        )
    e1, e2 = diff.band_edges
    band_masks = {"easy": loc < e1, "medium": (loc >= e1) & (loc <= e2), "hard": loc > e2}
    band_zh = {"easy": "容易题", "medium": "中等难度题", "hard": "难题"}
    pool_loc = pool.location
    pool_bands = {
        "easy": pool_loc < e1,
        "medium": (pool_loc >= e1) & (pool_loc <= e2),
        "hard": pool_loc > e2,
    }
    for band, lo, hi in diff.bands:
        cons.append(
            Constraint.from_mask(
                f"band:{band}",
                band_masks[band],
                lo,
                hi,
                kind="count",
                label_zh=whole_zh,
                label_en=whole_en,
                noun_zh=band_zh[band],
                noun_en=f"{band} questions",
                details={"band": band, "edges": (e1, e2), "excluded": excluded(pool_bands[band])},
            )
        )
    enemies: list[NDArray[np.int64]] = []
    names: list[str] = []
    groups: dict[str, list[int]] = {}
    for i, g in enumerate(sub.enemy.tolist()):
        if g:
            groups.setdefault(g, []).append(i)
    for g, members in sorted(groups.items()):
        if len(members) >= 2:
            enemies.append(np.asarray(members, dtype=np.int64))
            names.append(g)
    problems: list[Conflict] = []
    fixed_in = []
    wanted = np.isin(pool.id, list(bp.must_include)) if bp.must_include else np.zeros(pool.n, bool)
    pool_pos = {str(pool.id[i]): int(i) for i in np.flatnonzero(wanted)}
    sub_wanted: Any = (
        np.flatnonzero(np.isin(sub.id, list(bp.must_include))) if bp.must_include else []
    )
    pos = {str(sub.id[i]): int(i) for i in sub_wanted}
    for qid in bp.must_include:
        if qid in pos:
            fixed_in.append(pos[qid])
            continue
        problems.append(_must_include_problem(qid, pool_pos.get(qid), elig, bp))
    n_forms = bp.forms if forms is None else forms
    spec = AssemblySpec.from_parameters(
        sub.id,
        sub.params,
        np.array([th]),
        sub.points,
        constraints=tuple(cons),
        enemies=tuple(enemies),
        enemy_names=tuple(names),
        forms=n_forms,
        max_overlap=bp.max_overlap,
        fixed_in=np.asarray(fixed_in, dtype=np.int64),
    )
    return BuiltSpec(spec, idx, th, elig, tuple(problems))


_REASON_TEXT = {
    "points": ("分值与蓝图不符", "its points differ from the blueprint's"),
    "level": ("不适用于本级别", "it does not suit the level"),
    "recency": ("近期试卷已使用", "it was used in a recent paper"),
    "exposure": ("曝光率超过上限", "its exposure rate is above the limit"),
    "must_exclude": ("同时被列为排除", "it is also excluded"),
}


def _must_include_problem(
    qid: str, where: int | None, elig: Eligibility, bp: Blueprint
) -> Conflict:
    if where is None:
        why_zh, why_en = "题库中没有这道题", "it is not in the pool"
    elif not elig.in_scope[where]:
        why_zh, why_en = (
            "不属于本专业、题型或已停用",
            "it is outside the specialty or types, or retired",
        )
    else:
        reason = next(r for r, bad in elig.reasons if bad[where])
        why_zh, why_en = _REASON_TEXT[reason]
    return Conflict(
        f"must_include:{qid}",
        "must_include",
        "lower",
        1.0,
        0.0,
        1.0,
        tuple(range(bp.forms)),
        None,
        f"必选题 {qid} 无法入选：{why_zh}",
        f"must-include question {qid} cannot be used: {why_en}",
        {"id": qid},
    )


def assemble(
    blueprint: Blueprint,
    pool: Pool,
    forms: int | None = None,
    seed: int = 0,
    time_limit: float = 10.0,
    syllabus_titles: Mapping[str, Any] | None = None,
    rel_gap: float | None = None,
) -> AssemblyResult:
    """Assemble the blueprint's forms (or `forms` forms) from `pool`.

    Form ids and indices in the result refer to the *pool* (``result.forms[f].index`` are
    pool positions). ``result.theta[0]`` is θ_cut.
    """
    t0 = time.monotonic()
    built = build_spec(blueprint, pool, syllabus_titles, forms=forms)
    if built.problems:
        return AssemblyResult(
            "infeasible",
            (),
            None,
            None,
            None,
            time.monotonic() - t0,
            built.spec.theta,
            built.problems,
            SolveStats(pool.n, 0, 0, None, ("must_include",)),
        )
    # The clock covers building the spec too (about 1 s for 100,000 questions).
    remaining = max(time_limit - (time.monotonic() - t0), 1e-3)
    result = solve_assembly(built.spec, seed=seed, time_limit=remaining, rel_gap=rel_gap)
    mapped = tuple(replace(f, index=built.pool_index[f.index]) for f in result.forms)
    return replace(result, forms=mapped, seconds=time.monotonic() - t0)
