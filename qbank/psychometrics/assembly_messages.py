"""Wording of assembly conflicts: Chinese and English sentences built from a constraint's
labels (`Constraint.label_zh` …) and the numbers the elastic model computed."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .assembly_types import AssemblySpec, Conflict, Constraint

IntArray = NDArray[np.int64]

_TOL = 1e-6


def fmt(v: float) -> str:
    return str(round(v)) if abs(v - round(v)) < 1e-6 else f"{v:.2f}"


def available(con: Constraint, usable: NDArray[np.bool_]) -> float:
    coef = con.coef[usable]
    return float(coef[coef > 0].sum())


def _excluded_note(con: Constraint) -> tuple[str, str]:
    excluded = int(con.details.get("excluded", 0) or 0)
    if excluded <= 0:
        return "", ""
    return (
        f"（另有 {excluded} 道因级别、近期使用或曝光率被排除）",
        f" ({excluded} more excluded by level, recent use or exposure)",
    )


def message(
    con: Constraint,
    side: str,
    attainable: float,
    available: float,
    forms: int,
    overlap: int | None,
) -> tuple[str, str]:
    """Chinese and English sentence for one relaxed constraint side.

    `overlap` is None when the conflict was found form by form, else the pairwise overlap
    allowed between the pooled forms (0: no shared question); pooled needs are then the
    per-form bound times the forms, less what the allowed sharing can save.
    """
    zh_label = con.label_zh or con.name
    en_label = con.label_en or con.name
    bound = con.lower if side == "lower" else con.upper
    note_zh, note_en = _excluded_note(con)
    many = forms > 1 and overlap is not None
    need = bound
    if many and overlap is not None:
        amax = float(np.abs(con.coef).max()) if con.coef.size else 1.0
        need = max(bound * forms - forms * (forms - 1) // 2 * overlap * amax, 0.0)
    how_zh = "互不重复" if not overlap else f"（任意两份最多共享 {overlap} 道）"
    how_en = "without shared questions" if not overlap else f"sharing at most {overlap} per pair"
    if con.kind == "count":
        noun_zh, noun_en = con.noun_zh or "题", con.noun_en or "questions"
        if side == "lower" and available + _TOL < need:
            per_zh = (
                f"每份试卷需要至少 {fmt(bound)} 道{noun_zh}，{forms} 份{how_zh}至少共需 {fmt(need)} 道"
                if many
                else f"需要至少 {fmt(bound)} 道{noun_zh}"
            )
            per_en = (
                f"needs ≥ {fmt(bound)} {noun_en} per paper, {fmt(need)} for {forms} papers {how_en}"
                if many
                else f"needs ≥ {fmt(bound)} {noun_en}"
            )
            return (
                f"{zh_label} {per_zh}，题库中只有 {fmt(available)} 道已审核且符合条件{note_zh}",
                f"{en_label} {per_en}; only {fmt(available)} approved and eligible{note_en}",
            )
        if side == "lower":
            return (
                f"{zh_label} 需要至少 {fmt(bound)} 道{noun_zh}，与其他约束同时满足时最多只能选出 {fmt(attainable)} 道",
                f"{en_label} needs ≥ {fmt(bound)} {noun_en}; together with the other constraints at most {fmt(attainable)} fit",
            )
        return (
            f"{zh_label} 最多允许 {fmt(bound)} 道{noun_zh}，但其他约束要求至少 {fmt(attainable)} 道",
            f"{en_label} allows ≤ {fmt(bound)} {noun_en}, but the other constraints need at least {fmt(attainable)}",
        )
    if con.kind == "points":
        noun_zh, noun_en = con.noun_zh or "", con.noun_en or "questions"
        if side == "lower" and available + _TOL < need:
            return (
                f"{zh_label} 需要至少 {fmt(need)} 分{noun_zh}，题库中符合条件的题目合计只有 {fmt(available)} 分{note_zh}",
                f"{en_label} needs ≥ {fmt(need)} points of {noun_en}; the eligible questions add up to only {fmt(available)}{note_en}",
            )
        if side == "lower":
            return (
                f"{zh_label} 需要至少 {fmt(bound)} 分{noun_zh}，与其他约束同时满足时最多只能达到 {fmt(attainable)} 分",
                f"{en_label} needs ≥ {fmt(bound)} points; together with the other constraints at most {fmt(attainable)} fit",
            )
        return (
            f"{zh_label} 最多允许 {fmt(bound)} 分{noun_zh}，但其他约束要求至少 {fmt(attainable)} 分",
            f"{en_label} allows ≤ {fmt(bound)} points, but the other constraints need at least {fmt(attainable)}",
        )
    if con.kind == "mean":
        word_zh, word_en = ("最高", "highest") if side == "lower" else ("最低", "lowest")
        return (
            f"{zh_label} 须在 {fmt(con.lower)} 到 {fmt(con.upper)} 之间，其他约束下{word_zh}只能达到 {attainable:.2f}",
            f"{en_label} must lie in [{fmt(con.lower)}, {fmt(con.upper)}]; the {word_en} attainable with the other constraints is {attainable:.2f}",
        )
    op = "≥" if side == "lower" else "≤"
    return (
        f"{zh_label} 要求 {op} {fmt(bound)}，其他约束下只能达到 {fmt(attainable)}",
        f"{en_label} requires {op} {fmt(bound)}; {fmt(attainable)} is attainable with the other constraints",
    )


def constraint_conflict(
    spec: AssemblySpec,
    k: int,
    side: str,
    per_form: float,
    total: float,
    hit: tuple[int, ...],
    usable: NDArray[np.bool_],
    overlap: int | None,
) -> Conflict:
    con = spec.constraints[k]
    bound = con.lower if side == "lower" else con.upper
    attain = bound - per_form if side == "lower" else bound + per_form
    avail = available(con, usable)
    zh, en = message(con, side, attain, avail, spec.forms, overlap)
    return Conflict(
        con.name,
        con.kind,
        "lower" if side == "lower" else "upper",
        bound,
        attain,
        total,
        hit,
        avail if con.kind == "count" else None,
        zh,
        en,
        dict(con.details),
    )


def enemy_conflict(
    spec: AssemblySpec,
    e: int,
    per_form: float,
    total: float,
    hit: tuple[int, ...],
    fixed_in: IntArray,
) -> Conflict:
    name = spec.enemy_names[e] if spec.enemy_names else str(e)
    ids = [str(spec.ids[i]) for i in spec.enemies[e] if i in set(fixed_in.tolist())]
    need = fmt(1 + per_form)
    return Conflict(
        f"enemy:{name}",
        "enemy",
        "upper",
        1.0,
        1.0 + per_form,
        total,
        hit,
        None,
        f"互斥组 {name} 在同一份试卷中最多 1 道，但需要 {need} 道（必选：{'、'.join(ids) or '无'}）",
        f"enemy group {name} allows one question per paper but {need} are needed "
        f"(must-include: {', '.join(ids) or 'none'})",
        {"enemy": name, "must_include": ids},
    )


def fixed_conflict(spec: AssemblySpec, item: int, usable: bool, hit: tuple[int, ...]) -> Conflict:
    qid = str(spec.ids[item])
    why_zh = "与其他约束冲突" if usable else "该题同时被排除"
    why_en = "it conflicts with the other constraints" if usable else "it is also excluded"
    return Conflict(
        f"must_include:{qid}",
        "must_include",
        "lower",
        1.0,
        0.0,
        1.0,
        hit,
        None,
        f"必选题 {qid} 无法入选：{why_zh}",
        f"must-include question {qid} cannot be placed: {why_en}",
        {"id": qid},
    )


def simple(spec: AssemblySpec, usable: NDArray[np.bool_]) -> tuple[Conflict, ...]:
    """Fallback when the elastic model cannot be solved in time: bounds that the eligible
    items cannot reach even on their own (still computed, just less complete)."""
    out: list[Conflict] = []
    F, overlap = spec.forms, spec.max_overlap
    for con in spec.constraints:
        avail = available(con, usable)
        amax = float(np.abs(con.coef).max()) if con.coef.size else 1.0
        need = con.lower * F - F * (F - 1) // 2 * overlap * amax
        if con.kind in ("count", "points") and avail + _TOL < need:
            zh, en = message(con, "lower", avail, avail, F, overlap if F > 1 else None)
            out.append(
                Conflict(
                    con.name,
                    con.kind,
                    "lower",
                    con.lower,
                    avail,
                    need - avail,
                    tuple(range(spec.forms)),
                    avail,
                    zh,
                    en,
                    dict(con.details),
                )
            )
    if not out:
        out.append(
            Conflict(
                "unknown",
                "unknown",
                "lower",
                0.0,
                0.0,
                0.0,
                (),
                None,
                "在时间限制内未能确定冲突的约束，请延长时间限制后重试",
                "could not pin down the conflicting constraints within the time limit; "
                "retry with a longer limit",
            )
        )
    return tuple(out)
