"""Infeasibility diagnosis: which constraints conflict, computed by an elastic model.

Every constraint side gets a non-negative slack per form (``lower - s <= a x <= upper + s``),
as do the must-include items (``x_i + u_i >= 1``), enemy sets and the overlap limit between
forms. Minimising the total slack — each weighted by ``1 / max |coefficient|`` so that one
unit is about "one item's worth" whatever the constraint measures, equalities ten times
more — gives the smallest
relaxation that makes the forms feasible. The slacks that are non-zero name the conflicting
constraints and by how much they fall short; nothing is guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from .assembly_core import Core, dominance
from .assembly_highs import Model, run
from .assembly_messages import constraint_conflict, enemy_conflict, fixed_conflict, fmt, simple
from .assembly_types import AssemblySpec, Conflict

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

_TOL = 1e-6


def diagnose(spec: AssemblySpec, deadline: float, seed: int) -> tuple[Conflict, ...]:
    """Conflicting constraints of an infeasible spec (empty when it is in fact feasible).

    Disjoint parallel forms are first explained on the pooled problem (every row times the
    number of forms, each item used once) — the same relaxation the solver proves
    infeasibility on, and far smaller than one copy of the items per form; only if that is
    feasible (the union exists but cannot be dealt into forms) is the per-form model solved.
    """
    n = spec.n_items
    F = spec.forms
    usable = np.ones(n, dtype=bool)
    usable[spec.fixed_out] = False
    fixed_in = np.unique(spec.fixed_in)
    is_fixed = np.zeros(n, dtype=bool)
    is_fixed[fixed_in] = True
    disjoint = F > 1 and spec.max_overlap == 0
    items = np.flatnonzero(usable | is_fixed)
    if items.size == 0:
        return simple(spec, usable)
    pos = np.full(n, -1, dtype=np.int64)
    pos[items] = np.arange(items.shape[0])
    r_idx, c_idx, vals = [], [], []
    lo: list[float] = []
    hi: list[float] = []
    source: list[int] = []
    for k, con in enumerate(spec.constraints):
        nz = np.flatnonzero(con.coef[items])
        r_idx.append(np.full(nz.shape[0], len(lo)))
        c_idx.append(nz)
        vals.append(con.coef[items][nz])
        lo.append(con.lower)
        hi.append(con.upper)
        source.append(k)
    for e, members in enumerate(spec.enemies):
        inside = np.unique(pos[members][pos[members] >= 0])
        if inside.shape[0] < 2:
            continue
        r_idx.append(np.full(inside.shape[0], len(lo)))
        c_idx.append(inside)
        vals.append(np.ones(inside.shape[0]))
        lo.append(-np.inf)
        hi.append(1.0)
        source.append(-1 - e)
    m = len(lo)
    A = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(r_idx), np.concatenate(c_idx))),
        shape=(m, items.shape[0]),
    )
    lo_a, hi_a = np.asarray(lo), np.asarray(hi)
    fixed = is_fixed[items]
    # Categories also separate must-include items (an extra marker row).
    marker = sp.csr_matrix(fixed.astype(np.float64).reshape(1, -1))
    pseudo = Core(
        items=items.astype(np.int64),
        w=np.zeros(items.shape[0]),
        A=sp.vstack([A, marker], format="csr"),
        lo=np.append(lo_a, -np.inf),
        hi=np.append(hi_a, np.inf),
        row_source=np.arange(m + 1, dtype=np.int64),
        continuous=np.array(
            [np.unique(A.data[A.indptr[r] : A.indptr[r + 1]]).shape[0] > 8 for r in range(m)]
            + [False]
        ),
        fixed_in=np.zeros(0, dtype=np.int64),
        fixed_w=0.0,
    )
    # Relaxed upper bounds can let a category be over-used, so keep a few extra per category.
    keep, _ = dominance(pseudo, F + 2)
    keep |= fixed
    cols = np.flatnonzero(keep)
    Ak, allowed, fk = A[:, cols], usable[items[cols]], fixed[cols]
    pooled = F > 1
    res = None
    if pooled:
        # Must-include items sit in every form: they count F times in the pooled union.
        Ap = sp.csr_matrix(Ak @ sp.diags(np.where(fk, float(F), 1.0)))
        # Shared items are counted once in the union: with pairwise overlap k a row can
        # lose up to (F choose 2) * k * max|coef| against the sum over forms, either way
        # for rows with mixed signs (mean b), only from below for non-negative rows.
        amax = np.asarray(abs(A).max(axis=1).todense()).ravel() if m else np.zeros(0)
        save = F * (F - 1) // 2 * spec.max_overlap * amax
        row_min = np.array(
            [A.data[A.indptr[r] : A.indptr[r + 1]].min(initial=0.0) for r in range(m)]
        )
        enemy = np.asarray(source) < 0
        lo_p = np.where(enemy, lo_a, lo_a * F - save)
        hi_p = np.where(enemy | (row_min >= 0), hi_a * F, hi_a * F + save)
        res = _elastic(Ap, lo_p, hi_p, fk, allowed, 1, "single", 0, deadline, seed)
        if res is not None and res.total <= _TOL:
            res = None  # the pooled problem is fine: the conflict is in dealing it out
    if res is None:
        pooled = False
        mode = "single" if F == 1 else ("disjoint" if disjoint else "pairs")
        res = _elastic(Ak, lo_a, hi_a, fk, allowed, F, mode, spec.max_overlap, deadline, seed)
    if res is None:
        return simple(spec, usable)
    conflicts: list[Conflict] = []
    for r in range(m):
        for side, slack in (("lower", res.s_lo[r]), ("upper", res.s_hi[r])):
            hit = tuple(int(f) for f in np.flatnonzero(slack > _TOL))
            if not hit:
                continue
            if pooled:
                hit = tuple(range(F))
            amount = float(slack.max())
            per_form = amount / F if pooled else amount
            if source[r] >= 0:
                conflicts.append(
                    constraint_conflict(
                        spec,
                        source[r],
                        side,
                        per_form,
                        amount,
                        hit,
                        usable,
                        spec.max_overlap if pooled else None,
                    )
                )
            else:
                conflicts.append(
                    enemy_conflict(spec, -1 - source[r], per_form, amount, hit, fixed_in)
                )
    for j in np.flatnonzero(res.u.max(axis=0) > _TOL) if res.u.size else []:
        item = items[cols[j]]
        conflicts.append(
            fixed_conflict(
                spec,
                item,
                bool(usable[item]),
                tuple(int(f) for f in np.flatnonzero(res.u[:, j] > _TOL)),
            )
        )
    if res.overlap > _TOL:
        conflicts.append(
            Conflict(
                "overlap",
                "overlap",
                "upper",
                float(spec.max_overlap),
                spec.max_overlap + res.overlap,
                res.overlap,
                tuple(range(F)),
                None,
                f"{F} 份试卷之间需要多共享 {fmt(res.overlap)} 道题，超过允许的重复数 {spec.max_overlap}",
                f"the {F} papers would have to share {fmt(res.overlap)} more questions than the "
                f"{spec.max_overlap} allowed",
                {"max_overlap": spec.max_overlap},
            )
        )
    return tuple(conflicts) or simple(spec, usable)


@dataclass(frozen=True)
class _Elastic:
    s_lo: FloatArray  # (m, F)
    s_hi: FloatArray  # (m, F)
    u: FloatArray  # (F, n) must-include slacks (0 for other items)
    overlap: float
    total: float


def _elastic(
    A: sp.csr_matrix,
    lo: FloatArray,
    hi: FloatArray,
    fixed: NDArray[np.bool_],
    allowed: NDArray[np.bool_],
    F: int,
    mode: str,
    max_overlap: int,
    deadline: float,
    seed: int,
) -> _Elastic | None:
    """Minimum weighted slack over F forms; None when the solve did not finish in time.

    mode: ``single`` (F independent forms, or one pooled form), ``disjoint`` (each item in at
    most one form, else it pays a usage slack) or ``pairs`` (pairwise overlap at most
    `max_overlap`, else an overlap slack).
    """
    m, n = A.shape
    scale = np.asarray(abs(A).max(axis=1).todense()).ravel() if m else np.zeros(0)
    weight = 1.0 / np.maximum(scale, 1e-9)
    # Equalities (e.g. "exactly 40 single-choice") frame the paper: relax them only when
    # nothing else helps, so the diagnosis names the content rule that actually falls short.
    weight = np.where(lo == hi, 10.0 * weight, weight)
    has_lo, has_hi = np.isfinite(lo), np.isfinite(hi)
    fi = np.flatnonzero(fixed)
    nf = fi.shape[0]
    pairs = [(f, g) for f in range(F) for g in range(f + 1, F)] if mode == "pairs" else []
    P = len(pairs)
    # Column blocks: x | s_lo | s_hi | u | v (disjoint) | o, z (pairs)
    x0, slo0 = 0, F * n
    shi0 = slo0 + F * m
    u0 = shi0 + F * m
    v0 = u0 + F * nf
    o0 = v0 + (n if mode == "disjoint" else 0)
    z0 = o0 + P * n
    ncol = z0 + P
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    data: list[FloatArray] = []
    rlo: list[FloatArray] = []
    rhi: list[FloatArray] = []
    nrow = 0

    def add(r: IntArray, c: IntArray, v: FloatArray) -> None:
        rows.append(np.asarray(r, dtype=np.int64) + nrow)
        cols.append(np.asarray(c, dtype=np.int64))
        data.append(np.asarray(v, dtype=np.float64))

    coo = A.tocoo()
    ar = np.arange(m)
    for f in range(F):
        add(coo.row, x0 + f * n + coo.col, coo.data)
        add(ar, slo0 + f * m + ar, np.ones(m))
        add(ar, shi0 + f * m + ar, -np.ones(m))
        rlo.append(lo)
        rhi.append(hi)
        nrow += m
        if nf:  # x_fi + u_fi >= 1 for must-include items
            k = np.arange(nf)
            add(k, x0 + f * n + fi, np.ones(nf))
            add(k, u0 + f * nf + k, np.ones(nf))
            rlo.append(np.ones(nf))
            rhi.append(np.full(nf, np.inf))
            nrow += nf
    if mode == "disjoint":  # Σ_f x_fi − v_i <= 1
        i = np.arange(n)
        for f in range(F):
            add(i, x0 + f * n + i, np.ones(n))
        add(i, v0 + i, -np.ones(n))
        rlo.append(np.full(n, -np.inf))
        rhi.append(np.ones(n))
        nrow += n
    for p, (f, g) in enumerate(pairs):  # x_fi + x_gi − o_pi <= 1; Σ_i o_pi − z_p <= overlap
        i = np.arange(n)
        add(i, x0 + f * n + i, np.ones(n))
        add(i, x0 + g * n + i, np.ones(n))
        add(i, o0 + p * n + i, -np.ones(n))
        rlo.append(np.full(n, -np.inf))
        rhi.append(np.ones(n))
        nrow += n
        add(np.zeros(n, dtype=np.int64), o0 + p * n + i, np.ones(n))
        add(np.zeros(1, dtype=np.int64), np.array([z0 + p]), -np.ones(1))
        rlo.append(np.array([-np.inf]))
        rhi.append(np.array([float(max_overlap)]))
        nrow += 1
    A_all = sp.csr_matrix(
        (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))), shape=(nrow, ncol)
    )
    cost = np.zeros(ncol)
    col_hi = np.full(ncol, np.inf)
    col_hi[x0:slo0] = np.tile(allowed.astype(np.float64), F)  # excluded items stay out
    cost[slo0:shi0] = np.tile(np.where(has_lo, weight, 0.0), F)
    col_hi[slo0:shi0] = np.tile(np.where(has_lo, np.inf, 0.0), F)
    cost[shi0:u0] = np.tile(np.where(has_hi, weight, 0.0), F)
    col_hi[shi0:u0] = np.tile(np.where(has_hi, np.inf, 0.0), F)
    cost[u0:v0] = 1.0
    col_hi[u0:v0] = 1.0
    cost[v0:o0] = 1.0
    col_hi[o0:z0] = 1.0
    cost[z0:] = 1.0
    integer = np.zeros(ncol, dtype=bool)
    integer[x0:slo0] = True
    model = Model(
        cost,
        np.zeros(ncol),
        col_hi,
        A_all,
        np.concatenate(rlo),
        np.concatenate(rhi),
        integer=integer,
        maximize=False,
    )
    res = run(model, deadline, seed=seed, rel_gap=1e-6)
    if res.x is None or res.status != "optimal" or res.objective is None:
        return None
    x = res.x
    u = np.zeros((F, n))
    if nf:
        u[:, fi] = x[u0:v0].reshape(F, nf)
    overlap = float(x[v0:o0].sum() + x[z0:].sum())
    return _Elastic(
        s_lo=x[slo0:shi0].reshape(F, m).T,
        s_hi=x[shi0:u0].reshape(F, m).T,
        u=u,
        overlap=overlap,
        total=float(res.objective),
    )
