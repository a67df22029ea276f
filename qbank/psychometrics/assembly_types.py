"""Data types of optimal test assembly: the neutral specification and the result.

The specification knows nothing about blueprints, syllabi or question banks: items are rows
of arrays, content rules are named linear constraints over a 0/1 selection vector. A
blueprint is turned into one by `qbank.papers.assemble.build_spec`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .irt import ItemParameters, expected_score, item_information

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Status = Literal["optimal", "feasible", "infeasible", "time_limit"]

_EMPTY_INT: IntArray = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class Constraint:
    """``lower <= coef @ x <= upper`` for every form, x the 0/1 selection of one form.

    Parameters
    ----------
    name : str
        Machine name, unique within a spec (e.g. ``"section_points:trading.2"``).
    coef : (n_items,) float array
        Coefficients; a 0/1 mask counts items, ``points * mask`` sums points.
    lower, upper : float
        Bounds; ``-inf``/``inf`` when one-sided.
    kind : str
        Machine-readable kind used to word messages: ``count``, ``points``, ``mean``
        (a mean over the form's items), or anything else (generic wording).
    label_zh, label_en : str
        What the constraint is about, for people: "碳交易 第二部分", "trading part 2".
    noun_zh, noun_en : str
        What is counted: "中级多选题" / "multiple-choice questions at level intermediate".
    details : mapping
        Structured facts for messages, e.g. ``{"excluded": 3}`` items of this group
        that exist but were ruled out before assembly (level, recency, exposure).
    """

    name: str
    coef: FloatArray
    lower: float = -np.inf
    upper: float = np.inf
    kind: str = "count"
    label_zh: str = ""
    label_en: str = ""
    noun_zh: str = ""
    noun_en: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_mask(
        cls,
        name: str,
        mask: ArrayLike,
        lower: float = -np.inf,
        upper: float = np.inf,
        **kwargs: Any,
    ) -> Constraint:
        """A count constraint over the items where `mask` is true."""
        coef = np.asarray(mask, dtype=bool).astype(np.float64)
        return cls(name, coef, float(lower), float(upper), **kwargs)


def information_and_expected(
    theta: FloatArray, params: ItemParameters
) -> tuple[FloatArray, FloatArray]:
    """`item_information` and `expected_score`, (n, Q) each, computed per number of steps.

    Grouping items by K and trimming the NaN padding keeps a pool of mostly dichotomous
    items from paying for the longest polytomous item's categories.
    """
    n = params.n_items
    info = np.zeros((n, theta.shape[0]))
    expected = np.zeros((n, theta.shape[0]))
    steps = params.n_steps
    for k in np.unique(steps):
        idx = np.flatnonzero(steps == k)
        kk = max(int(k), 1)
        sub = ItemParameters(params.a[idx], params.b[idx, :kk])
        info[idx] = item_information(theta, sub)
        expected[idx] = expected_score(theta, sub)
    return info, expected


@dataclass(frozen=True)
class AssemblySpec:
    """Everything the solver needs, as arrays over the n items of the pool.

    Parameters
    ----------
    ids : (n,) str array
    information : (n, Q) float array
        Item information at the θ points `theta`; ``theta[0]`` is the cut.
    theta : (Q,) float array
    points : (n,) float array
        Points of each item on the paper.
    b : (n,) float array
        Item location (mean of its steps), used to keep b-extreme items when pruning.
    constraints : tuple of Constraint
        Applied to every form.
    enemies : tuple of int arrays
        Enemy sets: at most one item of a set per form.
    forms : int
        Number of parallel forms.
    max_overlap : int
        Most items any two forms may share, not counting `fixed_in` items (which are
        in every form by definition).
    fixed_in, fixed_out : int arrays
        Item positions that must be in every form / in no form.
    theta_weights : (Q,) float array, optional
        Objective weights of the θ points; default all weight on ``theta[0]``.
    target_information : (Q,) float array, optional
        When given, minimise the largest absolute deviation of each form's information
        from this curve instead of maximising information.
    max_spread : float
        Parallel forms: the objective of any form is at most ``(1 + max_spread)`` times
        that of the weakest.
    expected : (n, Q) float array, optional
        Expected points of each item at each θ, to report expected scores.
    enemy_names : tuple of str
        Names of the enemy sets for messages (same order as `enemies`).
    """

    ids: NDArray[np.str_]
    information: FloatArray
    theta: FloatArray
    points: FloatArray
    b: FloatArray
    constraints: tuple[Constraint, ...] = ()
    enemies: tuple[IntArray, ...] = ()
    forms: int = 1
    max_overlap: int = 0
    fixed_in: IntArray = field(default_factory=lambda: _EMPTY_INT.copy())
    fixed_out: IntArray = field(default_factory=lambda: _EMPTY_INT.copy())
    theta_weights: FloatArray | None = None
    target_information: FloatArray | None = None
    max_spread: float = 0.05
    expected: FloatArray | None = None
    enemy_names: tuple[str, ...] = ()

    @classmethod
    def from_parameters(
        cls,
        ids: ArrayLike,
        params: ItemParameters,
        theta: ArrayLike,
        points: ArrayLike,
        **kwargs: Any,
    ) -> AssemblySpec:
        """Compute information and expected points at `theta` from IRT parameters.

        An item's expected points are ``points * E[X | θ] / K`` (K its highest raw score).
        """
        th = np.atleast_1d(np.asarray(theta, dtype=np.float64))
        pts = np.asarray(points, dtype=np.float64)
        info, raw = information_and_expected(th, params)
        k = np.maximum(params.n_steps, 1).astype(np.float64)
        expected = raw / k[:, None] * pts[:, None]
        b = np.nanmean(params.b, axis=1)
        return cls(
            ids=np.asarray(ids, dtype=np.str_),
            information=info,
            theta=th,
            points=pts,
            b=b,
            expected=expected,
            **kwargs,
        )

    @property
    def n_items(self) -> int:
        return int(self.ids.shape[0])

    def weights(self) -> FloatArray:
        """(Q,) objective weights of the θ points."""
        if self.theta_weights is not None:
            return np.asarray(self.theta_weights, dtype=np.float64)
        w = np.zeros(self.theta.shape[0])
        w[0] = 1.0
        return w

    def validate(self) -> None:
        """Raise ValueError when shapes or indices are inconsistent."""
        n = self.n_items
        if self.information.shape != (n, self.theta.shape[0]):
            raise ValueError("information must be (n_items, len(theta))")
        for name in ("points", "b"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"{name} must be (n_items,)")
        names = [c.name for c in self.constraints]
        if len(set(names)) != len(names):
            raise ValueError("constraint names must be unique")
        for c in self.constraints:
            if c.coef.shape != (n,):
                raise ValueError(f"constraint {c.name}: coef must be (n_items,)")
            if c.lower > c.upper:
                raise ValueError(f"constraint {c.name}: lower > upper")
        for arr in (*self.enemies, self.fixed_in, self.fixed_out):
            if arr.size and (arr.min() < 0 or arr.max() >= n):
                raise ValueError("item index out of range")
        if self.forms < 1 or self.max_overlap < 0:
            raise ValueError("forms must be >= 1 and max_overlap >= 0")
        if self.enemy_names and len(self.enemy_names) != len(self.enemies):
            raise ValueError("enemy_names must match enemies")
        if self.target_information is not None and self.target_information.shape != (
            self.theta.shape[0],
        ):
            raise ValueError("target_information must be (len(theta),)")
        if self.expected is not None and self.expected.shape != self.information.shape:
            raise ValueError("expected must be (n_items, len(theta))")


@dataclass(frozen=True)
class Form:
    """One assembled form: item positions (ascending), ids, information and points."""

    index: IntArray
    ids: tuple[str, ...]
    information: FloatArray  # (Q,) test information at spec.theta
    points: float
    expected_score: FloatArray | None  # (Q,) expected points at spec.theta


@dataclass(frozen=True)
class Conflict:
    """One computed cause of infeasibility: a constraint that had to be relaxed.

    `shortfall` is the amount of relaxation (in the constraint's own unit: items, points,
    b) summed over the forms listed in `forms`; `attainable` is the value the relaxed
    constraint reached (bound minus shortfall for a lower bound, plus for an upper).
    `available` is the number of eligible items the constraint can draw on (count
    constraints only).
    """

    constraint: str
    kind: str
    side: Literal["lower", "upper"]
    bound: float
    attainable: float
    shortfall: float
    forms: tuple[int, ...]
    available: float | None
    message_zh: str
    message_en: str
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SolveStats:
    """How the answer was reached (for benchmarks and logs)."""

    n_items: int
    n_after_dominance: int
    n_candidates: int
    lp_bound: float | None
    phases: tuple[str, ...]


@dataclass(frozen=True)
class AssemblyResult:
    """Outcome of `solve_assembly`.

    status : ``optimal`` (proved within `rel_gap`), ``feasible`` (a paper, gap above
        `rel_gap`), ``infeasible`` (proved; see `diagnosis`) or ``time_limit`` (stopped by the
        clock: `forms` is the best found, possibly empty).
    objective : weakest form's weighted information (max-information objective) or the
        largest deviation from the target curve (target objective).
    bound : proven bound on the objective of any feasible set of forms.
    gap : relative distance between objective and bound.
    """

    status: Status
    forms: tuple[Form, ...]
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    theta: FloatArray
    diagnosis: tuple[Conflict, ...] = ()
    stats: SolveStats | None = None
