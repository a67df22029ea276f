"""Weak priors on item parameters for Bayes-modal (MAP) calibration.

They exist so that small samples and extreme items stay finite, not to pull estimates: with a
few hundred responses per item they move a typical slope by well under its standard error.
Pass `priors=None` to an estimator to get plain marginal maximum likelihood (needed to compare
with published ML estimates).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ItemPriors:
    """log a ~ N(log_a_mean, log_a_sd²) and every step b_v ~ N(b_mean, b_sd²).

    The slope prior is the lognormal prior stated on log a (its mode is then a = exp(log_a_mean);
    the Jacobian term that would move the mode to exp(μ − σ²) is deliberately left out, so an
    item with no information stays at a = 1 rather than drifting towards 0).
    """

    log_a_mean: float = 0.0
    log_a_sd: float = 0.75
    b_mean: float = 0.0
    b_sd: float = 3.0

    def __post_init__(self) -> None:
        if self.log_a_sd <= 0 or self.b_sd <= 0:
            raise ValueError("prior standard deviations must be positive")


DEFAULT_PRIORS = ItemPriors()
