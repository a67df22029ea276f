"""Dealing a union of items into parallel forms by recursive bisection.

The union chosen by the aggregated model holds exactly the items of F forms. Splitting it in
one F-way MILP has F! symmetric copies of every answer and gets slow beyond a handful of
forms. Instead it is cut in two — one 0/1 variable per item, "left side holds k_L forms, right
side k_R" (every row scaled by k, enemies at most k per side), maximising the weaker side's
information per form — and each side is cut again until single forms remain. Each cut is a
small MILP with no symmetry beyond left/right (broken by fixing one item when k_L = k_R).
Sides that will be cut again keep the same split margins as the union (see
`assembly_core.split_margins`); if a cut is infeasible with margins it is retried without.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from .assembly_core import Core
from .assembly_highs import Model, run

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def _cut_model(
    core: Core, items: IntArray, k_left: int, k_right: int, margins: FloatArray
) -> Model:
    """y_i = 1 puts item i on the left. Both sides' rows become bounds on A y."""
    A = sp.csr_matrix(core.A[:, items])
    w = core.w[items]
    n = items.shape[0]
    total = np.asarray(A.sum(axis=1)).ravel()
    enemy = core.row_source < 0
    room_l = margins * k_left if k_left > 1 else np.zeros(core.m)
    room_r = margins * k_right if k_right > 1 else np.zeros(core.m)
    lo_l = np.where(enemy, -np.inf, core.lo * k_left + room_l)
    hi_l = np.where(enemy, float(k_left), core.hi * k_left - room_l)
    lo_r = np.where(enemy, -np.inf, core.lo * k_right + room_r)
    hi_r = np.where(enemy, float(k_right), core.hi * k_right - room_r)
    # Right side: total - A y in [lo_r, hi_r]  <=>  A y in [total - hi_r, total - lo_r].
    row_lo = np.maximum(lo_l, total - hi_r)
    row_hi = np.minimum(hi_l, total - lo_r)
    W = float(w.sum())
    # t <= T_left / k_left and t <= T_right / k_right, T including the fixed items.
    info_rows = sp.csr_matrix(np.vstack([-w, w]))
    t_col = sp.csr_matrix(np.array([[float(k_left)], [float(k_right)]]))
    A_all = sp.vstack(
        [sp.hstack([A, sp.csr_matrix((core.m, 1))]), sp.hstack([info_rows, t_col])], format="csr"
    )
    lo = np.zeros(n + 1)
    hi = np.ones(n + 1)
    lo[-1], hi[-1] = -np.inf, np.inf
    if k_left == k_right and n:
        lo[0] = 1.0  # left and right are interchangeable: the first item goes left
    cost = np.zeros(n + 1)
    cost[-1] = 1.0
    integer = np.ones(n + 1, dtype=bool)
    integer[-1] = False
    return Model(
        cost=cost,
        lo=lo,
        hi=hi,
        A=A_all,
        row_lo=np.concatenate([row_lo, [-np.inf, -np.inf]]),
        row_hi=np.concatenate([row_hi, [k_left * core.fixed_w, k_right * core.fixed_w + W]]),
        integer=integer,
        maximize=True,
    )


def stronger(core: Core, margins: FloatArray) -> FloatArray:
    """Margins for a second attempt: twice the continuous ones, plus one median coefficient
    on two-sided integer rows (part points) whose range is wide enough."""
    out = 2.0 * margins
    A = core.A
    for r in range(core.m):
        data = np.abs(A.data[A.indptr[r] : A.indptr[r + 1]])
        width = core.hi[r] - core.lo[r]
        if out[r] == 0 and data.size and np.isfinite(width) and width >= 4 * np.median(data):
            out[r] = float(np.median(data))
    return out


def bisect(
    core: Core,
    items: IntArray,
    forms: int,
    margins: FloatArray,
    deadline: float,
    seed: int,
    gap: float,
    phases: list[str],
) -> list[IntArray] | None:
    """Deal `items` (core positions, exactly `forms` forms' worth) into `forms` forms, or None.

    If a side cannot be cut further, this cut is redone once with stronger margins (sides
    with more room are easier to cut again) before giving up.
    """
    if forms == 1:
        return [items]
    k_left = forms // 2
    k_right = forms - k_left
    for attempt, room in enumerate((margins, stronger(core, margins))):
        if time.monotonic() >= deadline:
            return None
        t0 = time.monotonic()
        model = _cut_model(core, items, k_left, k_right, room)
        res = run(model, deadline, seed=seed, rel_gap=gap)
        if res.x is None and res.status == "infeasible" and room.any():
            res = run(
                _cut_model(core, items, k_left, k_right, 0 * room), deadline, seed=seed, rel_gap=gap
            )
        phases.append(f"cut{forms}.{attempt}[{res.status}:{time.monotonic() - t0:.2f}s]")
        if res.x is None:
            return None
        left = res.x[: items.shape[0]] > 0.5
        first = bisect(core, items[left], k_left, margins, deadline, seed, gap, phases)
        second = None
        if first is not None:
            second = bisect(core, items[~left], k_right, margins, deadline, seed, gap, phases)
        if first is not None and second is not None:
            return first + second
    return None
