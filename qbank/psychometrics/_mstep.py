"""M-step of Bock–Aitkin EM: Fisher scoring of each item given expected category counts.

For item i with slope a and steps b_1..b_K the GPCM logits at node θ_q are
z_k = Σ_{v≤k} a (θ_q − b_v), so ∂z_k/∂a = kθ_q − Σ_{v≤k} b_v and ∂z_k/∂b_v = −a·[v ≤ k].
With r_kq the expected number of persons at node q answering in category k and n_q = Σ_k r_kq,
the expected complete-data log-likelihood Σ_q Σ_k r_kq log p_kq has

    gradient  g = Σ_q Σ_k (r_kq − n_q p_kq) J_kq
    Fisher    F = Σ_q n_q [Σ_k p_kq J_kq J_kqᵀ − m_q m_qᵀ],   m_q = Σ_k p_kq J_kq

(J_kq = ∂z_k/∂(a, b) at θ_q). F is the multinomial-logit information: positive semi-definite
whatever the current values, so scoring steps F⁻¹g never go uphill. Items with the same number
of steps are updated together as one batch of small (K+1)×(K+1) systems.
"""

from __future__ import annotations

import numpy as np

from .irt import FloatArray
from .priors import ItemPriors

MAX_STEP = 1.0  # per scoring step: keeps the first iterations from overshooting
B_BOUND = 12.0  # an item answered in one category only drifts here, not to infinity
A_BOUND = 8.0


def category_probs(a: FloatArray, b: FloatArray, nodes: FloatArray) -> FloatArray:
    """p (g, Q, K+1) for g items that all have K steps (no NaN padding)."""
    cum_b = np.concatenate([np.zeros((b.shape[0], 1)), np.cumsum(b, axis=1)], axis=1)
    k = np.arange(b.shape[1] + 1, dtype=float)
    z = a[:, None, None] * (k[None, None, :] * nodes[None, :, None] - cum_b[:, None, :])
    z -= z.max(axis=2, keepdims=True)
    ez = np.exp(z)
    out: FloatArray = ez / ez.sum(axis=2, keepdims=True)
    return out


def logit_jacobian(a: FloatArray, b: FloatArray, nodes: FloatArray, free_a: bool) -> FloatArray:
    """J (g, Q, K+1, P): ∂z_k/∂(a, b_1..b_K) at each node; P = K + 1, or K when a is fixed."""
    g, n_steps = b.shape
    q = nodes.shape[0]
    k = np.arange(n_steps + 1)
    cum_b = np.concatenate([np.zeros((g, 1)), np.cumsum(b, axis=1)], axis=1)
    # ∂z_k/∂b_v = −a for v ≤ k (v = 1..K)
    lower = (np.arange(1, n_steps + 1)[None, :] <= k[:, None]).astype(float)  # (K+1, K)
    jb = -a[:, None, None, None] * np.broadcast_to(lower, (g, q, n_steps + 1, n_steps))
    if not free_a:
        return np.ascontiguousarray(jb)
    ja = k[None, None, :] * nodes[None, :, None] - cum_b[:, None, :]
    return np.concatenate([ja[..., None], jb], axis=3)


def _dichotomous_derivatives(
    a: FloatArray, b: FloatArray, counts: FloatArray, nodes: FloatArray, free_a: bool
) -> tuple[FloatArray, FloatArray]:
    """The K = 1 case written out: J = (θ − b, −a), weights n·p(1 − p) (no 4-D arrays)."""
    dev = nodes[None, :] - b  # (g, Q); b is (g, 1)
    p = 0.5 * (1.0 + np.tanh(0.5 * a[:, None] * dev))
    n = counts[:, 0, :] + counts[:, 1, :]
    resid = counts[:, 1, :] - n * p
    w = n * p * (1.0 - p)
    g_b = -a * resid.sum(axis=1)
    i_bb = a**2 * w.sum(axis=1)
    if not free_a:
        return g_b[:, None], i_bb[:, None, None]
    g_a = (resid * dev).sum(axis=1)
    i_aa = (w * dev**2).sum(axis=1)
    i_ab = -a * (w * dev).sum(axis=1)
    grad = np.stack([g_a, g_b], axis=1)
    info = np.stack([np.stack([i_aa, i_ab], 1), np.stack([i_ab, i_bb], 1)], axis=1)
    return grad, info


