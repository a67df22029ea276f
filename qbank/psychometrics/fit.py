"""Item fit: infit and outfit mean squares (Wright & Masters), dichotomous and polytomous.

With E_pi = Σ_k k P_k(θ_p) and W_pi = Σ_k k² P_k(θ_p) − E_pi² at the person's EAP θ_p:

    outfit_i = mean_p z_pi²,  z_pi = (x_pi − E_pi)/√W_pi   (unweighted: sensitive to outliers)
    infit_i  = Σ_p (x_pi − E_pi)² / Σ_p W_pi                (information-weighted)

Both have expectation 1 under the model; values above ~1.3 mean noisier answers than the model
allows (e.g. a miskeyed or ambiguous item), below ~0.7 answers more deterministic than allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .irt import FloatArray, ItemParameters, category_probabilities
from .responses import as_response_matrix

CHUNK = 4096


@dataclass(frozen=True)
class ItemFit:
    """infit, outfit mean squares and the number of responses used, all (n_items,)."""

    infit: FloatArray
    outfit: FloatArray
    n: np.ndarray


def item_fit(responses: ArrayLike, params: ItemParameters, theta: ArrayLike) -> ItemFit:
    """Infit/outfit of every item given person abilities `theta` (n_persons,)."""
    x = as_response_matrix(responses)
    th = np.asarray(theta, dtype=float)
    n_items = params.n_items
    sq = np.zeros(n_items)
    var = np.zeros(n_items)
    z2 = np.zeros(n_items)
    k = np.arange(int(params.n_steps.max()) + 1, dtype=float)
    for start in range(0, x.shape[0], CHUNK):
        rows = slice(start, start + CHUNK)
        probs = category_probabilities(th[rows], params)  # (n, m, K+1)
        e = (probs @ k).T  # (m, n)
        w = np.maximum((probs @ k**2).T - e**2, 1e-12)
        xs = x[rows]
        seen = ~np.isnan(xs)
        resid2 = np.where(seen, (np.nan_to_num(xs) - e) ** 2, 0.0)
        sq += resid2.sum(axis=0)
        var += np.where(seen, w, 0.0).sum(axis=0)
        z2 += (resid2 / w).sum(axis=0)
    n = (~np.isnan(x)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return ItemFit(sq / var, z2 / n, n)


def empirical_icc(
    theta: ArrayLike, scores: ArrayLike, max_score: float, n_groups: int = 10
) -> tuple[FloatArray, FloatArray]:
    """Observed mean score/max in `n_groups` equal-count ability groups, for ICC plots.

    Returns (group mean θ, observed proportion), both (n_groups,); persons without a score
    for the item are left out.
    """
    th = np.asarray(theta, dtype=float)
    x = np.asarray(scores, dtype=float)
    ok = ~np.isnan(x)
    order = np.argsort(th[ok], kind="stable")
    parts = np.array_split(order, n_groups)
    centers = np.array([th[ok][p].mean() if p.size else np.nan for p in parts])
    props = np.array([x[ok][p].mean() / max_score if p.size else np.nan for p in parts])
    return centers, props
