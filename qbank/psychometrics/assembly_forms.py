"""Solution strategies over a `Core`: one form, disjoint parallel forms, overlapping forms,
and the target-information objective.

Disjoint forms (the usual case) are found in two steps. (1) The *aggregated* problem picks
the union of all F forms at once — every per-form row scaled by F, each item used at most
once. Any F disjoint forms form a feasible union, so its LP bound Z bounds the sum of the
forms' information and Z/F bounds the weakest form (the maximin objective). (2) The union is
dealt into F forms that each meet every row, by recursive bisection (`assembly_split`); if
that falls short, by one F-way split MILP (forms ordered by information, which removes the
F! symmetric copies of every split), and failing that by the maximin model over all
candidate items. The gap reported is measured against Z/F, so it is proven, not estimated.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .assembly_core import (
    Core,
    LpOutcome,
    aggregate_model,
    candidates,
    certify,
    dominance,
    lp_priced,
    split_margins,
)
from .assembly_highs import run
from .assembly_model import forms_from_x, multiform_model, start_from_forms
from .assembly_split import bisect

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass
class Outcome:
    """Forms as core positions (free items only; fixed-in items are added by the caller)."""

    status: str  # optimal | feasible | time_limit | infeasible | error
    forms: list[IntArray] = field(default_factory=list)
    objective: float | None = None
    bound: float | None = None
    n_after_dominance: int = 0
    n_candidates: int = 0
    lp_bound: float | None = None
    phases: list[str] = field(default_factory=list)
    stopped: bool = False  # the clock, not the gap, ended the search


def _rel_gap(objective: float, bound: float) -> float:
    return max(0.0, (bound - objective) / max(abs(bound), 1e-12))


def solve_union(
    core: Core, forms: int, deadline: float, seed: int, gap: float, out: Outcome
) -> tuple[IntArray | None, float | None, float | None, LpOutcome | None, BoolArray | None]:
    """Best union of `forms` disjoint forms (aggregated problem), certified against the LP.

    Returns (selected core positions, value, proven bound on the union's value, LP,
    candidate mask). For several forms the union is asked for split margins (see
    `split_margins`); the bound returned is then the LP bound of the unnarrowed problem.
    """
    keep, exact = dominance(core, forms)
    out.n_after_dominance = int(keep.sum())
    every = np.ones(core.n, dtype=bool)
    pool = keep if exact else every
    lp = lp_priced(core, keep, pool, forms, deadline, seed)
    out.phases.append(f"lp[{lp.status}]")
    if lp.status == "infeasible" and not exact:
        lp = lp_priced(core, every, every, forms, deadline, seed)
        out.phases.append(f"lp-all[{lp.status}]")
    if lp.status != "optimal" or lp.x is None or lp.bound is None:
        out.status = "infeasible" if lp.status == "infeasible" else "time_limit"
        out.stopped = out.status == "time_limit"
        return None, None, None, None, None
    out.lp_bound = lp.bound
    global_bound = lp.bound
    plain_lp = lp  # bounds and reduced costs of the problem without split margins
    margins = None
    if forms > 1:
        margins = split_margins(core)
        if margins.any():
            narrowed = lp_priced(core, keep | (lp.x > 0), pool, forms, deadline, seed, margins)
            out.phases.append(f"lp-margin[{narrowed.status}]")
            if narrowed.status == "optimal":
                lp = narrowed
            else:
                margins = None
    assert lp.x is not None and lp.bound is not None
    n_sel = round(float(lp.x.sum()))
    extra = max(2 * n_sel, 100)
    cand = candidates(lp, pool, extra)
    start: FloatArray | None = None
    best: tuple[IntArray, float, float] | None = None
    inner = gap / 2  # half for the MILP, half for the items left out
    for _ in range(8):
        cols = np.flatnonzero(cand)
        out.n_candidates = int(cols.shape[0])
        res = run(
            aggregate_model(core, cols, forms, True, margins),
            deadline,
            seed=seed,
            rel_gap=inner,
            start=start,
        )
        out.phases.append(f"milp[{cols.shape[0]}:{res.status}:{res.seconds:.2f}s]")
        if res.status == "infeasible":
            if cand.sum() == pool.sum():
                if margins is not None:
                    # The margins were too much: pool without them, certify against the
                    # plain LP again.
                    margins, lp = None, plain_lp
                    continue
                out.status = "infeasible"
                return None, None, None, None, None
            extra *= 4
            cand = candidates(lp, pool, extra) | cand
            continue
        if res.x is None or res.objective is None:
            out.status, out.stopped = "time_limit", True
            break
        value = float(res.objective)
        assert lp.bound is not None
        bound_s = res.bound if res.bound is not None else lp.bound
        b_out, worth = certify(lp, cand, pool, value, inner)
        bound = min(lp.bound, max(bound_s, b_out))
        best = (cols[res.x > 0.5], value, bound if margins is None else global_bound)
        if res.status == "time_limit":
            out.stopped = True
            break
        if not worth.any() or time.monotonic() >= deadline:
            break
        # Items outside the candidates could still beat the incumbent: add them, warm start.
        new_cand = cand | worth
        new_cols = np.flatnonzero(new_cand)
        start = np.isin(new_cols, best[0]).astype(np.float64)
        cand = new_cand
    if best is None:
        return None, None, None, lp, cand
    return best[0], best[1], best[2], lp, cand


def solve_disjoint(
    core: Core, forms: int, deadline: float, seed: int, gap: float, spread: float
) -> Outcome:
    """One form, or `forms` forms sharing no free item (aggregate, then split)."""
    out = Outcome("error")
    union, value, bound, _lp, cand = solve_union(core, forms, deadline, seed, gap, out)
    if union is None or value is None or bound is None:
        if out.status == "error":
            out.status, out.stopped = "time_limit", True
        return out
    out.bound = bound / forms
    if forms == 1:
        out.forms = [union]
        out.objective = value
        out.status = _status(value, bound, gap, out.stopped)
        return out
    dealt = bisect(core, union, forms, split_margins(core), deadline, seed, gap / 4, out.phases)
    if dealt is not None:
        values = [core.fixed_w + float(core.w[f].sum()) for f in dealt]
        if max(values) <= (1 + spread) * min(values):
            out.forms, out.objective = dealt, min(values)
    if out.objective is None or _rel_gap(out.objective, out.bound) > gap:
        # Bisection fell short: one F-way split of the union, warm-started when possible.
        model = multiform_model(core, union, forms, usage="exactly", spread=spread)
        start = None
        if out.forms:
            start = start_from_forms(out.forms, union, model.cost.shape[0])
            start[-1] = out.objective or 0.0
        res = run(model, deadline, seed=seed, rel_gap=gap / 2, start=start)
        out.phases.append(f"split[{res.status}:{res.seconds:.2f}s]")
        better = res.objective is not None and (
            out.objective is None or res.objective > out.objective
        )
        if res.x is not None and res.objective is not None and better:
            out.forms = forms_from_x(res.x, union, forms)
            out.objective = float(res.objective)
    if (out.objective is None or _rel_gap(out.objective, out.bound) > gap) and (
        cand is not None and time.monotonic() < deadline
    ):
        # The union did not split well: optimise forms over all candidates directly.
        cols = np.flatnonzero(cand)
        model = multiform_model(core, cols, forms, usage="once", spread=spread)
        start = None
        if out.forms:
            start = start_from_forms(out.forms, cols, model.cost.shape[0])
            start[-1] = out.objective or 0.0
        res = run(model, deadline, seed=seed, rel_gap=gap / 2, start=start)
        out.phases.append(f"full[{res.status}:{res.seconds:.2f}s]")
        if (
            res.x is not None
            and res.objective is not None
            and (out.objective is None or res.objective > out.objective)
        ):
            out.forms = forms_from_x(res.x, cols, forms)
            out.objective = float(res.objective)
    if out.objective is None:
        # The union exists but no split was found: not a proof of infeasibility.
        out.status, out.stopped = "time_limit", True
        return out
    out.stopped = out.stopped or time.monotonic() >= deadline
    out.status = _status(out.objective, out.bound, gap, out.stopped)
    return out


def solve_overlapping(
    core: Core, forms: int, max_overlap: int, deadline: float, seed: int, gap: float, spread: float
) -> Outcome:
    """Forms that may share up to `max_overlap` free items pairwise.

    Bound: a form that uses item j has information at most ``LP1 + d_j`` (single-form LP and
    its reduced costs), so items outside the candidates are certified exactly as for one form.
    A disjoint solution, when one exists, is the warm start.
    """
    start_forms: list[IntArray] = []
    budget = time.monotonic() + 0.4 * max(deadline - time.monotonic(), 0.0)
    warm = solve_disjoint(core, forms, budget, seed, max(gap, 0.01), spread)
    if warm.forms:
        start_forms = warm.forms
    out = Outcome("error", phases=[*warm.phases, "overlap"])
    keep, exact = dominance(core, forms)
    out.n_after_dominance = int(keep.sum())
    every = np.ones(core.n, dtype=bool)
    pool = keep if exact else every
    lp = lp_priced(core, keep, pool, 1, deadline, seed)
    if lp.status == "infeasible" and not exact:
        lp = lp_priced(core, every, every, 1, deadline, seed)
    if lp.status != "optimal" or lp.bound is None or lp.x is None:
        out.status = "infeasible" if lp.status == "infeasible" else "time_limit"
        out.stopped = out.status == "time_limit"
        return out
    out.lp_bound = lp.bound
    n_sel = round(float(lp.x.sum()))
    cand = candidates(lp, pool, max(2 * forms * n_sel, 200))
    for items in start_forms:
        cand[items] = True
    cols = np.flatnonzero(cand)
    out.n_candidates = int(cols.shape[0])
    model = multiform_model(
        core, cols, forms, usage="pairs", max_overlap=max_overlap, spread=spread
    )
    start = None
    if start_forms and warm.objective is not None:
        start = start_from_forms(start_forms, cols, model.cost.shape[0])
        start[-1] = warm.objective
    res = run(model, deadline, seed=seed, rel_gap=gap / 2, start=start)
    out.phases.append(f"pairs[{res.status}:{res.seconds:.2f}s]")
    if res.x is None or res.objective is None:
        if start_forms and warm.objective is not None:
            out.forms, out.objective = start_forms, warm.objective
        else:
            out.status = "infeasible" if res.status == "infeasible" else "time_limit"
            out.stopped = out.status == "time_limit"
            return out
    else:
        out.forms = forms_from_x(res.x, cols, forms)
        out.objective = float(res.objective)
    assert out.objective is not None
    b_out, _ = certify(lp, cand, pool, out.objective, gap / 2)
    bound_s = res.bound if res.bound is not None else lp.bound
    out.bound = min(lp.bound, max(bound_s, b_out))
    out.stopped = res.status == "time_limit"
    out.status = _status(out.objective, out.bound, gap, out.stopped)
    return out


def solve_target(
    core: Core,
    info: FloatArray,
    curve: FloatArray,
    forms: int,
    max_overlap: int,
    deadline: float,
    seed: int,
    gap: float,
) -> Outcome:
    """Minimise the largest |information − target| over θ points and forms (no pruning:
    more information is not always better here, so dominance does not apply)."""
    out = Outcome("error", phases=["target"])
    cols = np.arange(core.n, dtype=np.int64)
    out.n_after_dominance = out.n_candidates = core.n
    usage = "pairs" if forms > 1 and max_overlap > 0 else "once"
    model = multiform_model(
        core, cols, forms, usage=usage, max_overlap=max_overlap, target=(info, curve)
    )
    res = run(model, deadline, seed=seed, rel_gap=gap)
    out.phases.append(f"milp[{res.status}]")
    if res.x is None or res.objective is None:
        out.status = "infeasible" if res.status == "infeasible" else "time_limit"
        out.stopped = out.status == "time_limit"
        return out
    out.forms = forms_from_x(res.x, cols, forms)
    out.objective = float(res.objective)
    out.bound = res.bound if res.bound is not None else 0.0
    out.stopped = res.status == "time_limit"
    miss = (out.objective - out.bound) / max(abs(out.objective), 1e-12)
    out.status = "optimal" if miss <= gap + 1e-12 else ("time_limit" if out.stopped else "feasible")
    return out


def _status(objective: float, bound: float, gap: float, stopped: bool) -> str:
    if _rel_gap(objective, bound) <= gap + 1e-12:
        return "optimal"
    return "time_limit" if stopped else "feasible"
