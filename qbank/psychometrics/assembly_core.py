"""The reduced problem behind a spec, dominance pruning and LP pricing.

`build_core` turns a spec into rows over the *free* items: fixed-in items are taken out and
their contribution subtracted from the bounds, fixed-out items and the enemies of fixed-in
items are dropped. Everything downstream works on this core.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from .assembly_highs import Model, run
from .assembly_types import AssemblySpec

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

# A row whose non-zero coefficients take more distinct values than this is "continuous"
# (e.g. a mean-b constraint on calibrated items). Continuous rows are left out of the
# dominance categories — otherwise nearly every item would be its own category.
MAX_CATEGORICAL_VALUES = 8
_EPS = 1e-9


@dataclass(frozen=True)
class Core:
    """Rows ``lo <= A x <= hi`` (per form) over the free items.

    items : (n,) spec positions of the free items, in seed-shuffled order
    w : (n,) objective weight (weighted information) of each free item
    A : (m, n) CSR matrix — spec constraints first, then one row per enemy set
    row_source : (m,) index of the spec constraint, or ``-1 - e`` for enemy set e
    continuous : (m,) rows with many distinct coefficients (see MAX_CATEGORICAL_VALUES)
    fixed_in : spec positions in every form; fixed_w their objective weight
    """

    items: IntArray
    w: FloatArray
    A: Any
    lo: FloatArray
    hi: FloatArray
    row_source: IntArray
    continuous: BoolArray
    fixed_in: IntArray
    fixed_w: float

    @property
    def n(self) -> int:
        return int(self.items.shape[0])

    @property
    def m(self) -> int:
        return int(self.lo.shape[0])


def build_core(spec: AssemblySpec, order: IntArray) -> Core | None:
    """Reduce `spec` to its free items, visiting items in `order` (a seeded permutation).

    Returns None when the fixed items contradict each other directly (an item both fixed in
    and out, or two fixed-in items in one enemy set): the diagnosis explains those.
    """
    n = spec.n_items
    fixed_in = np.unique(spec.fixed_in)
    in_mask = np.zeros(n, dtype=bool)
    in_mask[fixed_in] = True
    out_mask = np.zeros(n, dtype=bool)
    out_mask[spec.fixed_out] = True
    if (in_mask & out_mask).any():
        return None
    for members in spec.enemies:
        hits = int(in_mask[members].sum())
        if hits > 1:
            return None
        if hits == 1:
            # The other members of the set can never join a form that holds the fixed item.
            out_mask[members] = True
    out_mask[fixed_in] = False
    free = order[~(in_mask | out_mask)[order]]
    w_all = spec.information @ spec.weights()
    nf = free.shape[0]
    r_idx: list[IntArray] = []
    c_idx: list[IntArray] = []
    vals: list[FloatArray] = []
    lo: list[float] = []
    hi: list[float] = []
    source: list[int] = []
    continuous: list[bool] = []

    def add_row(coef: FloatArray, low: float, high: float, src: int) -> None:
        nz = np.flatnonzero(coef)
        r_idx.append(np.full(nz.shape[0], len(lo), dtype=np.int64))
        c_idx.append(nz.astype(np.int64))
        vals.append(coef[nz])
        lo.append(low)
        hi.append(high)
        source.append(src)
        continuous.append(np.unique(coef[nz]).shape[0] > MAX_CATEGORICAL_VALUES)

    for k, con in enumerate(spec.constraints):
        fixed_part = float(con.coef[fixed_in].sum())
        add_row(con.coef[free], con.lower - fixed_part, con.upper - fixed_part, k)
    pos = np.full(n, -1, dtype=np.int64)
    pos[free] = np.arange(nf)
    for e, members in enumerate(spec.enemies):
        inside = pos[members]
        inside = np.unique(inside[inside >= 0])
        if inside.shape[0] < 2:
            continue
        # Built sparse directly: there can be thousands of small enemy sets.
        r_idx.append(np.full(inside.shape[0], len(lo), dtype=np.int64))
        c_idx.append(inside)
        vals.append(np.ones(inside.shape[0]))
        lo.append(-np.inf)
        hi.append(1.0)
        source.append(-1 - e)
        continuous.append(False)
    m = len(lo)
    if m:
        A = sp.csr_matrix(
            (np.concatenate(vals), (np.concatenate(r_idx), np.concatenate(c_idx))), shape=(m, nf)
        )
    else:
        A = sp.csr_matrix((0, nf))
    return Core(
        items=free.astype(np.int64),
        w=w_all[free],
        A=A,
        lo=np.asarray(lo, dtype=np.float64),
        hi=np.asarray(hi, dtype=np.float64),
        row_source=np.asarray(source, dtype=np.int64),
        continuous=np.asarray(continuous, dtype=bool),
        fixed_in=fixed_in.astype(np.int64),
        fixed_w=float(w_all[fixed_in].sum()),
    )


def categories(core: Core, rows: BoolArray) -> IntArray:
    """Category of each free item: items with identical coefficients in every row of `rows`.

    Each column of the selected rows is hashed (sum over its non-zeros of a random 64-bit key
    of the row times the bit pattern of the coefficient, wrapping); columns with equal hashes
    are then checked to be truly identical, so a hash collision can never merge categories —
    if one ever occurs the slow exact refinement is used instead.
    """
    C = sp.csc_matrix(core.A[np.flatnonzero(rows)])
    C.sort_indices()
    if C.nnz == 0:
        return np.zeros(core.n, dtype=np.int64)
    keys = np.random.default_rng(12345).integers(1, 2**63 - 1, size=C.shape[0], dtype=np.int64)
    bits = np.ascontiguousarray(C.data, dtype=np.float64).view(np.uint64)
    terms = keys.view(np.uint64)[C.indices] * (bits | np.uint64(1))
    col_of = np.repeat(np.arange(core.n), np.diff(C.indptr))
    h = np.zeros(core.n, dtype=np.uint64)
    np.add.at(h, col_of, terms)
    _, first, cat = np.unique(h, return_index=True, return_inverse=True)
    diff = C - C[:, first[cat]]
    diff.eliminate_zeros()
    if diff.nnz:  # pragma: no cover - a 64-bit collision
        return _categories_exact(C)
    return cat.astype(np.int64)


def _categories_exact(C: Any) -> IntArray:  # pragma: no cover - fallback for collisions
    R = sp.csr_matrix(C)
    n = R.shape[1]
    cat = np.zeros(n, dtype=np.int64)
    ncat = 1
    for r in range(R.shape[0]):
        start, end = R.indptr[r], R.indptr[r + 1]
        if start == end:
            continue
        idx, vals = R.indices[start:end], R.data[start:end]
        uniq, code = np.unique(vals, return_inverse=True)
        _, inv = np.unique(cat[idx] * (uniq.shape[0] + 1) + code, return_inverse=True)
        cat[idx] = ncat + inv
        ncat += int(inv.max()) + 1
    _, cat = np.unique(cat, return_inverse=True)
    return cat.astype(np.int64)


def dominance(core: Core, forms: int) -> tuple[BoolArray, bool]:
    """Items worth keeping, and whether dropping the others is provably harmless.

    Items are grouped into categories of identical coefficients in every categorical row
    (type, points, section, band, enemy set, …). In a category, at most K items fit in one
    form, K the smallest ``floor(upper / coefficient)`` over the rows with non-negative
    coefficients and a finite upper bound, hence at most ``forms * K`` distinct items over
    all forms. Keep the ``forms * K`` best of the category by objective weight.

    Why it is exact: take an optimal set of forms that uses a dropped item j. Fewer than
    ``forms * K`` kept items of j's category are in use (j occupies one of the at most
    ``forms * K`` slots), so some kept item k of the category is in no form. Put k wherever j
    was: every constraint row sees the same coefficients (same category) — enemy rows
    included, since enemy membership is part of the category — overlaps between forms are
    unchanged (k simply takes j's place), and the objective does not decrease (w_k >= w_j,
    and for minimax targets we do not prune). Repeat until no dropped item is used.

    The argument needs every row to be categorical. When some row is continuous (a mean-b
    constraint over calibrated items, where each item's b is its own coefficient) the
    categories ignore it and the pruning is only a starting set: the caller then prices all
    items against the LP duals and certifies the answer (see `certify`), which is exact.
    For that starting set we also keep the items with the most extreme coefficients of each
    continuous row, so the restricted LP can reach both ends of a b-range.
    """
    cat_rows = ~core.continuous
    cat = categories(core, cat_rows)
    ncat = int(cat.max()) + 1 if core.n else 0
    cap = np.full(ncat, np.inf)
    A = sp.coo_matrix(core.A)
    row_min = np.full(core.m, np.inf)
    np.minimum.at(row_min, A.row, A.data)
    usable = cat_rows & (row_min >= 0) & np.isfinite(core.hi)
    sel = usable[A.row] & (A.data > 0)
    k = np.floor(np.maximum(core.hi[A.row[sel]], 0.0) / A.data[sel] + _EPS)
    np.minimum.at(cap, cat[A.col[sel]], k)
    A = core.A
    limit = cap * forms
    order = np.lexsort((-core.w, cat))  # stable: ties keep the seeded order
    first = np.searchsorted(cat[order], np.arange(ncat))
    rank = np.empty(core.n, dtype=np.int64)
    rank[order] = np.arange(core.n) - first[cat[order]]
    keep = rank < limit[cat]
    exact = not bool(core.continuous.any())
    if not exact:
        for r in np.flatnonzero(core.continuous):
            coef = np.zeros(core.n)
            coef[A.indices[A.indptr[r] : A.indptr[r + 1]]] = A.data[A.indptr[r] : A.indptr[r + 1]]
            for sign in (1.0, -1.0):
                o = np.lexsort((sign * coef, cat))
                rk = np.empty(core.n, dtype=np.int64)
                rk[o] = np.arange(core.n) - first[cat[o]]
                keep |= rk < limit[cat]
    return keep, exact


@dataclass(frozen=True)
class LpOutcome:
    """The aggregated LP relaxation over the free items, priced over `priced`.

    `d` holds reduced costs ``w - A^T y`` of every free item (valid for the items in the
    pricing pool; a solution using free item j is worth at most ``bound + d[j]``).
    """

    status: str
    bound: float | None
    x: FloatArray | None  # (n,) LP values, 0 outside the working set
    d: FloatArray | None


def split_margins(core: Core) -> FloatArray:
    """Per-form room to leave on rows with fractional coefficients when pooling forms.

    A union whose mean b sits exactly on the blueprint's limit can only be split into forms
    that *all* sit exactly on it — a subset-sum problem HiGHS may take minutes over. Asking
    the union for about one item's worth of room (the median coefficient, at most a quarter
    of the range) makes the split easy at a negligible cost in information. Integer rows
    (counts, points) split exactly and get no margin; equalities cannot get one.
    """
    margins = np.zeros(core.m)
    A = core.A
    for r in range(core.m):
        data = np.abs(A.data[A.indptr[r] : A.indptr[r + 1]])
        if data.size == 0 or np.allclose(data, np.round(data)) or core.lo[r] >= core.hi[r]:
            continue
        eps = float(np.median(data))
        if np.isfinite(core.lo[r]) and np.isfinite(core.hi[r]):
            eps = min(eps, 0.25 * (core.hi[r] - core.lo[r]))
        margins[r] = eps
    return margins


def aggregate_model(
    core: Core, cols: IntArray, forms: int, integer: bool, margins: FloatArray | None = None
) -> Model:
    """``forms`` disjoint forms pooled into one selection: rows scaled by ``forms`` (and
    narrowed by ``forms * margins`` when given, see `split_margins`)."""
    A = core.A[:, cols]
    scale = float(forms)
    enemy = core.row_source < 0
    room = np.zeros(core.m) if margins is None else margins * scale
    # Enemy rows aggregate to "at most `forms` of the set in the union" (one per form).
    return Model(
        cost=core.w[cols],
        lo=np.zeros(cols.shape[0]),
        hi=np.ones(cols.shape[0]),
        A=A,
        row_lo=np.where(enemy, -np.inf, core.lo * scale + room),
        row_hi=np.where(enemy, scale, core.hi * scale - room),
        integer=np.ones(cols.shape[0], dtype=bool) if integer else None,
        maximize=True,
        offset=core.fixed_w * scale,
    )


def lp_priced(
    core: Core,
    work: BoolArray,
    priced: BoolArray,
    forms: int,
    deadline: float,
    seed: int,
    margins: FloatArray | None = None,
) -> LpOutcome:
    """Solve the aggregated LP on `work`, adding priced-out columns until none is attractive.

    Column generation: after each LP, an item outside the working set with positive reduced
    cost ``w_j - A_j^T y`` would improve the LP, so it joins; when none does, the LP optimum
    over `work` is the LP optimum over all of `priced`.
    """
    work = work.copy()
    At = core.A.T.tocsr()
    for _ in range(50):
        cols = np.flatnonzero(work)
        res = run(aggregate_model(core, cols, forms, False, margins), deadline, seed=seed)
        if res.status != "optimal" or res.row_dual is None or res.x is None:
            return LpOutcome(res.status, None, None, None)
        d = core.w - At @ res.row_dual
        attractive = priced & ~work & (d > 1e-9)
        if not attractive.any():
            x = np.zeros(core.n)
            x[cols] = res.x
            return LpOutcome("optimal", res.objective, x, d)
        cand = np.flatnonzero(attractive)
        take = cand[np.argsort(-d[cand], kind="stable")[: max(500, cols.shape[0])]]
        work[take] = True
    return LpOutcome("time_limit", None, None, None)  # pragma: no cover - never seen


def candidates(lp: LpOutcome, work: BoolArray, extra: int) -> BoolArray:
    """The LP's support plus the `extra` items of highest reduced cost (least harm if used)."""
    assert lp.x is not None and lp.d is not None
    chosen = lp.x > 1e-9
    rest = np.flatnonzero(work & ~chosen)
    best = rest[np.argsort(-lp.d[rest], kind="stable")[:extra]]
    out = chosen.copy()
    out[best] = True
    return out


def certify(
    lp: LpOutcome, cand: BoolArray, pool: BoolArray, value: float, target: float
) -> tuple[float, BoolArray]:
    """Bound on solutions that use an item outside `cand`, and the items still worth adding.

    A solution that uses free item j is worth at most ``lp.bound + d[j]`` (the LP dual stays
    feasible when x_j is forced to 1; reduced-cost fixing). So every solution better than
    ``value / (1 - target)`` uses only items with ``bound + d >= value / (1 - target)``; items
    of `pool` outside `cand` meeting that are returned for the next round. The first value
    returned bounds every solution that uses some item outside `cand`.
    """
    assert lp.bound is not None and lp.d is not None
    outside = pool & ~cand
    if not outside.any():
        return -np.inf, outside
    scores = lp.bound + lp.d
    worth = outside & (scores >= value / (1.0 - target) - 1e-9)
    return float(scores[outside].max()), worth
