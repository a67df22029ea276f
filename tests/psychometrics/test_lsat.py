"""Published LSAT-6 and LSAT-7 estimates reproduced within ±0.005 (plain MML, priors off).

Published figures, all on the logistic metric (D = 1), θ ~ N(0, 1) unless stated:

LSAT-6, from R's ltm (Rizopoulos 2006, JSS 17(5); values as printed by ltm 1.2 for
`rasch(LSAT, constraint = cbind(6, 1))`, `rasch(LSAT)` and `ltm(LSAT ~ z1)`), cross-checked
with irtQ's `est_irt` documentation (1PLM / 2PLM with D = 1, 49 quadrature points):
  Rasch a = 1:  b = −2.872, −1.063, −0.258, −1.388, −2.219;  logLik −2473.054
  1PL common a: a = 0.7551;  b = −3.6153, −1.3224, −0.3176, −1.7301, −2.7802;  logLik −2466.938
  2PL: a = 0.8254, 0.7229, 0.8905, 0.6886, 0.6575;  b = −3.3597, −1.3696, −0.2799, −1.8659,
       −3.1236 (irtQ: a = 0.8256 … b = −3.3590 …);  logLik −2466.653
  Rasch with σ free (mirt `itemtype = "Rasch"`): b = −2.7306, −0.9989, −0.2399, −1.3068, −2.0999

LSAT-7, from R's mirt reference manual (`mirt(expand.table(LSAT7), 1)`, slope–intercept
d = −a·b) and mirt's test suite (1PL via `CONSTRAIN = (1-5, a1)`):
  2PL: a = 0.988, 1.081, 1.706, 0.765, 0.736;  d = 1.856, 0.808, 1.804, 0.486, 1.855;
       logLik −2658.805
  1PL: a = 1.01;  d = 1.868, 0.791, 1.461, 0.521, 1.993
"""

from __future__ import annotations

import numpy as np
import pytest

from qbank.psychometrics._em import EMProblem, FitState, e_step
from qbank.psychometrics.calibration import IRTCalibrator
from qbank.psychometrics.irt import ItemParameters
from qbank.psychometrics.quadrature import normal_grid

from .lsat_data import LSAT6, LSAT7, PATTERNS

TOL = 0.005


def fit(model: str, freq: np.ndarray, **kw: object) -> IRTCalibrator:
    est = IRTCalibrator(model, priors=None, tol=1e-6, **kw)  # type: ignore[arg-type]
    return est.fit(PATTERNS, sample_weight=freq)


def test_lsat6_rasch_unit_slope_unit_variance() -> None:
    est = fit("rasch", LSAT6, estimate_population=False)
    b = [-2.87197, -1.06303, -0.25761, -1.38806, -2.21878]
    np.testing.assert_allclose(est.params_.b[:, 0], b, atol=TOL)
    assert est.loglik_ == pytest.approx(-2473.054, abs=TOL)


def test_lsat6_one_parameter_logistic() -> None:
    est = fit("1pl", LSAT6)
    np.testing.assert_allclose(est.params_.a, 0.75513, atol=TOL)
    b = [-3.61527, -1.32242, -0.31763, -1.73009, -2.78017]
    np.testing.assert_allclose(est.params_.b[:, 0], b, atol=TOL)
    assert est.loglik_ == pytest.approx(-2466.938, abs=TOL)


def test_lsat6_rasch_with_free_variance_is_the_1pl_rescaled() -> None:
    est = fit("rasch", LSAT6)
    b = [-2.7306, -0.9989, -0.2399, -1.3068, -2.0999]
    np.testing.assert_allclose(est.params_.b[:, 0], b, atol=TOL)
    assert est.population_sd_ == pytest.approx(0.7551, abs=TOL)
    assert est.loglik_ == pytest.approx(-2466.938, abs=TOL)


