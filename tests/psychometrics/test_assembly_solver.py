"""The neutral assembly solver: optimality against brute force, constraints, enemies, fixed
items, overlap, determinism, the target objective, the time limit and the watchdog."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

from qbank.psychometrics.assembly import (
    AssemblySpec,
    Constraint,
    solve_assembly,
)
from qbank.psychometrics.assembly_core import build_core, categories, dominance
from qbank.psychometrics.assembly_highs import Model, run, stop_abandoned
from qbank.psychometrics.irt import ItemParameters


def tiny_spec(
    n: int = 14, seed: int = 0, continuous_b: bool = True, **kwargs: object
) -> AssemblySpec:
    """Two item types, two sections; pick 3 of type A and 2 of type B, section 1 gets >= 2."""
    rng = np.random.default_rng(seed)
    a = rng.lognormal(0, 0.3, n)
    b = rng.normal(0, 1, n) if continuous_b else rng.choice([-1.0, 0.0, 1.0], n)
    typ = np.arange(n) % 2
    sec = (np.arange(n) // 2) % 2
    params = ItemParameters.dichotomous(a, b)
    cons = (
        Constraint.from_mask("typeA", typ == 0, 3, 3),
        Constraint.from_mask("typeB", typ == 1, 2, 2),
        Constraint.from_mask("sec1", sec == 1, 2, np.inf, label_en="section 1"),
        Constraint("mean_b", b / 5, -0.4, 0.4, kind="mean"),
    )
    base: dict[str, object] = {"constraints": cons}
    base.update(kwargs)
    return AssemblySpec.from_parameters(
        np.array([f"i{k}" for k in range(n)]), params, np.array([0.2]), np.ones(n), **base
    )


def feasible(spec: AssemblySpec, sel: tuple[int, ...]) -> bool:
    x = np.zeros(spec.n_items)
    x[list(sel)] = 1
    for c in spec.constraints:
        v = float(c.coef @ x)
        if v < c.lower - 1e-9 or v > c.upper + 1e-9:
            return False
    for e in spec.enemies:
        if x[e].sum() > 1:
            return False
    return set(spec.fixed_in.tolist()) <= set(sel) and not set(spec.fixed_out.tolist()) & set(sel)


def brute_one(spec: AssemblySpec, k: int = 5) -> float:
    w = spec.information[:, 0]
    best = -np.inf
    for sel in itertools.combinations(range(spec.n_items), k):
        if feasible(spec, sel):
            best = max(best, float(w[list(sel)].sum()))
    return best


def test_one_form_matches_brute_force() -> None:
    for seed in range(4):
        spec = tiny_spec(seed=seed)
        res = solve_assembly(spec, seed=seed, rel_gap=1e-9)
        assert res.status == "optimal"
        assert res.objective == pytest.approx(brute_one(spec), rel=1e-7)
        assert feasible(spec, tuple(res.forms[0].index.tolist()))


def test_two_disjoint_forms_match_brute_force() -> None:
    spec = tiny_spec(n=12, seed=5, continuous_b=False, forms=2)
    spec = AssemblySpec(**{**spec.__dict__, "max_spread": 10.0})
    res = solve_assembly(spec, seed=0, rel_gap=1e-9, time_limit=20)
    w = spec.information[:, 0]
    sols = [s for s in itertools.combinations(range(12), 5) if feasible(spec, s)]
    best = -np.inf
    for s1, s2 in itertools.combinations(sols, 2):
        if not set(s1) & set(s2):
            best = max(best, min(w[list(s1)].sum(), w[list(s2)].sum()))
    assert res.objective == pytest.approx(best, rel=1e-6)
    f1, f2 = (set(f.index.tolist()) for f in res.forms)
    assert not f1 & f2
    assert all(feasible(spec, tuple(f.index.tolist())) for f in res.forms)


def test_overlapping_forms_match_brute_force() -> None:
    spec = tiny_spec(n=10, seed=2, continuous_b=False, forms=2, max_overlap=1)
    spec = AssemblySpec(**{**spec.__dict__, "max_spread": 10.0})
    res = solve_assembly(spec, seed=0, rel_gap=1e-9, time_limit=20)
    w = spec.information[:, 0]
    sols = [s for s in itertools.combinations(range(10), 5) if feasible(spec, s)]
    best = max(
        min(w[list(s1)].sum(), w[list(s2)].sum())
        for s1, s2 in itertools.combinations_with_replacement(sols, 2)
        if len(set(s1) & set(s2)) <= 1
    )
    assert res.objective == pytest.approx(best, rel=1e-6)
    f1, f2 = (set(f.index.tolist()) for f in res.forms)
    assert len(f1 & f2) <= 1


def test_enemies_fixed_in_and_out() -> None:
    base = tiny_spec(seed=1)
    free = solve_assembly(base, seed=0, rel_gap=1e-9).forms[0].index
    # Make the two best chosen items enemies, force in an item that was not chosen, forbid one.
    pair = free[np.argsort(-base.information[free, 0])[:2]]
    outside = np.setdiff1d(np.arange(base.n_items), free)
    spec = AssemblySpec(
        **{
            **base.__dict__,
            "enemies": (pair.astype(np.int64),),
            "enemy_names": ("g",),
            "fixed_in": outside[:1].astype(np.int64),
            "fixed_out": free[2:3].astype(np.int64),
        }
    )
    res = solve_assembly(spec, seed=0, rel_gap=1e-9)
    chosen = tuple(res.forms[0].index.tolist())
    assert feasible(spec, chosen)
    assert res.objective == pytest.approx(brute_one(spec), rel=1e-7)


def test_target_information_objective() -> None:
    spec = tiny_spec(seed=3)
    target = np.array([2.0])
    spec = AssemblySpec(**{**spec.__dict__, "target_information": target})
    res = solve_assembly(spec, seed=0, rel_gap=1e-9)
    w = spec.information[:, 0]
    best = min(
        abs(float(w[list(s)].sum()) - 2.0)
        for s in itertools.combinations(range(spec.n_items), 5)
        if feasible(spec, s)
    )
    assert res.objective == pytest.approx(best, abs=1e-6)


def test_same_seed_same_forms_and_seed_breaks_ties() -> None:
    # Equal parameters everywhere: every feasible form is optimal, the seed picks one.
    n = 60
    params = ItemParameters.dichotomous(np.ones(n), np.zeros(n))
    spec = AssemblySpec.from_parameters(
        np.array([f"i{k}" for k in range(n)]),
        params,
        np.array([0.0]),
        np.ones(n),
        constraints=(Constraint.from_mask("all", np.ones(n, bool), 10, 10),),
    )
    runs = {seed: solve_assembly(spec, seed=seed).forms[0].ids for seed in (1, 1, 2, 3)}
    again = solve_assembly(spec, seed=1).forms[0].ids
    assert runs[1] == again
    assert len({runs[1], runs[2], runs[3]}) > 1


def test_dominance_keeps_enough_per_category() -> None:
    spec = tiny_spec(n=40, seed=4, continuous_b=False, forms=2)
    core = build_core(spec, np.arange(spec.n_items, dtype=np.int64))
    assert core is not None
    keep, exact = dominance(core, 2)
    assert exact
    cat = categories(core, ~core.continuous)
    # Per category at most forms * 3 (the type cap) are kept, and they are the best.
    for c in np.unique(cat):
        members = np.flatnonzero(cat == c)
        kept = members[keep[members]]
        assert kept.size <= 6
        if kept.size < members.size:
            dropped = np.setdiff1d(members, kept)
            assert core.w[kept].min() >= core.w[dropped].max()


def test_infeasible_count_is_diagnosed() -> None:
    base = tiny_spec(seed=0)
    cons = (
        *base.constraints,
        Constraint.from_mask(
            "rare", np.arange(base.n_items) < 2, 3, np.inf, label_en="group R", label_zh="R 组"
        ),
    )
    spec = AssemblySpec(**{**base.__dict__, "constraints": cons})
    res = solve_assembly(spec)
    assert res.status == "infeasible"
    assert not res.forms
    names = {c.constraint: c for c in res.diagnosis}
    assert "rare" in names
    assert names["rare"].shortfall == pytest.approx(1.0)
    assert names["rare"].available == pytest.approx(2.0)
    assert "needs ≥ 3" in names["rare"].message_en
    assert "只有 2 道" in names["rare"].message_zh


def test_conflicting_constraints_are_diagnosed() -> None:
    base = tiny_spec(seed=0)
    typ_a = base.constraints[0].coef
    # Type A must be exactly 3, yet "at most 1 of type A" is also demanded.
    cons = (*base.constraints, Constraint("capA", typ_a, -np.inf, 1, kind="count"))
    spec = AssemblySpec(**{**base.__dict__, "constraints": cons})
    res = solve_assembly(spec)
    assert res.status == "infeasible"
    hit = {c.constraint: c for c in res.diagnosis}
    # Equalities are weighted to stay intact: the cap is the one reported, by 2 items.
    assert set(hit) == {"capA"}
    assert hit["capA"].side == "upper"
    assert hit["capA"].shortfall == pytest.approx(2.0)


def test_fixed_enemies_are_diagnosed() -> None:
    base = tiny_spec(seed=0)
    spec = AssemblySpec(
        **{
            **base.__dict__,
            "enemies": (np.array([0, 2], dtype=np.int64),),
            "enemy_names": ("pair",),
            "fixed_in": np.array([0, 2], dtype=np.int64),
        }
    )
    res = solve_assembly(spec)
    assert res.status == "infeasible"
    assert any(c.kind in ("enemy", "must_include") for c in res.diagnosis)


def hard_spec(n: int = 3000, forms: int = 6) -> AssemblySpec:
    rng = np.random.default_rng(7)
    a, b = rng.lognormal(0, 0.3, n), rng.normal(0, 1, n)
    sec = rng.integers(0, 40, n)
    cons = [Constraint.from_mask("len", np.ones(n, bool), 60, 60)]
    cons += [Constraint.from_mask(f"s{s}", sec == s, 1, 2) for s in range(40)]
    cons.append(Constraint("mean_b", b / 60, 0.2, 0.25, kind="mean"))
    return AssemblySpec.from_parameters(
        np.array([f"i{k}" for k in range(n)]),
        ItemParameters.dichotomous(a, b),
        np.array([0.3]),
        np.ones(n),
        constraints=tuple(cons),
        forms=forms,
        max_overlap=3,
    )


def test_time_limit_is_respected() -> None:
    spec = hard_spec()
    for limit in (0.3, 1.0):
        t0 = time.monotonic()
        res = solve_assembly(spec, time_limit=limit, rel_gap=1e-9)
        elapsed = time.monotonic() - t0
        assert elapsed < limit + 0.6, elapsed
        assert res.status in ("time_limit", "feasible", "optimal")
        if res.forms:
            assert res.gap is not None


def market_split(m: int = 5, n: int = 50) -> Model:
    """Cornuéjols–Dawande market split: Σ_j a_ij x_j = ⌊Σ_j a_ij / 2⌋ — tiny and very hard."""
    rng = np.random.default_rng(11)
    A = rng.integers(0, 100, (m, n)).astype(np.float64)
    d = np.floor(A.sum(axis=1) / 2)
    return Model(
        cost=np.zeros(n),
        lo=np.zeros(n),
        hi=np.ones(n),
        A=A,
        row_lo=d,
        row_hi=d,
        integer=np.ones(n, dtype=bool),
    )


def test_watchdog_returns_when_highs_ignores_the_clock() -> None:
    # Interrupt callbacks off and HiGHS's own limit far away: only the watchdog can stop it.
    t0 = time.monotonic()
    res = run(market_split(), t0 + 0.3, grace=0.2, _highs_time_limit=60.0, _interrupts=False)
    elapsed = time.monotonic() - t0
    assert elapsed < 0.3 + 0.2 + 0.3, elapsed
    assert res.abandoned
    assert res.status == "time_limit"
    assert stop_abandoned(timeout=5.0)  # the abandoned solve still stops when asked


def test_interrupt_stops_highs_at_the_deadline() -> None:
    t0 = time.monotonic()
    res = run(market_split(), t0 + 0.3, grace=5.0, _highs_time_limit=60.0)
    elapsed = time.monotonic() - t0
    # The MIP interrupt is checked between nodes and cut rounds, so allow some latency.
    assert elapsed < 0.3 + 1.0, elapsed
    assert not res.abandoned
    assert res.status == "time_limit"
