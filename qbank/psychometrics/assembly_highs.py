"""HiGHS plumbing for test assembly: build a model from arrays, run it under a hard deadline.

HiGHS honours its own ``time_limit`` most of the time, but it only looks at the clock at
certain points and has been seen to overrun on big models. So every run here has three
stops: the ``time_limit`` option; a callback on every simplex/IPM/MIP interrupt check that
asks HiGHS to stop once the wall-clock deadline has passed; and a watchdog — the solve runs
in a worker thread (highspy releases the GIL while it runs) and if it has not returned
``grace`` seconds after the deadline the caller gets the best solution the improving-solution
callback has seen so far and the worker is abandoned (it stops at its next interrupt check).
"""

from __future__ import annotations

import atexit
import threading
import time
from dataclasses import dataclass
from typing import Any, Literal

import highspy
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

RunStatus = Literal["optimal", "infeasible", "time_limit", "error"]

# Default extra wall-clock seconds allowed after the deadline before the watchdog gives up on
# the worker thread. Small: the callbacks normally stop HiGHS within milliseconds.
GRACE_SECONDS = 0.2

# Solves the watchdog walked away from. They stop at their next interrupt check; at exit we
# ask them to stop now and wait briefly, because a HiGHS thread still running while the
# interpreter shuts down aborts the process.
_ABANDONED: list[threading.Thread] = []
_SHUTDOWN = threading.Event()


def stop_abandoned(timeout: float = 5.0) -> bool:
    """Ask abandoned solves to stop and wait up to `timeout` s; True when none is left."""
    _SHUTDOWN.set()
    end = time.monotonic() + timeout
    try:
        for worker in list(_ABANDONED):
            worker.join(max(end - time.monotonic(), 0.0))
            if not worker.is_alive():
                _ABANDONED.remove(worker)
    finally:
        _SHUTDOWN.clear()
    return not _ABANDONED


atexit.register(stop_abandoned)


@dataclass(frozen=True)
class Model:
    """``max/min cost @ x`` s.t. ``row_lo <= A x <= row_hi``, ``lo <= x <= hi``."""

    cost: FloatArray
    lo: FloatArray
    hi: FloatArray
    A: Any  # scipy.sparse matrix (m, n)
    row_lo: FloatArray
    row_hi: FloatArray
    integer: BoolArray | None = None
    maximize: bool = True
    offset: float = 0.0


@dataclass(frozen=True)
class RunResult:
    """What came back from one HiGHS run.

    `x` is the best primal solution (None when there is none); `bound` the proven dual bound
    (for an LP, the optimum); `row_dual` only for LPs solved to optimality.
    """

    status: RunStatus
    x: FloatArray | None
    objective: float | None
    bound: float | None
    row_dual: FloatArray | None
    seconds: float
    abandoned: bool = False


def _to_highs_lp(model: Model) -> highspy.HighsLp:
    n = int(model.cost.shape[0])
    csc = sp.csc_matrix(model.A, dtype=np.float64)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = int(csc.shape[0])
    lp.col_cost_ = np.ascontiguousarray(model.cost, dtype=np.float64)
    lp.col_lower_ = np.ascontiguousarray(model.lo, dtype=np.float64)
    lp.col_upper_ = np.ascontiguousarray(model.hi, dtype=np.float64)
    lp.row_lower_ = np.ascontiguousarray(model.row_lo, dtype=np.float64)
    lp.row_upper_ = np.ascontiguousarray(model.row_hi, dtype=np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = int(csc.shape[0])
    lp.sense_ = highspy.ObjSense.kMaximize if model.maximize else highspy.ObjSense.kMinimize
    lp.offset_ = float(model.offset)
    if model.integer is not None and model.integer.any():
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
            for flag in model.integer.tolist()
        ]
    return lp