def item_derivatives(
    a: FloatArray, b: FloatArray, counts: FloatArray, nodes: FloatArray, free_a: bool
) -> tuple[FloatArray, FloatArray]:
    """Gradient (g, P) and Fisher information (g, P, P) of Σ_q Σ_k r_kq log p_kq.

    counts : (g, K+1, Q) expected category counts r_kq.
    """
    if b.shape[1] == 1:
        return _dichotomous_derivatives(a, b, counts, nodes, free_a)
    p = category_probs(a, b, nodes)
    jac = logit_jacobian(a, b, nodes, free_a)
    r = np.transpose(counts, (0, 2, 1))  # (g, Q, K+1)
    n = r.sum(axis=2)
    grad = np.einsum("gqk,gqkp->gp", r - n[:, :, None] * p, jac)
    m = np.einsum("gqk,gqkp->gqp", p, jac)
    info = np.einsum("gqk,gqkp,gqkr->gpr", n[:, :, None] * p, jac, jac)
    info -= np.einsum("gqp,gqr->gpr", n[:, :, None] * m, m)
    return grad, info


def add_priors(
    a: FloatArray,
    b: FloatArray,
    grad: FloatArray,
    info: FloatArray,
    free_a: bool,
    priors: ItemPriors,
) -> None:
    """Add the log-prior's gradient and (positive) curvature in place."""
    first_b = 1 if free_a else 0
    grad[:, first_b:] -= (b - priors.b_mean) / priors.b_sd**2
    idx = np.arange(first_b, grad.shape[1])
    info[:, idx, idx] += 1.0 / priors.b_sd**2
    if free_a:
        var = priors.log_a_sd**2
        grad[:, 0] -= (np.log(a) - priors.log_a_mean) / (var * a)
        info[:, 0, 0] += 1.0 / (var * a**2)


def _solve(info: FloatArray, grad: FloatArray) -> FloatArray:
    # A tiny ridge keeps items with no information (all one category, no prior) solvable.
    size = info.shape[1]
    ridge = 1e-8 * (1.0 + np.abs(np.diagonal(info, axis1=1, axis2=2)).max(axis=1))
    step = np.linalg.solve(info + ridge[:, None, None] * np.eye(size), grad[..., None])[..., 0]
    return np.clip(step, -MAX_STEP, MAX_STEP)


def _apply(
    a: FloatArray, b: FloatArray, step: FloatArray, free_a: bool, priors: ItemPriors | None
) -> tuple[FloatArray, FloatArray]:
    if free_a:
        a_new = a + step[:, 0]
        # With a lognormal prior the slope lives on (0, ∞): halve steps that would leave it.
        if priors is not None:
            a_new = np.where(a_new <= 0.0, 0.5 * a, a_new)
        a_new = np.clip(a_new, -A_BOUND, A_BOUND)
        b_new = b + step[:, 1:]
    else:
        a_new = a
        b_new = b + step
    return a_new, np.clip(b_new, -B_BOUND, B_BOUND)


def item_objective(
    a: FloatArray, b: FloatArray, counts: FloatArray, nodes: FloatArray, priors: ItemPriors | None
) -> FloatArray:
    """Σ_q Σ_k r_kq log p_kq (+ log-prior) per item, (g,)."""
    if b.shape[1] == 1:
        z = a[:, None] * (nodes[None, :] - b)
        # log p1 = −log(1 + e^−z), log p0 = −log(1 + e^z)
        out: FloatArray = -(
            counts[:, 1] * np.logaddexp(0.0, -z) + counts[:, 0] * np.logaddexp(0.0, z)
        ).sum(1)
    else:
        p = category_probs(a, b, nodes)
        r = np.transpose(counts, (0, 2, 1))
        out = (r * np.log(np.maximum(p, 1e-300))).sum(axis=(1, 2))
    if priors is not None:
        out -= 0.5 * ((b - priors.b_mean) ** 2).sum(axis=1) / priors.b_sd**2
        out -= 0.5 * (np.log(np.maximum(a, 1e-300)) - priors.log_a_mean) ** 2 / priors.log_a_sd**2
    return out


