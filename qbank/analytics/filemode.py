"""File mode: calibrate from a long-format CSV of responses and write item and person files.

Pure functions for the CLI (`qbank calibrate responses.csv ...`): no Flask, no database.

Input: `person,item,score` with a header row, UTF-8 (with or without BOM) or GBK/GB18030; one
row per administered response; an absent row means the item was not administered. Scores are
whole numbers 0..K. Output `I.csv`: `item,a,b` (or `b1..bK` when any item is polytomous), their
standard errors, infit, outfit and n; `P.csv`: `person,theta,se` (EAP and posterior sd).
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qbank.psychometrics.ability import eap_scores, scoring_grid
from qbank.psychometrics.calibration import Calibration, IRTCalibrator, Model
from qbank.psychometrics.fit import ItemFit, item_fit

REQUIRED = ("person", "item", "score")
ENCODINGS = ("utf-8-sig", "gb18030")  # GB18030 is a superset of GBK
MAX_LISTED = 20
Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class FileProblem:
    """One problem in the input file; `line` is 1-based (the header is line 1)."""

    line: int | None
    code: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class ResponseFileError(ValueError):
    """The responses file cannot be used; `problems` lists every reason found."""

    def __init__(self, problems: list[FileProblem]) -> None:
        self.problems = tuple(problems)
        shown = [str(p) for p in problems[:MAX_LISTED]]
        more = len(problems) - len(shown)
        super().__init__("\n".join(shown + ([f"... and {more} more"] if more > 0 else [])))


@dataclass(frozen=True)
class ResponseTable:
    """persons (N,), items (n,) ids in first-seen order; scores (N, n) with NaN = absent."""

    persons: tuple[str, ...]
    items: tuple[str, ...]
    scores: np.ndarray
    encoding: str


@dataclass(frozen=True)
class ExcludedItem:
    item: str
    code: str  # "all_same_score" | "too_few_responses"
    message: str


@dataclass(frozen=True)
class FileRunReport:
    model: str
    n_persons: int
    n_items: int
    excluded: tuple[ExcludedItem, ...]
    converged: bool
    n_iter: int
    loglik: float
    encoding: str
    items_path: Path
    persons_path: Path | None
    seconds: float


def _decode(path: Path) -> tuple[str, str]:
    raw = path.read_bytes()
    for enc in ENCODINGS:
        try:
            return raw.decode(enc), enc.replace("-sig", "")
        except UnicodeDecodeError:
            continue
    raise ResponseFileError([FileProblem(None, "encoding", "the file is neither UTF-8 nor GBK")])


def read_responses(path: str | Path) -> ResponseTable:
    """Read and validate a long-format responses CSV into a persons × items matrix."""
    text, encoding = _decode(Path(path))
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise ResponseFileError([FileProblem(None, "empty", "the file is empty")])
    header = [h.strip().lower() for h in rows[0]]
    problems: list[FileProblem] = []
    unknown = [h for h in header if h not in REQUIRED]
    missing = [h for h in REQUIRED if h not in header]
    if unknown:
        problems.append(
            FileProblem(
                1,
                "unknown_column",
                f"unknown column(s) {', '.join(unknown)}; expected exactly: person,item,score",
            )
        )
    if missing:
        problems.append(FileProblem(1, "missing_column", f"missing column(s) {', '.join(missing)}"))
    if problems:
        raise ResponseFileError(problems)
    col = {name: header.index(name) for name in REQUIRED}
    seen: dict[tuple[str, str], int] = {}
    persons: dict[str, int] = {}
    items: dict[str, int] = {}
    entries: list[tuple[int, int, float]] = []
    for line, row in enumerate(rows[1:], start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(header):
            problems.append(
                FileProblem(line, "field_count", f"expected {len(header)} fields, found {len(row)}")
            )
            continue
        person, item, raw = (row[col[n]].strip() for n in REQUIRED)
        if not person or not item:
            problems.append(FileProblem(line, "empty_id", "person and item must not be empty"))
            continue
        try:
            score = float(raw)
        except ValueError:
            problems.append(FileProblem(line, "non_numeric", f"score {raw!r} is not a number"))
            continue
        if not math.isfinite(score) or score < 0 or score != round(score):
            problems.append(
                FileProblem(line, "bad_score", f"score {raw!r} must be a whole number 0 or more")
            )
            continue
        key = (person, item)
        if key in seen:
            problems.append(
                FileProblem(
                    line,
                    "duplicate",
                    f"duplicate response of person {person!r} to item {item!r} (first on line {seen[key]})",
                )
            )
            continue
        seen[key] = line
        entries.append(
            (persons.setdefault(person, len(persons)), items.setdefault(item, len(items)), score)
        )
    if problems:
        raise ResponseFileError(problems)
    if not entries:
        raise ResponseFileError([FileProblem(None, "no_rows", "the file has no responses")])
    scores = np.full((len(persons), len(items)), np.nan)
    idx = np.array([(p, i) for p, i, _ in entries])
    scores[idx[:, 0], idx[:, 1]] = [s for _, _, s in entries]
    return ResponseTable(tuple(persons), tuple(items), scores, encoding)


def exclusions(
    table: ResponseTable, min_responses: int
) -> tuple[np.ndarray, tuple[ExcludedItem, ...]]:
    """Items that cannot be calibrated: too few responses, or everyone with the same score."""
    x = table.scores
    n = (~np.isnan(x)).sum(axis=0)
    lo, hi = np.fmin.reduce(x, axis=0), np.fmax.reduce(x, axis=0)
    keep = np.ones(x.shape[1], dtype=bool)
    out = []
    for i, name in enumerate(table.items):
        if n[i] < min_responses:
            keep[i] = False
            out.append(
                ExcludedItem(
                    name,
                    "too_few_responses",
                    f"item {name}: only {n[i]} responses (need {min_responses}); not calibrated",
                )
            )
        elif lo[i] == hi[i]:
            keep[i] = False
            what = "right" if lo[i] > 0 else "wrong"
            out.append(
                ExcludedItem(
                    name,
                    "all_same_score",
                    f"item {name}: all {n[i]} candidates scored {lo[i]:g} (everyone {what}); not calibrated",
                )
            )
    return keep, tuple(out)


def _fmt(v: float) -> str:
    return "" if not np.isfinite(v) else f"{v:.6f}"


def write_items(path: Path, names: list[str], cal: Calibration, fit: ItemFit) -> None:
    k_max = cal.params.b.shape[1]
    b_cols = ["b"] if k_max == 1 else [f"b{v + 1}" for v in range(k_max)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["item", "a", *b_cols, "se_a", *[f"se_{c}" for c in b_cols], "infit", "outfit", "n"]
        )
        for i, name in enumerate(names):
            w.writerow(
                [
                    name,
                    _fmt(cal.params.a[i]),
                    *map(_fmt, cal.params.b[i]),
                    _fmt(cal.se_a[i]),
                    *map(_fmt, cal.se_b[i]),
                    _fmt(fit.infit[i]),
                    _fmt(fit.outfit[i]),
                    int(fit.n[i]),
                ]
            )


def write_persons(path: Path, persons: tuple[str, ...], theta: np.ndarray, se: np.ndarray) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["person", "theta", "se"])
        for name, t, s in zip(persons, theta, se, strict=True):
            w.writerow([name, _fmt(float(t)), _fmt(float(s))])


def calibrate_files(
    responses: str | Path,
    model: Model,
    items_out: str | Path,
    persons_out: str | Path | None = None,
    progress: Progress | None = None,
    *,
    min_responses: int = 20,
) -> FileRunReport:
    """Read, calibrate, score and write. Raises `ResponseFileError` for an unusable file.

    progress(stage, fraction) is called with stages "read", "calibrate", "score", "write" and
    fraction in [0, 1] of the whole run.
    """
    started = time.perf_counter()
    report = progress or (lambda stage, fraction: None)
    report("read", 0.0)
    table = read_responses(responses)
    keep, excluded = exclusions(table, min_responses)
    if not keep.any():
        raise ResponseFileError(
            [
                FileProblem(
                    None,
                    "nothing_to_calibrate",
                    "no item can be calibrated: " + "; ".join(e.message for e in excluded),
                )
            ]
        )
    x = table.scores[:, keep]
    names = [n for n, k in zip(table.items, keep, strict=True) if k]
    report("calibrate", 0.05)
    first: list[float] = []
    shown = [0.05]

    def on_iter(iteration: int, change: float) -> None:
        # EM converges roughly geometrically: progress on a log scale from the first change
        # down to the tolerance, never moving backwards (SQUAREM steps are not monotone).
        if not first:
            first.append(max(change, 1e-12))
        span = math.log(first[0] / 1e-4)
        done = math.log(first[0] / max(change, 1e-12)) / span if span > 0 else 1.0
        shown[0] = max(shown[0], 0.05 + 0.79 * min(max(done, 0.0), 1.0))
        report("calibrate", shown[0])

    est = IRTCalibrator(model, progress=on_iter).fit(x)
    cal = est.result_
    report("score", 0.85)
    # score on the calibrated population (σ ≠ 1 for the Rasch model)
    grid = scoring_grid(cal.population_mean, cal.population_sd)
    scores = eap_scores(x, cal.params, grid=grid)
    fit = item_fit(x, cal.params, scores.theta)
    report("write", 0.95)
    items_path = Path(items_out)
    write_items(items_path, names, cal, fit)
    persons_path = Path(persons_out) if persons_out is not None else None
    if persons_path is not None:
        write_persons(persons_path, table.persons, scores.theta, scores.sd)
    report("write", 1.0)
    return FileRunReport(
        model,
        len(table.persons),
        len(names),
        excluded,
        cal.convergence.converged,
        cal.convergence.n_iter,
        cal.loglik,
        table.encoding,
        items_path,
        persons_path,
        time.perf_counter() - started,
    )
