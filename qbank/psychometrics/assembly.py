"""Optimal test assembly (ATA) as a mixed-integer program solved with HiGHS.

Model (van der Linden, *Linear Models for Optimal Test Design*, 2005): x_fi ∈ {0, 1} selects
item i for form f. Content rules are linear constraints ``lower <= coef @ x_f <= upper`` on
every form; enemy sets allow at most one item per set per form; fixed items are in every form
or in none; two forms share at most `max_overlap` items. The objective maximises test
information at θ_cut — for parallel forms the information of the *weakest* form (maximin),
with forms kept within `max_spread` of each other — or, alternatively, minimises the largest
deviation from a target information curve over several θ points (minimax).

Speed comes from never giving HiGHS the whole pool:

1. *Dominance* (`assembly_core.dominance`): within a category of items that are identical in
   every constraint, only the best ``forms * K`` by information can ever be needed.
2. *LP pricing and reduced-cost certification* (`assembly_core.lp_priced`, `certify`): the LP
   relaxation over the pruned pool, grown by column generation until no left-out item has a
   positive reduced cost, bounds the optimum; its reduced costs bound every solution that
   uses a given item, so the MILP only sees the LP support plus the items that could still
   beat the incumbent, and the reported gap covers the items it never saw. This is what makes
   a continuous constraint such as mean b (every item its own coefficient) exact too.
3. *Parallel forms* are assembled as one aggregated union and then split
   (`assembly_forms`), with the gap proven against the aggregated bound.

Every HiGHS call runs under the caller's deadline with a watchdog (`assembly_highs.run`).
Infeasible specs are explained by an elastic model (`assembly_diagnose`).

Same spec + seed → same forms (unless the clock stops a run first): the seed shuffles the
item order, which decides ties between equally good items, and seeds HiGHS.
"""

from __future__ import annotations

import time

import numpy as np

from .assembly_core import build_core
from .assembly_diagnose import diagnose
from .assembly_forms import Outcome, solve_disjoint, solve_overlapping, solve_target
from .assembly_types import (
    AssemblyResult,
    AssemblySpec,
    Conflict,
    Constraint,
    Form,
    IntArray,
    SolveStats,
    Status,
)

__all__ = [
    "AssemblyResult",
    "AssemblySpec",
    "Conflict",
    "Constraint",
    "Form",
    "SolveStats",
    "default_rel_gap",
    "solve_assembly",
]


def default_rel_gap(forms: int) -> float:
    """0.1 % for a single form, 1 % for parallel forms (the targets qbank promises)."""
    return 1e-3 if forms == 1 else 1e-2


def solve_assembly(
    spec: AssemblySpec,
    *,
    seed: int = 0,
    time_limit: float = 10.0,
    rel_gap: float | None = None,
) -> AssemblyResult:
    """Assemble `spec.forms` forms; return by ``time_limit`` seconds (plus a few ms).

    Parameters
    ----------
    spec : AssemblySpec
    seed : int
        Decides ties between equally informative items and seeds HiGHS.
    time_limit : float
        Wall-clock seconds for everything, diagnosis included.
    rel_gap : float, optional
        Stop once the objective is proven within this relative distance of the optimum;
        default `default_rel_gap(spec.forms)`.

    Returns
    -------
    AssemblyResult
        ``status`` optimal/feasible/time_limit with the forms, or infeasible with a
        computed ``diagnosis``.
    """
    t0 = time.monotonic()
    deadline = t0 + float(time_limit)
    spec.validate()
    gap = default_rel_gap(spec.forms) if rel_gap is None else float(rel_gap)
    order = np.random.default_rng(seed).permutation(spec.n_items).astype(np.int64)
    core = build_core(spec, order)
    if core is None:
        out = Outcome("infeasible", phases=["fixed-items-conflict"])
    elif time.monotonic() >= deadline:
        # The clock ran out before the first solve (huge pool, tiny limit): say so at once.
        out = Outcome("time_limit", phases=["clock"], stopped=True)
    elif spec.target_information is not None:
        fixed_info = spec.information[core.fixed_in].sum(axis=0)
        out = solve_target(
            core,
            spec.information[core.items],
            spec.target_information - fixed_info,
            spec.forms,
            spec.max_overlap,
            deadline,
            seed,
            gap,
        )
    elif spec.forms == 1 or spec.max_overlap == 0:
        out = solve_disjoint(core, spec.forms, deadline, seed, gap, spec.max_spread)
    else:
        out = solve_overlapping(
            core, spec.forms, spec.max_overlap, deadline, seed, gap, spec.max_spread
        )
    diagnosis: tuple[Conflict, ...] = ()
    if out.status == "infeasible":
        diagnosis = diagnose(spec, deadline, seed)
    forms: tuple[Form, ...] = ()
    if core is not None and out.forms:
        forms = tuple(
            _form(spec, np.concatenate([core.items[f], core.fixed_in])) for f in out.forms
        )
    objective = out.objective
    if forms and spec.target_information is None:
        # Report what the forms actually achieve (the MILP value can carry 1e-9 noise).
        w = spec.weights()
        objective = min(float(f.information @ w) for f in forms)
    gap_value = None
    if objective is not None and out.bound is not None:
        denom = max(abs(out.bound if spec.target_information is None else objective), 1e-12)
        gap_value = max(0.0, abs(out.bound - objective) / denom)
    stats = SolveStats(
        n_items=spec.n_items,
        n_after_dominance=out.n_after_dominance,
        n_candidates=out.n_candidates,
        lp_bound=out.lp_bound,
        phases=tuple(out.phases),
    )
    status: Status
    if out.status == "infeasible":
        status = "infeasible"
    elif not forms:
        status = "time_limit"
    elif gap_value is not None and gap_value <= gap + 1e-9:
        status = "optimal"
    else:
        status = "time_limit" if out.stopped else "feasible"
    return AssemblyResult(
        status=status,
        forms=forms,
        objective=objective,
        bound=out.bound,
        gap=gap_value,
        seconds=time.monotonic() - t0,
        theta=spec.theta,
        diagnosis=diagnosis,
        stats=stats,
    )


def _form(spec: AssemblySpec, index: IntArray) -> Form:
    idx = np.sort(index.astype(np.int64))
    expected = None if spec.expected is None else spec.expected[idx].sum(axis=0)
    return Form(
        index=idx,
        ids=tuple(str(i) for i in spec.ids[idx]),
        information=spec.information[idx].sum(axis=0),
        points=float(spec.points[idx].sum()),
        expected_score=expected,
    )