def run(
    model: Model,
    deadline: float,
    *,
    seed: int = 0,
    rel_gap: float = 1e-4,
    start: FloatArray | None = None,
    grace: float = GRACE_SECONDS,
    _highs_time_limit: float | None = None,
    _interrupts: bool = True,
) -> RunResult:
    """Solve `model` and return by ``deadline + grace`` (``time.monotonic()`` seconds).

    Parameters
    ----------
    model : Model
    deadline : float
        Absolute monotonic time by which HiGHS must stop.
    seed : int
        HiGHS ``random_seed``: same model + seed gives the same answer (unless the clock
        stops the run first).
    rel_gap : float
        ``mip_rel_gap``: stop once (bound − incumbent)/|bound| is below it.
    start : (n,) float array, optional
        A feasible solution handed to the MIP as its first incumbent.
    grace : float
        Seconds after the deadline before the watchdog abandons the solve.

    The underscored parameters exist for tests of the watchdog: they switch off HiGHS's own
    stops so that only the watchdog can end the call.
    """
    t0 = time.monotonic()
    remaining = deadline - t0
    if remaining <= 0:
        return RunResult("time_limit", None, None, None, None, 0.0)
    if model.cost.shape[0] == 0:
        # Nothing to choose (HiGHS calls this an empty model): feasible iff 0 meets every row.
        if np.all(model.row_lo <= 1e-9) and np.all(model.row_hi >= -1e-9):
            zero = np.zeros(0)
            duals = np.zeros(model.row_lo.shape[0])
            return RunResult("optimal", zero, model.offset, model.offset, duals, 0.0)
        return RunResult("infeasible", None, None, None, None, 0.0)
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h_limit = max(remaining, 1e-3) if _highs_time_limit is None else _highs_time_limit
    h.setOptionValue("time_limit", h_limit)
    h.setOptionValue("random_seed", int(seed) % 2147483647)
    h.setOptionValue("mip_rel_gap", float(rel_gap))
    h.passModel(_to_highs_lp(model))
    is_mip = model.integer is not None and bool(model.integer.any())
    if start is not None and is_mip:
        sol = highspy.HighsSolution()
        sol.col_value = np.asarray(start, dtype=np.float64).tolist()
        h.setSolution(sol)

    best: dict[str, Any] = {}
    lock = threading.Lock()

    def on_interrupt(event: Any) -> None:
        if _SHUTDOWN.is_set() or (_interrupts and time.monotonic() >= deadline):
            event.interrupt()

    def on_improving(event: Any) -> None:
        # Copy now: HiGHS reuses the buffer. Keep the dual bound known at that moment too.
        out = event.data_out
        with lock:
            best["x"] = np.array(out.mip_solution, dtype=np.float64)
            best["objective"] = float(out.objective_function_value)
            best["bound"] = float(out.mip_dual_bound)

    if is_mip:
        # Only the MIP-level check: simplex callbacks fire on every iteration of every node
        # LP and cost more than they save; the LPs inside a MIP are short, and HiGHS's own
        # time_limit plus the watchdog cover a long one.
        h.cbMipInterrupt.subscribe(on_interrupt)
    else:
        h.cbSimplexInterrupt.subscribe(on_interrupt)
        h.cbIpmInterrupt.subscribe(on_interrupt)

    if is_mip:
        h.cbMipImprovingSolution.subscribe(on_improving)

    done: list[Any] = []

    def work() -> None:
        try:
            done.append(h.run())
        except Exception as exc:  # pragma: no cover - reported as an error status
            done.append(exc)

    worker = threading.Thread(target=work, name="qbank-assembly-highs", daemon=True)
    worker.start()
    worker.join(timeout=max(deadline - time.monotonic(), 0.0) + grace)
    seconds = time.monotonic() - t0
    if worker.is_alive():
        # Watchdog: HiGHS overran. Answer with what the callback saw; never touch `h` again.
        _ABANDONED.append(worker)
        with lock:
            x = best.get("x")
            return RunResult(
                "time_limit",
                x,
                best.get("objective"),
                best.get("bound"),
                None,
                seconds,
                abandoned=True,
            )
    if not done or isinstance(done[0], Exception):
        return RunResult("error", None, None, None, None, seconds)
    return _collect(h, model, is_mip, seconds)


def _collect(h: highspy.Highs, model: Model, is_mip: bool, seconds: float) -> RunResult:
    status = h.getModelStatus()
    ms = highspy.HighsModelStatus
    info = h.getInfo()
    has_x = int(info.primal_solution_status) == 2  # kSolutionStatusFeasible
    sol = h.getSolution()
    x = np.asarray(sol.col_value, dtype=np.float64) if has_x else None
    objective = float(info.objective_function_value) if has_x else None
    bound: float | None
    if status == ms.kOptimal:
        if is_mip:
            bound = float(info.mip_dual_bound)
            return RunResult("optimal", x, objective, bound, None, seconds)
        row_dual = np.asarray(sol.row_dual, dtype=np.float64)
        return RunResult("optimal", x, objective, objective, row_dual, seconds)
    if status in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
        return RunResult("infeasible", None, None, None, None, seconds)
    stopped = {
        ms.kTimeLimit,
        ms.kInterrupt,
        ms.kIterationLimit,
        getattr(ms, "kHighsInterrupt", None),
    }
    if status in stopped:
        bound = float(info.mip_dual_bound) if is_mip else None
        if bound is not None and not np.isfinite(bound):
            bound = None
        return RunResult("time_limit", x, objective, bound, None, seconds)
    return RunResult("error", x, objective, None, None, seconds)
