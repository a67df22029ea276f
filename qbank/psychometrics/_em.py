"""The EM machinery behind `calibration.py`: problem set-up, E-step, M-step, SQUAREM loop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from . import _mstep
from .irt import FloatArray, ItemParameters, category_probabilities
from .priors import ItemPriors
from .quadrature import QuadratureGrid
from .responses import IndicatorCoding, indicator_coding, indicator_matrix

LOG_FLOOR = 1e-300
# Up to this many cells the E-step runs in float64 (exact traces, smooth numerical derivatives);
# above it in float32, which halves the time and memory of the two big products per iteration
# and changes estimates by < 1e-5.
EXACT_SIZE = 2_000_000


@dataclass(frozen=True)
class Anchors:
    """Items whose parameters are held fixed: `index` (m,) item columns, `params` their values."""

    index: NDArray[np.int64]
    params: ItemParameters

    def __post_init__(self) -> None:
        if np.asarray(self.index).shape[0] != self.params.n_items:
            raise ValueError("one parameter row per anchor item")


@dataclass(frozen=True)
class FitState:
    """Current item parameters and population N(mean, sd²)."""

    params: ItemParameters
    mean: float = 0.0
    sd: float = 1.0


@dataclass(frozen=True)
class EStep:
    """E-step at one state. post (N, Q) posterior weights; counts (C, Q) expected counts."""

    loglik: float
    post: FloatArray
    counts: FloatArray
    nodes: FloatArray


@dataclass(frozen=True)
class Convergence:
    """EM diagnostics: log-likelihood and largest parameter change after each iteration."""

    converged: bool
    n_iter: int
    max_change: float
    loglik_trace: FloatArray
    max_change_trace: FloatArray


@dataclass(frozen=True)
class EMProblem:
    x: FloatArray
    y: NDArray[np.floating]
    coding: IndicatorCoding
    model: str
    fixed: NDArray[np.bool_]
    anchor_params: ItemParameters | None
    anchor_index: NDArray[np.int64]
    weights: FloatArray | None
    priors: ItemPriors | None
    estimate_mean: bool
    estimate_sd: bool

    @classmethod
    def build(
        cls,
        x: FloatArray,
        n_steps: NDArray[np.int64],
        model: str,
        anchors: Anchors | None,
        weights: FloatArray | None,
        priors: ItemPriors | None,
        estimate_population: bool | None = None,
    ) -> EMProblem:
        n_items = x.shape[1]
        if n_steps.shape[0] != n_items:
            raise ValueError("max_scores needs one entry per item")
        answered = ~np.isnan(x)
        if np.any(answered.sum(axis=0) == 0):
            raise ValueError("every item needs at least one response")
        keep = answered.any(axis=1)  # persons with no response carry no information
        if not keep.all():  # copy only when someone must go: x can be large
            x = x[keep]
            if weights is not None:
                weights = weights[keep]
        coding = indicator_coding(n_steps)
        fixed = np.zeros(n_items, dtype=bool)
        anchor_params = None
        anchor_index = np.zeros(0, dtype=np.int64)
        if anchors is not None:
            anchor_index = np.asarray(anchors.index, dtype=np.int64)
            anchor_params = anchors.params
            fixed[anchor_index] = True
        has_anchors = bool(fixed.any())
        # Default: the Rasch scale is set by its unit slopes, so σ is free; anchors set the
        # scale of a linked run, so μ and σ are free. Otherwise N(0, 1) sets the scale.
        free_sd = has_anchors or model == "rasch"
        if estimate_population is not None:
            free_sd = estimate_population
        return cls(
            x=x,
            y=indicator_matrix(x, coding, dtype=np.float64 if x.size <= EXACT_SIZE else np.float32),
            coding=coding,
            model=model,
            fixed=fixed,
            anchor_params=anchor_params,
            anchor_index=anchor_index,
            weights=weights,
            priors=priors,
            estimate_mean=has_anchors and free_sd,
            estimate_sd=free_sd,
        )

    @property
    def free_groups(self) -> dict[int, NDArray[np.int64]]:
        """Free items grouped by their number of steps K."""
        free = np.flatnonzero(~self.fixed)
        ks = self.coding.n_steps[free]
        return {int(k): free[ks == k] for k in np.unique(ks)}

    def columns(self, items: NDArray[np.int64], k: int) -> NDArray[np.int64]:
        """Indicator columns (g, K+1) of items that all have K steps."""
        out: NDArray[np.int64] = self.coding.offsets[items][:, None] + np.arange(k + 1)[None, :]
        return out

    def start_state(self, init: ItemParameters | None) -> FitState:
        n_items = self.x.shape[1]
        k_max = int(self.coding.n_steps.max())
        b = np.full((n_items, k_max), np.nan)
        w = np.ones(self.x.shape[0]) if self.weights is None else self.weights
        totals = w.astype(self.y.dtype) @ self.y
        for k, items in self.free_groups.items():
            counts = totals[self.columns(items, k)] + 0.5
            # adjacent-category log-odds at the population mean: b_v ≈ −log(n_v / n_{v−1})
            b[items, :k] = np.clip(-np.log(counts[:, 1:] / counts[:, :-1]), -4, 4)
        a = np.ones(n_items)
        if init is not None:
            a = np.where(self.fixed, a, init.a)
            b[:, : init.b.shape[1]] = np.where(self.fixed[:, None], b[:, : init.b.shape[1]], init.b)
        if self.anchor_params is not None:
            a[self.anchor_index] = self.anchor_params.a
            kb = self.anchor_params.b.shape[1]
            b[self.anchor_index] = np.nan
            b[self.anchor_index, :kb] = self.anchor_params.b
        if self.model == "rasch":
            a[~self.fixed] = 1.0
        return FitState(ItemParameters(a, b))


def e_step(problem: EMProblem, state: FitState, grid: QuadratureGrid) -> EStep:
    """Posterior over the grid for every person and the expected category counts."""
    nodes = grid.rescaled(state.mean, state.sd).nodes
    probs = category_probabilities(nodes, state.params)  # (n, Q, K+1)
    log_p = np.log(np.maximum(probs[problem.coding.item, :, problem.coding.category], LOG_FLOOR))
    log_lik = (problem.y @ log_p.astype(problem.y.dtype)).astype(np.float64)
    log_lik += np.log(grid.weights)[None, :]
    top = log_lik.max(axis=1, keepdims=True)
    post = np.exp(log_lik - top)
    total = post.sum(axis=1, keepdims=True)
    post /= total
    ll_person = (np.log(total) + top)[:, 0]
    if problem.weights is None:
        loglik = float(ll_person.sum())
        weighted = post
    else:
        loglik = float(problem.weights @ ll_person)
        weighted = post * problem.weights[:, None]
    counts = (problem.y.T @ weighted.astype(problem.y.dtype)).astype(np.float64)
    return EStep(loglik, post, counts, nodes)


def m_step(problem: EMProblem, state: FitState, e: EStep) -> FitState:
    a = state.params.a.copy()
    b = state.params.b.copy()
    groups = problem.free_groups
    if problem.model == "1pl" and groups:
        first = next(iter(groups.values()))[0]
        data = [(b[items, :k], e.counts[problem.columns(items, k)]) for k, items in groups.items()]
        common, new_bs = _mstep.score_common_slope(float(a[first]), data, e.nodes, problem.priors)
        for (k, items), new_b in zip(groups.items(), new_bs, strict=True):
            a[items] = common
            b[items, :k] = new_b
    else:
        free_a = problem.model != "rasch"
        for k, items in groups.items():
            counts = e.counts[problem.columns(items, k)]
            a[items], b[items, :k] = _mstep.score_items(
                a[items], b[items, :k], counts, e.nodes, free_a, problem.priors
            )
    mean, sd = state.mean, state.sd
    if problem.estimate_mean or problem.estimate_sd:
        w = np.ones(e.post.shape[0]) if problem.weights is None else problem.weights
        m_p = e.post @ e.nodes
        v_p = e.post @ e.nodes**2 - m_p**2
        if problem.estimate_mean:
            mean = float(w @ m_p / w.sum())
        if problem.estimate_sd:
            sd = float(np.sqrt(w @ (v_p + (m_p - mean) ** 2) / w.sum()))
    return FitState(ItemParameters(a, b), mean, sd)


def log_prior(problem: EMProblem, state: FitState) -> float:
    pr = problem.priors
    if pr is None:
        return 0.0
    free = ~problem.fixed
    b = state.params.b[free]
    out = -0.5 * float(np.nansum((b - pr.b_mean) ** 2)) / pr.b_sd**2
    a = state.params.a[free]
    if problem.model == "2pl" or problem.model == "gpcm":
        out -= 0.5 * float(np.sum((np.log(a) - pr.log_a_mean) ** 2)) / pr.log_a_sd**2
    elif problem.model == "1pl" and a.size:
        out -= 0.5 * float((np.log(a[0]) - pr.log_a_mean) ** 2) / pr.log_a_sd**2
    return out


def pack(problem: EMProblem, state: FitState) -> FloatArray:
    """The free quantities as one vector (for SQUAREM extrapolation and change checks)."""
    free = ~problem.fixed
    parts = [state.params.b[free][~np.isnan(state.params.b[free])]]
    if problem.model in ("2pl", "gpcm"):
        parts.append(state.params.a[free])
    elif problem.model == "1pl" and free.any():
        parts.append(state.params.a[free][:1])
    if problem.estimate_mean:
        parts.append(np.array([state.mean]))
    if problem.estimate_sd:
        parts.append(np.array([np.log(state.sd)]))
    return np.concatenate(parts)


def unpack(problem: EMProblem, like: FitState, vec: FloatArray) -> FitState:
    free = np.flatnonzero(~problem.fixed)
    a = like.params.a.copy()
    b = like.params.b.copy()
    sub = b[free]
    mask = ~np.isnan(sub)
    sub[mask] = vec[: mask.sum()]
    b[free] = np.clip(sub, -_mstep.B_BOUND, _mstep.B_BOUND)
    pos = int(mask.sum())
    if problem.model in ("2pl", "gpcm"):
        a[free] = vec[pos : pos + free.size]
        pos += free.size
    elif problem.model == "1pl" and free.size:
        a[free] = vec[pos]
        pos += 1
    if problem.priors is not None and problem.model != "rasch":
        a[free] = np.maximum(a[free], 1e-3)  # the lognormal prior has no mass at a ≤ 0
    mean, sd = like.mean, like.sd
    if problem.estimate_mean:
        mean = float(vec[pos])
        pos += 1
    if problem.estimate_sd:
        sd = float(np.exp(vec[pos]))
    return FitState(ItemParameters(a, b), mean, sd)


def run_em(
    problem: EMProblem,
    state: FitState,
    grid: QuadratureGrid,
    max_iter: int,
    tol: float,
    accelerate: bool,
    progress: Callable[[int, float], None] | None,
) -> tuple[FitState, Convergence, EStep]:
    """Iterate to convergence; returns the final state, diagnostics and its E-step."""
    lls: list[float] = []
    changes: list[float] = []

    def em_map(s: FitState) -> tuple[FitState, float]:
        e = e_step(problem, s, grid)
        lls.append(e.loglik)
        return m_step(problem, s, e), e.loglik + log_prior(problem, s)

    converged = False
    while len(lls) < max_iter:
        s1, _obj0 = em_map(state)
        v0, v1 = pack(problem, state), pack(problem, s1)
        change = float(np.abs(v1 - v0).max(initial=0.0))
        changes.append(change)
        if progress is not None:
            progress(len(lls), change)
        if change < tol:
            state, converged = s1, True
            break
        if not accelerate or len(lls) + 2 > max_iter:
            state = s1
            continue
        s2, obj1 = em_map(s1)
        v2 = pack(problem, s2)
        changes.append(float(np.abs(v2 - v1).max(initial=0.0)))
        r, v = v1 - v0, v2 - 2 * v1 + v0
        alpha = -float(np.linalg.norm(r) / max(float(np.linalg.norm(v)), 1e-300))
        alpha = min(alpha, -1.0)
        trial = unpack(problem, s2, v0 - 2 * alpha * r + alpha**2 * v)
        s3, obj_trial = em_map(trial)
        changes.append(float(np.abs(pack(problem, s3) - v2).max(initial=0.0)))
        # SQUAREM is not monotone by itself: keep the jump only if it did not lose ground.
        state = s3 if obj_trial >= obj1 - 1e-9 * abs(obj1) else s2
    final = e_step(problem, state, grid)
    conv = Convergence(
        converged=converged,
        n_iter=len(lls),
        max_change=changes[-1] if changes else float("nan"),
        loglik_trace=np.asarray(lls),
        max_change_trace=np.asarray(changes),
    )
    return state, conv, final