def score_items(
    a: FloatArray,
    b: FloatArray,
    counts: FloatArray,
    nodes: FloatArray,
    free_a: bool,
    priors: ItemPriors | None,
    max_iter: int = 25,
    tol: float = 1e-7,
) -> tuple[FloatArray, FloatArray]:
    """Maximise each item's expected complete-data log-posterior by Fisher scoring.

    The M-step is solved to convergence (it costs O(items × Q), nothing next to an E-step), so
    the outer iteration is a true EM and its fixed point the exact MML/MAP estimate. Scoring
    is not globally convergent in (a, b) — far from the optimum (an item started at b = 7)
    a full step can overshoot and cycle — so a step is halved until the item's objective
    does not decrease.
    """
    a = a.copy()
    b = b.copy()
    active = np.ones(a.shape[0], dtype=bool)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        ai, bi, ci = a[idx], b[idx], counts[idx]
        grad, info = item_derivatives(ai, bi, ci, nodes, free_a)
        if priors is not None:
            add_priors(ai, bi, grad, info, free_a, priors)
        step = _solve(info, grad)
        before = item_objective(ai, bi, ci, nodes, priors)
        new_a, new_b = _apply(ai, bi, step, free_a, priors)
        for _halving in range(8):
            worse = item_objective(new_a, new_b, ci, nodes, priors) < before - 1e-10 * np.abs(
                before
            )
            if not worse.any():
                break
            step[worse] *= 0.5
            cand_a, cand_b = _apply(ai[worse], bi[worse], step[worse], free_a, priors)
            new_a[worse], new_b[worse] = cand_a, cand_b
        a[idx], b[idx] = new_a, new_b
        active[idx] = np.abs(step).max(axis=1) > tol
    return a, b


def score_common_slope(
    a: float,
    groups: list[tuple[FloatArray, FloatArray]],
    nodes: FloatArray,
    priors: ItemPriors | None,
    max_iter: int = 25,
    tol: float = 1e-7,
) -> tuple[float, list[FloatArray]]:
    """Joint Fisher scoring of a slope shared by all items (the 1PL) and every item's steps.

    groups : (b, counts) per number of steps K. The information matrix is an arrow: the common
    slope couples to every item, the items not to each other, so each Newton step is solved
    exactly by the Schur complement on the slope:
    Δa = (g_a − Σ_i f_iᵀ D_i⁻¹ g_i) / (F_aa − Σ_i f_iᵀ D_i⁻¹ f_i),  Δb_i = D_i⁻¹ (g_i − f_i Δa).
    """
    bs = [b.copy() for b, _ in groups]
    for _ in range(max_iter):
        num = 0.0
        den = 0.0
        parts = []
        for b, (_, counts) in zip(bs, groups, strict=True):
            a_vec = np.full(b.shape[0], a)
            grad, info = item_derivatives(a_vec, b, counts, nodes, free_a=True)
            if priors is not None:
                add_priors(a_vec, b, grad, info, free_a=True, priors=priors)
                # the slope prior belongs to the shared slope once, not once per item
                var = priors.log_a_sd**2
                grad[:, 0] += (np.log(a) - priors.log_a_mean) / (var * a)
                info[:, 0, 0] -= 1.0 / (var * a**2)
            d_inv_g = np.linalg.solve(info[:, 1:, 1:], grad[:, 1:, None])[..., 0]
            d_inv_f = np.linalg.solve(info[:, 1:, 1:], info[:, 1:, 0:1])[..., 0]
            num += float(grad[:, 0].sum() - np.einsum("gp,gp->", info[:, 0, 1:], d_inv_g))
            den += float(info[:, 0, 0].sum() - np.einsum("gp,gp->", info[:, 0, 1:], d_inv_f))
            parts.append((d_inv_g, d_inv_f))
        if priors is not None:
            var = priors.log_a_sd**2
            num -= (np.log(a) - priors.log_a_mean) / (var * a)
            den += 1.0 / (var * a**2)
        step_a = float(np.clip(num / max(den, 1e-12), -MAX_STEP, MAX_STEP))
        biggest = abs(step_a)
        for j, (d_inv_g, d_inv_f) in enumerate(parts):
            step_b = np.clip(d_inv_g - d_inv_f * step_a, -MAX_STEP, MAX_STEP)
            bs[j] = np.clip(bs[j] + step_b, -B_BOUND, B_BOUND)
            biggest = max(biggest, float(np.abs(step_b).max(initial=0.0)))
        new_a = a + step_a
        a = float(np.clip(new_a if new_a > 0 else 0.5 * a, 1e-3, A_BOUND))
        if biggest < tol:
            break
    return a, bs
