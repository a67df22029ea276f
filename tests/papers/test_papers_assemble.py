"""Blueprint → spec → forms, every form checked by the independent checker."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from qbank.papers.assemble import LEVEL_BITS, Pool, assemble, build_spec, theta_cut
from qbank.papers.blueprint import Blueprint, Difficulty, SectionRule, TypeRule
from qbank.papers.check import check_form, check_forms
from qbank.papers.filemode import default_blueprint, synthetic_pool, synthetic_specialty
from qbank.psychometrics.irt import ItemParameters, expected_score

SPEC = synthetic_specialty(parts=4, sections_per_part=3)


def small_bp(**changes: object) -> Blueprint:
    bp = default_blueprint(SPEC, "intermediate")
    return replace(bp, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def pool() -> Pool:
    return synthetic_pool(900, parts=4, sections_per_part=3, seed=3)


def ids_of(result: object) -> list[tuple[str, ...]]:
    return [f.ids for f in result.forms]  # type: ignore[attr-defined]


def test_default_blueprint_one_form_meets_every_rule(pool: Pool) -> None:
    bp = small_bp()
    res = assemble(bp, pool, seed=1)
    assert res.status == "optimal"
    assert res.gap is not None and res.gap <= 1e-3
    (form,) = res.forms
    assert len(form.ids) == 64 and form.points == 100
    assert check_form(bp, pool, list(form.ids)) == []
    # Pool positions come back, not spec positions.
    assert [str(pool.id[i]) for i in form.index] == list(form.ids)


def test_theta_cut_gives_the_cut_share_over_eligible_items(pool: Pool) -> None:
    bp = small_bp()
    built = build_spec(bp, pool)
    th = built.theta_cut
    mask = built.eligibility.mask
    share = 0.0
    for rule in bp.types:
        sel = np.flatnonzero(mask & (pool.type == rule.type))
        params = ItemParameters(pool.a[sel], pool.b[sel])
        k = np.maximum(params.n_steps, 1)
        share += (
            rule.count
            * rule.points
            * float(np.mean(expected_score(np.array([th]), params)[:, 0] / k))
        )
    assert share / bp.total_points == pytest.approx(0.6, abs=1e-5)
    assert theta_cut(replace(bp, theta_cut=0.7), pool) == 0.7


def test_parallel_forms_share_nothing_and_are_close(pool: Pool) -> None:
    bp = small_bp(forms=3)
    res = assemble(bp, pool, seed=0, time_limit=20)
    assert res.status == "optimal", res.stats
    assert check_forms(bp, pool, ids_of(res)) == []
    info = [float(f.information[0]) for f in res.forms]
    assert (max(info) - min(info)) / max(info) <= 0.05
    assert res.gap is not None and res.gap <= 0.01


def test_overlap_limit_between_forms(pool: Pool) -> None:
    bp = small_bp(forms=2, max_overlap=6)
    res = assemble(bp, pool, seed=0, time_limit=20)
    assert res.forms and res.status in ("optimal", "feasible")
    a, b = (set(f.ids) for f in res.forms)
    assert 0 < len(a & b) <= 6  # sharing is worth it (the best items), up to the limit
    assert check_forms(bp, pool, ids_of(res)) == []


def test_enemies_recency_exposure_levels(pool: Pool) -> None:
    bp = small_bp()
    best = assemble(bp, pool, seed=0).forms[0]
    top = [int(i) for i in best.index[np.argsort(-pool.a[best.index])][:8]]
    enemy = pool.enemy.copy()
    enemy[top[0]] = enemy[top[1]] = "pair"
    last_used = pool.last_used.copy()
    last_used[top[2]] = 1
    last_used[top[3]] = 5  # long enough ago
    exposure = pool.exposure.copy()
    exposure[top[4]] = 0.9
    levels = pool.levels.copy()
    levels[top[5]] = LEVEL_BITS["junior"]
    changed = replace(pool, enemy=enemy, last_used=last_used, exposure=exposure, levels=levels)
    res = assemble(bp, changed, seed=0)
    ids = set(res.forms[0].ids)
    assert not {str(pool.id[top[0]]), str(pool.id[top[1]])} <= ids
    assert str(pool.id[top[2]]) not in ids
    assert str(pool.id[top[4]]) not in ids and str(pool.id[top[5]]) not in ids
    assert check_form(bp, changed, list(ids)) == []


def test_must_include_and_exclude(pool: Pool) -> None:
    bp = small_bp()
    best = assemble(bp, pool, seed=0).forms[0]
    excluded = best.ids[0]
    built = build_spec(bp, pool)
    spare = [str(pool.id[i]) for i in built.pool_index if str(pool.id[i]) not in best.ids][:2]
    bp2 = replace(bp, must_include=tuple(spare), must_exclude=(excluded,), forms=2)
    res = assemble(bp2, pool, seed=0, time_limit=20)
    for form in res.forms:
        assert set(spare) <= set(form.ids) and excluded not in form.ids
    # must-include items are in every form and do not count as overlap
    assert check_forms(bp2, pool, ids_of(res)) == []


def test_must_include_of_an_ineligible_question_is_explained(pool: Pool) -> None:
    used = str(pool.id[np.flatnonzero(pool.last_used == 1)[0]])
    res = assemble(small_bp(must_include=(used, "nope")), pool)
    assert res.status == "infeasible"
    text = " ".join(c.message_en for c in res.diagnosis)
    assert f"{used} cannot be used: it was used in a recent paper" in text
    assert "nope cannot be used: it is not in the pool" in text


def test_infeasible_section_names_the_rule_and_shortfall(pool: Pool) -> None:
    part2_multiple = np.flatnonzero(
        np.char.startswith(pool.section, "synth.2.") & (pool.type == "multiple")
    )
    levels = pool.levels.copy()
    levels[part2_multiple[2:]] = LEVEL_BITS["junior"]  # only two suit "intermediate"
    active = pool.active.copy()
    active[part2_multiple[:2]] = True
    last_used = pool.last_used.copy()
    last_used[part2_multiple[:2]] = np.nan
    exposure = pool.exposure.copy()
    exposure[part2_multiple[:2]] = 0.0
    changed = replace(pool, levels=levels, active=active, last_used=last_used, exposure=exposure)
    bp = small_bp(
        sections=(*small_bp().sections, SectionRule("synth.2", type="multiple", min_count=4))
    )
    res = assemble(bp, changed, syllabus_titles={"synth.2": ("碳排放权交易要点解读", "key points")})
    assert res.status == "infeasible" and not res.forms
    (hit,) = [c for c in res.diagnosis if c.constraint == "section_count:synth.2:multiple"]
    assert hit.shortfall == pytest.approx(2) and hit.available == pytest.approx(2)
    assert hit.message_zh.startswith(
        "synth 第二部分（碳排放权交易要点解读） 需要至少 4 道中级多选题，题库中只有 2 道"
    )
    assert (
        "synth part 2 (key points) needs ≥ 4 multiple-choice questions at level intermediate; only 2"
        in hit.message_en
    )
    assert all(c.constraint.startswith("section_count:synth.2") for c in res.diagnosis)


def test_too_many_forms_for_the_pool_is_explained(pool: Pool) -> None:
    bp = small_bp()
    built = build_spec(bp, pool)
    shorts = int((pool.type[built.pool_index] == "short").sum())
    forms = shorts // 4 + 1  # one form more than the short answers allow
    res = assemble(replace(bp, forms=forms), pool, time_limit=10)
    assert res.status == "infeasible"
    short = next(c for c in res.diagnosis if c.constraint == "type:short")
    assert short.available == shorts
    assert f"{forms} 份互不重复至少共需 {4 * forms} 道，题库中只有 {shorts} 道" in short.message_zh


def test_same_seed_same_forms(pool: Pool) -> None:
    bp = small_bp(forms=2)
    a = assemble(bp, pool, seed=5, time_limit=20)
    b = assemble(bp, pool, seed=5, time_limit=20)
    assert ids_of(a) == ids_of(b)


def test_bands_and_cut_tolerance(pool: Pool) -> None:
    bp = small_bp(
        difficulty=Difficulty(bands=(("easy", 10, 25), ("medium", 15, 40), ("hard", 10, 25))),
        cut_tolerance=1.0,
    )
    res = assemble(bp, pool, seed=0)
    assert res.status == "optimal"
    (form,) = res.forms
    assert form.expected_score is not None
    assert abs(float(form.expected_score[0]) - 60) <= 1.0 + 1e-6
    assert check_forms(bp, pool, ids_of(res), theta_cut=float(res.theta[0])) == []


def test_optimal_against_brute_force_on_a_tiny_pool() -> None:
    rng = np.random.default_rng(8)
    n = 14
    tiny = Pool.build(
        id=[f"t{i}" for i in range(n)],
        section=[f"synth.{1 + i % 2}.1" for i in range(n)],
        type=["single" if i % 3 else "multiple" for i in range(n)],
        points=[1.0 if i % 3 else 2.0 for i in range(n)],
        a=list(rng.lognormal(0, 0.4, n)),
        b=list(rng.normal(0, 1, n)),
        enemy=["e" if i in (1, 2) else None for i in range(n)],
    )
    bp = Blueprint(
        "tiny", "synth", "intermediate", 7.0, 4.0, 30,
        (TypeRule("single", 3, 1.0), TypeRule("multiple", 2, 2.0)),
        sections=(SectionRule("synth.1", min_points=3.0),),
        difficulty=Difficulty(mean_b=(-0.5, 0.6)),
    )  # fmt: skip
    res = assemble(bp, tiny, seed=0, rel_gap=1e-9)
    th = np.array([float(res.theta[0])])
    info = ItemParameters.dichotomous(tiny.a, tiny.b[:, 0])
    from qbank.psychometrics.irt import item_information

    w = item_information(th, info)[:, 0]
    best = max(
        float(w[list(sel)].sum())
        for sel in itertools.combinations(range(n), 5)
        if not check_form(bp, tiny, [f"t{i}" for i in sel])
    )
    assert res.objective == pytest.approx(best, rel=1e-9)
    assert check_form(bp, tiny, list(res.forms[0].ids)) == []


def test_overlapping_forms_beyond_the_pool_are_explained(pool: Pool) -> None:
    bp = small_bp()
    built = build_spec(bp, pool)
    shorts = built.pool_index[pool.type[built.pool_index] == "short"]
    active = pool.active.copy()
    active[shorts[8:]] = False  # 8 short answers left; 3 forms sharing 1 per pair need 9
    res = assemble(replace(bp, forms=3, max_overlap=1), replace(pool, active=active), time_limit=10)
    assert res.status == "infeasible"
    short = next(c for c in res.diagnosis if c.constraint == "type:short")
    assert short.available == 8
    assert "3 份（任意两份最多共享 1 道）至少共需 9 道，题库中只有 8 道" in short.message_zh
    assert "9 for 3 papers sharing at most 1 per pair; only 8" in short.message_en
