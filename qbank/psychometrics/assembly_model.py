"""The multi-form MILP: one 0/1 variable per (form, item), the weakest form's information
(or the largest deviation from a target curve) as objective."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from .assembly_core import Core
from .assembly_highs import Model

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def multiform_model(
    core: Core,
    cols: IntArray,
    forms: int,
    *,
    usage: str,
    max_overlap: int = 0,
    spread: float | None = None,
    target: tuple[FloatArray, FloatArray] | None = None,
) -> Model:
    """One 0/1 variable per (form, item), form-major, then pair-overlap variables, then t.

    usage : ``"once"`` (each item in at most one form), ``"exactly"`` (split: each item of
        `cols` in exactly one form) or ``"pairs"`` (any two forms share at most
        `max_overlap` items, via o_i ≥ x_fi + x_gi − 1).
    target : (info (len(cols), Q), curve (Q,) minus the fixed items' information) — minimise
        the largest absolute deviation t instead of maximising the weakest form.
    """
    n = cols.shape[0]
    F = forms
    A = core.A[:, cols]
    w = core.w[cols]
    blocks: list[sp.spmatrix] = [sp.kron(sp.identity(F), A, format="csr")]
    row_lo = [np.tile(core.lo, F)]
    row_hi = [np.tile(core.hi, F)]
    pairs = [(f, g) for f in range(F) for g in range(f + 1, F)] if usage == "pairs" else []
    n_pair_cols = len(pairs) * n
    nx = F * n
    ncol = nx + n_pair_cols + 1

    def pad(m: sp.spmatrix, width_before: int = 0) -> sp.spmatrix:
        m = sp.csr_matrix(m)
        return sp.hstack(
            [
                sp.csr_matrix((m.shape[0], width_before)),
                m,
                sp.csr_matrix((m.shape[0], ncol - width_before - m.shape[1])),
            ],
            format="csr",
        )

    blocks[0] = pad(blocks[0])
    if usage in ("once", "exactly"):
        blocks.append(pad(sp.hstack([sp.identity(n)] * F)))
        row_lo.append(np.ones(n) if usage == "exactly" else np.full(n, -np.inf))
        row_hi.append(np.ones(n))
    for p, (f, g) in enumerate(pairs):
        eye = sp.identity(n, format="csr")
        block = sp.hstack(
            [
                sp.csr_matrix((n, f * n)),
                eye,
                sp.csr_matrix((n, (g - f - 1) * n)),
                eye,
                sp.csr_matrix((n, (F - g - 1) * n + p * n)),
                -eye,
                sp.csr_matrix((n, ncol - nx - (p + 1) * n)),
            ],
            format="csr",
        )
        blocks.append(block)
        row_lo.append(np.full(n, -np.inf))
        row_hi.append(np.ones(n))
        total = np.zeros((1, ncol))
        total[0, nx + p * n : nx + (p + 1) * n] = 1.0
        blocks.append(sp.csr_matrix(total))
        row_lo.append(np.array([-np.inf]))
        row_hi.append(np.array([float(max_overlap)]))
    W = sp.kron(sp.identity(F), w.reshape(1, -1), format="csr")  # (F, nx) form information
    t_col = sp.csr_matrix(np.ones((F, 1)))
    if target is None:
        # t <= T_f for every form (T_f includes the fixed items): t is the weakest form's information (minus fixed items).
        blocks.append(sp.hstack([-W, sp.csr_matrix((F, n_pair_cols)), t_col], format="csr"))
        row_lo.append(np.full(F, -np.inf))
        row_hi.append(np.full(F, core.fixed_w))
        if spread is not None and F > 1:
            # T_f <= (1 + spread) t: parallel forms close in information, not just the weakest.
            blocks.append(
                sp.hstack([W, sp.csr_matrix((F, n_pair_cols)), -(1 + spread) * t_col], format="csr")
            )
            row_lo.append(np.full(F, -np.inf))
            row_hi.append(np.full(F, -core.fixed_w))
        order_w = W
    else:
        info, curve = target
        Q = curve.shape[0]
        for q in range(Q):
            Wq = sp.kron(sp.identity(F), info[:, q].reshape(1, -1), format="csr")
            zeros = sp.csr_matrix((F, n_pair_cols))
            blocks.append(sp.hstack([Wq, zeros, -t_col], format="csr"))
            row_lo.append(np.full(F, -np.inf))
            row_hi.append(np.full(F, curve[q]))
            blocks.append(sp.hstack([Wq, zeros, t_col], format="csr"))
            row_lo.append(np.full(F, curve[q]))
            row_hi.append(np.full(F, np.inf))
        order_w = sp.kron(sp.identity(F), info[:, 0].reshape(1, -1), format="csr")
    if F > 1 and usage != "pairs":
        # Symmetry breaking: forms are interchangeable, so insist T_1 >= T_2 >= ... >= T_F.
        diff = order_w[:-1] - order_w[1:]
        blocks.append(pad(diff))
        row_lo.append(np.zeros(F - 1))
        row_hi.append(np.full(F - 1, np.inf))
    A_all = sp.vstack(blocks, format="csr")
    cost = np.zeros(ncol)
    cost[-1] = 1.0
    integer = np.zeros(ncol, dtype=bool)
    integer[:nx] = True
    hi = np.ones(ncol)
    hi[-1] = np.inf
    lo = np.zeros(ncol)
    lo[-1] = 0.0 if target is not None else -np.inf
    return Model(
        cost=cost,
        lo=lo,
        hi=hi,
        A=A_all,
        row_lo=np.concatenate(row_lo),
        row_hi=np.concatenate(row_hi),
        integer=integer,
        maximize=target is None,
    )


def forms_from_x(x: FloatArray, cols: IntArray, forms: int) -> list[IntArray]:
    n = cols.shape[0]
    return [cols[x[f * n : (f + 1) * n] > 0.5] for f in range(forms)]


def start_from_forms(chosen: list[IntArray], cols: IntArray, ncol: int) -> FloatArray:
    n = cols.shape[0]
    start = np.zeros(ncol)
    where = {int(c): i for i, c in enumerate(cols)}
    for f, items in enumerate(chosen):
        for c in items.tolist():
            start[f * n + where[c]] = 1.0
    return start