def test_lsat6_two_parameter_logistic() -> None:
    est = fit("2pl", LSAT6)
    a = [0.82537, 0.72295, 0.89047, 0.68855, 0.65745]
    b = [-3.35973, -1.36965, -0.27990, -1.86592, -3.12357]
    np.testing.assert_allclose(est.params_.a, a, atol=TOL)
    np.testing.assert_allclose(est.params_.b[:, 0], b, atol=TOL)
    assert est.loglik_ == pytest.approx(-2466.653, abs=TOL)
    assert est.converged_


def test_lsat7_two_parameter_logistic() -> None:
    est = fit("2pl", LSAT7)
    a = est.params_.a
    d = -a * est.params_.b[:, 0]
    np.testing.assert_allclose(a, [0.988, 1.081, 1.706, 0.765, 0.736], atol=TOL)
    np.testing.assert_allclose(d, [1.856, 0.808, 1.804, 0.486, 1.855], atol=TOL)
    assert est.loglik_ == pytest.approx(-2658.805, abs=TOL)


def test_lsat7_one_parameter_logistic() -> None:
    est = fit("1pl", LSAT7)
    a = est.params_.a
    np.testing.assert_allclose(a, 1.01, atol=TOL)
    d = -a * est.params_.b[:, 0]
    np.testing.assert_allclose(d, [1.868, 0.791, 1.461, 0.521, 1.993], atol=TOL)


def test_lsat7_rasch_with_free_variance_matches_the_1pl() -> None:
    # Same model, other identification: b_rasch = a·b_1pl, σ = a, same log-likelihood.
    one = fit("1pl", LSAT7)
    rasch = fit("rasch", LSAT7)
    np.testing.assert_allclose(rasch.params_.b, one.params_.a[0] * one.params_.b, atol=TOL)
    assert rasch.population_sd_ == pytest.approx(one.params_.a[0], abs=TOL)
    assert rasch.loglik_ == pytest.approx(one.loglik_, abs=TOL)


def test_standard_errors_equal_the_inverse_numerical_hessian() -> None:
    # Louis' observed information must equal −∂²logL/∂φ² of the marginal likelihood itself.
    est = fit("2pl", LSAT7)
    problem = EMProblem.build(PATTERNS, np.ones(5, dtype=np.int64), "2pl", None, LSAT7, None)
    grid = normal_grid()

    def loglik(vec: np.ndarray) -> float:
        params = ItemParameters(vec[:5], vec[5:, None])
        return e_step(problem, FitState(params), grid).loglik

    phi = np.concatenate([est.params_.a, est.params_.b[:, 0]])
    h = 1e-4
    hess = np.zeros((10, 10))
    for i in range(10):
        for j in range(10):
            ei, ej = np.eye(10)[i] * h, np.eye(10)[j] * h
            hess[i, j] = (
                loglik(phi + ei + ej)
                - loglik(phi + ei - ej)
                - loglik(phi - ei + ej)
                + loglik(phi - ei - ej)
            ) / (4 * h * h)
    se = np.sqrt(np.diag(np.linalg.inv(-hess)))
    np.testing.assert_allclose(est.se_a_, se[:5], rtol=0.01)
    np.testing.assert_allclose(est.se_b_[:, 0], se[5:], rtol=0.01)
    assert est.result_.se_method == "louis"


def test_lsat6_standard_errors_close_to_published() -> None:
    # irtQ est_irt 1PLM (D = 1): se(a) 0.0685, se(b) 0.3197 0.1420 0.0977 0.1682 0.2498;
    # its SEs come from another information estimate, hence the 0.01 tolerance.
    est = fit("1pl", LSAT6)
    np.testing.assert_allclose(est.se_b_[:, 0], [0.3197, 0.1420, 0.0977, 0.1682, 0.2498], atol=0.01)
    np.testing.assert_allclose(est.se_a_, 0.0685, atol=0.01)


def test_em_trace_is_monotone_without_acceleration() -> None:
    est = fit("2pl", LSAT7, accelerate=False)
    trace = est.loglik_trace_
    assert np.all(np.diff(trace) > -1e-8)
