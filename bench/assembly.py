"""Benchmark of optimal paper assembly — one command, prints a table.

    .venv/bin/python bench/assembly.py [--seeds 5] [--quick] [--no-plain]

Synthetic pools of 2,000, 20,000 and 100,000 questions (7 parts × 5 sections, 60 % single
choice and 30 % multiple choice as 2PL, 10 % short answers as 5-step GPCM; 3 % retired, about
3 % over-exposed, 10 % used in the last five papers, 5 % in enemy groups; levels mixed) and
the default blueprint at the intermediate level (40 × 1 + 20 × 2 + 4 × 5 points, part ranges,
every section at least once, mean b in [−0.3, 0.3], recency 2, exposure ≤ 0.3).

For each size: time of `assemble` (blueprint → spec → HiGHS → forms; pool generation not
counted), median and max over seeds, the part of it spent building the spec, the largest
proven gap, the median information at θ_cut, and the
independent checker's verdict. Baseline: Moodle-style random draws per category (each type's
count spread over the parts in proportion to their sections, drawn at random from the
eligible questions of that part and type) — the share of such papers that meet every
blueprint rule, and their information at θ_cut. Then 5 parallel forms with no shared
question from 20,000, and (unless --no-plain) the plain formulation — every eligible
question handed to HiGHS, no pruning — for comparison.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qbank.papers.assemble import Pool, assemble, build_spec
from qbank.papers.blueprint import Blueprint
from qbank.papers.check import check_form, check_forms
from qbank.papers.filemode import (
    default_blueprint,
    synthetic_pool,
    synthetic_specialty,
)
from qbank.psychometrics.assembly_core import aggregate_model, build_core
from qbank.psychometrics.assembly_highs import run
from qbank.psychometrics.irt import item_information

SPECIALTY = synthetic_specialty()
BLUEPRINT = default_blueprint(SPECIALTY, "intermediate")


def baseline(bp: Blueprint, pool: Pool, draws: int, seed: int) -> tuple[float, float, float]:
    """Random papers by category: (share valid, mean info at θ_cut, mean info of valid ones)."""
    built = build_spec(bp, pool)
    eligible = built.eligibility.mask
    info = item_information(np.array([built.theta_cut]), pool.params)[:, 0]
    parts = [p.code for p in SPECIALTY.parts]
    sizes = np.array([len(p.sections) for p in SPECIALTY.parts], dtype=float)
    rng = np.random.default_rng(seed)
    groups = {}
    for rule in bp.types:
        quota = rule.count * sizes / sizes.sum()
        take = np.floor(quota).astype(int)
        for k in np.argsort(-(quota - take))[: rule.count - take.sum()]:
            take[k] += 1  # largest remainder
        for part, k in zip(parts, take, strict=True):
            members = np.flatnonzero(
                eligible & (pool.type == rule.type) & np.char.startswith(pool.section, part + ".")
            )
            groups[(rule.type, part)] = (members, int(k))
    valid, infos, valid_infos = 0, [], []
    for _ in range(draws):
        chosen = np.concatenate([rng.choice(m, k, replace=False) for m, k in groups.values()])
        ids = [str(pool.id[i]) for i in chosen]
        value = float(info[chosen].sum())
        infos.append(value)
        if not check_form(bp, pool, ids):
            valid += 1
            valid_infos.append(value)
    mean_valid = float(np.mean(valid_infos)) if valid_infos else float("nan")
    return valid / draws, float(np.mean(infos)), mean_valid


def plain(bp: Blueprint, pool: Pool, limit: float) -> tuple[float, str, float | None]:
    """Every eligible question straight into HiGHS (no dominance, no pricing)."""
    t0 = time.monotonic()
    spec = build_spec(bp, pool).spec
    core = build_core(spec, np.arange(spec.n_items, dtype=np.int64))
    assert core is not None
    cols = np.arange(core.n, dtype=np.int64)
    res = run(aggregate_model(core, cols, 1, True), t0 + limit, rel_gap=1e-3)
    gap = None
    if res.objective is not None and res.bound is not None:
        gap = (res.bound - res.objective) / res.bound
    return time.monotonic() - t0, res.status, gap


def one_form(n: int, seeds: int) -> dict[str, object]:
    times, spec_s, gaps, info, bad = [], [], [], [], 0
    for seed in range(seeds):
        pool = synthetic_pool(n, seed=seed)
        t0 = time.monotonic()
        res = assemble(BLUEPRINT, pool, seed=seed, time_limit=30)
        times.append(time.monotonic() - t0)
        t0 = time.monotonic()
        build_spec(BLUEPRINT, pool)  # the part of the time spent before the solver
        spec_s.append(time.monotonic() - t0)
        gaps.append(res.gap if res.gap is not None else float("nan"))
        info.append(float(res.forms[0].information[0]) if res.forms else float("nan"))
        bad += len(check_forms(BLUEPRINT, pool, [f.ids for f in res.forms])) + (not res.forms)
    share, base_info, base_valid = baseline(BLUEPRINT, synthetic_pool(n, seed=0), 200, 1)
    return {
        "n": n,
        "median_s": statistics.median(times),
        "max_s": max(times),
        "spec_s": statistics.median(spec_s),
        "gap": max(gaps),
        "info": statistics.median(info),
        "violations": bad,
        "baseline_valid": share,
        "baseline_info": base_info,
        "baseline_valid_info": base_valid,
    }


def parallel(n: int, forms: int, seeds: int) -> dict[str, object]:
    bp = replace(BLUEPRINT, forms=forms)
    times, gaps, spreads, info, bad, phases = [], [], [], [], 0, []
    for seed in range(seeds):
        pool = synthetic_pool(n, seed=seed)
        t0 = time.monotonic()
        res = assemble(bp, pool, seed=seed, time_limit=30)
        times.append(time.monotonic() - t0)
        values = [float(f.information[0]) for f in res.forms]
        gaps.append(res.gap if res.gap is not None else float("nan"))
        spreads.append((max(values) - min(values)) / max(values) if values else float("nan"))
        info.append(min(values) if values else float("nan"))
        bad += len(check_forms(bp, pool, [f.ids for f in res.forms])) + (len(values) != forms)
        phases.append(res.stats.phases if res.stats else ())
    return {
        "n": n,
        "forms": forms,
        "median_s": statistics.median(times),
        "max_s": max(times),
        "gap": max(gaps),
        "spread": max(spreads),
        "info": statistics.median(info),
        "violations": bad,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="2,000 and 20,000 only, 3 seeds")
    parser.add_argument("--no-plain", action="store_true", help="skip the plain formulation")
    args = parser.parse_args()
    seeds = 3 if args.quick else args.seeds
    sizes = (2_000, 20_000) if args.quick else (2_000, 20_000, 100_000)
    assemble(BLUEPRINT, synthetic_pool(500, seed=99))  # warm-up: imports, first HiGHS instance
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} CPUs, load average {load:.1f} at start; seeds {seeds}")
    print("One form, default blueprint (intermediate)")
    print(
        f"{'pool':>8} {'median s':>9} {'max s':>7} {'spec s':>7} {'gap':>8} {'info@cut':>9} "
        f"{'viol.':>5} | {'random valid':>12} {'random info':>11} {'valid info':>10}"
    )
    for n in sizes:
        r = one_form(n, seeds)
        print(
            f"{n:>8,} {r['median_s']:>9.2f} {r['max_s']:>7.2f} {r['spec_s']:>7.2f} "
            f"{r['gap']:>8.2e} {r['info']:>9.2f} {r['violations']:>5} | "
            f"{r['baseline_valid']:>12.1%} {r['baseline_info']:>11.2f} "
            f"{r['baseline_valid_info']:>10.2f}"
        )
    print()
    print("Parallel forms, no shared question")
    print(
        f"{'pool':>8} {'forms':>5} {'median s':>9} {'max s':>7} {'gap':>8} {'spread':>7} "
        f"{'min info':>9} {'viol.':>5}"
    )
    for n, forms in ((20_000, 5),) if args.quick else ((20_000, 5), (100_000, 5), (2_000, 5)):
        r = parallel(n, forms, 3)
        print(
            f"{n:>8,} {forms:>5} {r['median_s']:>9.2f} {r['max_s']:>7.2f} {r['gap']:>8.2e} "
            f"{r['spread']:>7.2%} {r['info']:>9.2f} {r['violations']:>5}"
        )
    if not args.no_plain:
        print()
        print("Plain formulation (all eligible questions to HiGHS, rel. gap 1e-3, limit 60 s)")
        for n in (20_000,):
            seconds, status, gap = plain(BLUEPRINT, synthetic_pool(n, seed=0), 60.0)
            print(
                f"{n:>8,} {seconds:>9.2f} s  {status}  gap {gap if gap is None else f'{gap:.2e}'}"
            )


if __name__ == "__main__":
    main()
