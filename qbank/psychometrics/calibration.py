"""Item calibration by marginal maximum likelihood (Bock–Aitkin EM), with optional MAP priors.

Models (one GPCM engine, see `irt.py`): `"2pl"`/`"gpcm"` free slope per item (dichotomous
items are the K = 1 case, so 2PL and GPCM items mix in one run); `"1pl"` one slope shared by
all items; `"rasch"` unit slopes (the partial credit model for polytomous items).

Scale. θ ~ N(μ, σ²) over a fixed 41-point grid (see `quadrature.py`). For 2PL/GPCM/1PL the
scale is set by μ = 0, σ = 1. For the Rasch model the slopes are fixed at 1, so the scale is set
by the unit slope and σ is estimated (μ = 0 still fixes the origin). With anchor items (held at
their bank values) the anchors set the scale and both μ and σ are estimated — the new items then
land on the bank's scale (linking by fixed-parameter calibration).

E-step: with Y the (persons × item-categories) indicator matrix (`responses.py`),
log L(θ_q) = Y @ log P[:, q] and the expected category counts are Yᵀ @ posterior — two dense
float32 matrix products per iteration, missing responses contributing nothing.
M-step: Fisher scoring per item to convergence (`_mstep.py`); population moments when free.
Acceleration: SQUAREM (Varadhan & Roland 2008, scheme S3) with a monotone fallback.
Standard errors: observed information by Louis' (1982) formula, see `information.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import information
from ._em import Anchors, Convergence, EMProblem, FitState, run_em
from .irt import FloatArray, ItemParameters
from .priors import DEFAULT_PRIORS, ItemPriors
from .quadrature import DEFAULT_POINTS, QuadratureGrid, normal_grid
from .responses import as_response_matrix, observed_steps

Model = Literal["rasch", "1pl", "2pl", "gpcm"]
ProgressCallback = Callable[[int, float], None]


@dataclass(frozen=True)
class Calibration:
    """Result of a calibration run.

    params : item parameters on the calibrated scale
    se_a, se_b : (n,), (n, K) standard errors; NaN for fixed values (anchors, Rasch slopes)
    population_mean, population_sd : θ distribution (0 and 1 unless estimated)
    loglik : marginal log-likelihood at the estimates (without the prior terms)
    """

    model: str
    params: ItemParameters
    se_a: FloatArray
    se_b: FloatArray
    population_mean: float
    population_sd: float
    loglik: float
    convergence: Convergence
    se_method: str
    is_anchor: NDArray[np.bool_]
    n_responses: NDArray[np.int64]
    grid: QuadratureGrid = field(repr=False)

    @property
    def population_grid(self) -> QuadratureGrid:
        """The quadrature grid of the estimated population (for EAP scoring)."""
        return self.grid.rescaled(self.population_mean, self.population_sd)


class IRTCalibrator:
    """Bock–Aitkin EM calibration, scikit-learn style: `fit(X)` returns self.

    Parameters
    ----------
    model : "rasch" | "1pl" | "2pl" | "gpcm" ("2pl" and "gpcm" are the same engine)
    priors : ItemPriors or None. None gives plain MML (for comparisons with published ML).
    n_points : quadrature points (41 by default).
    tol : convergence when the largest change of any parameter is below `tol`.
    accelerate : SQUAREM acceleration of the EM map.
    compute_se : compute standard errors (observed information, Louis' formula).
    max_scores : (n_items,) highest possible score K_i; default the highest observed.
    estimate_population : None (default) estimates σ for the Rasch model and μ, σ when anchors
        are given; False fixes N(0, 1) (e.g. the Rasch model with a = 1 and σ = 1); True
        estimates σ (and μ when anchors are given) for any model.

    Attributes after fit
    --------------------
    params_, se_a_, se_b_, population_mean_, population_sd_, loglik_, n_iter_, converged_,
    loglik_trace_, result_ (the full `Calibration`).
    """

    def __init__(
        self,
        model: Model = "2pl",
        *,
        priors: ItemPriors | None = DEFAULT_PRIORS,
        n_points: int = DEFAULT_POINTS,
        max_iter: int = 500,
        tol: float = 1e-4,
        accelerate: bool = True,
        compute_se: bool = True,
        max_scores: ArrayLike | None = None,
        estimate_population: bool | None = None,
        progress: ProgressCallback | None = None,
    ) -> None:
        self.model = model
        self.priors = priors
        self.n_points = n_points
        self.max_iter = max_iter
        self.tol = tol
        self.accelerate = accelerate
        self.compute_se = compute_se
        self.max_scores = max_scores
        self.estimate_population = estimate_population
        self.progress = progress

    def fit(
        self,
        X: ArrayLike,
        *,
        anchors: Anchors | None = None,
        sample_weight: ArrayLike | None = None,
        init: ItemParameters | None = None,
    ) -> IRTCalibrator:
        """Calibrate on a (n_persons, n_items) response matrix with NaN = not administered.

        sample_weight : (n_persons,) frequency of each row (e.g. response-pattern counts).
        init : starting values (otherwise from the observed category proportions).
        """
        if self.model not in ("rasch", "1pl", "2pl", "gpcm"):
            raise ValueError(f"unknown model {self.model!r}")
        x = as_response_matrix(X)
        n_steps = (
            observed_steps(x)
            if self.max_scores is None
            else np.asarray(self.max_scores, dtype=np.int64)
        )
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        problem = EMProblem.build(
            x, n_steps, self.model, anchors, weights, self.priors, self.estimate_population
        )
        start = problem.start_state(init)
        grid = normal_grid(self.n_points)
        state, conv, post = run_em(
            problem, start, grid, self.max_iter, self.tol, self.accelerate, self.progress
        )
        if self.compute_se:
            se_a, se_b, method = information.standard_errors(problem, state, grid, post)
        else:
            shape = state.params.b.shape
            se_a, se_b, method = np.full(shape[0], np.nan), np.full(shape, np.nan), "none"
        self.result_ = Calibration(
            model=self.model,
            params=state.params,
            se_a=se_a,
            se_b=se_b,
            population_mean=state.mean,
            population_sd=state.sd,
            loglik=post.loglik,
            convergence=conv,
            se_method=method,
            is_anchor=problem.fixed.copy(),
            n_responses=(~np.isnan(x)).sum(axis=0).astype(np.int64),
            grid=grid,
        )
        self.params_ = state.params
        self.se_a_ = se_a
        self.se_b_ = se_b
        self.population_mean_ = state.mean
        self.population_sd_ = state.sd
        self.loglik_ = post.loglik
        self.n_iter_ = conv.n_iter
        self.converged_ = conv.converged
        self.loglik_trace_ = conv.loglik_trace
        return self


def calibrate(
    responses: ArrayLike,
    model: Model = "2pl",
    *,
    anchors: Anchors | None = None,
    sample_weight: ArrayLike | None = None,
    priors: ItemPriors | None = DEFAULT_PRIORS,
    **options: object,
) -> Calibration:
    """Functional shortcut: `IRTCalibrator(model, priors=priors, **options).fit(...).result_`."""
    est = IRTCalibrator(model, priors=priors, **options)  # type: ignore[arg-type]
    return est.fit(responses, anchors=anchors, sample_weight=sample_weight).result_


def fit_state(result: Calibration) -> FitState:
    """The estimator state behind a result (used by scoring and fit statistics)."""
    return FitState(result.params, result.population_mean, result.population_sd)
