"""IRT calibration benchmark: qbank vs mirt 1.2.0 vs girth 0.8.0 on simulated data.

    .venv/bin/python bench/irt.py            # full table (several minutes on 2 cores)
    .venv/bin/python bench/irt.py --quick    # one repeat, no girth on (b)
    .venv/bin/python bench/irt.py --engines qbank --datasets ab   # a subset

Datasets (seeded, known parameters): (a) 2PL 2,000 × 100 complete; (b) 2PL 20,000 × 500 with 70 %
missing at random; (c) Rasch 5,000 × 200; (d) GPCM 5,000 × 40 mixed (20 dichotomous, 12 with 2
steps, 8 with 4 steps), 50 % missing. Every fit runs in a fresh subprocess (so peak memory is its
own: ru_maxrss after the fit minus ru_maxrss after loading the data) with BLAS/Rayon threads
limited to 1 or 2. Time is the median of the repeats. Accuracy: RMSE of a, b and θ against the
truth, raw and after mean–sigma linking of b to the true scale (a/A, A·b + B, A·θ + B); θ is
qbank's EAP (81 points) under each engine's item parameters, so θ RMSE reflects parameter
quality only. logL is each engine's own report and, comparably, the marginal log-likelihood of
its estimates evaluated by one evaluator (81-point grid, the engine's population).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GIRTH_BUDGET = 150.0  # seconds for one girth fit on (b)
SEED = 20260101


def make_datasets(folder: Path) -> None:
    from qbank.psychometrics.simulate import simulate_abilities, simulate_items, simulate_responses

    rng = np.random.default_rng(SEED)
    specs = {
        "a": dict(n_persons=2000, n_items=100, missing=0.0, rasch=False, steps=1),
        "b": dict(n_persons=20000, n_items=500, missing=0.7, rasch=False, steps=1),
        "c": dict(n_persons=5000, n_items=200, missing=0.0, rasch=True, steps=1),
        "d": dict(
            n_persons=5000,
            n_items=40,
            missing=0.5,
            rasch=False,
            steps=np.array([1] * 20 + [2] * 12 + [4] * 8),
        ),
    }
    for name, s in specs.items():
        items = simulate_items(s["n_items"], rng, n_steps=s["steps"], rasch=s["rasch"])
        theta = simulate_abilities(s["n_persons"], rng)
        x = simulate_responses(theta, items, rng, missing=s["missing"])
        np.savez(folder / f"{name}.npz", x=x, a=items.a, b=items.b, theta=theta)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def fit_qbank(x: np.ndarray, dataset: str) -> dict:
    from qbank.psychometrics.calibration import IRTCalibrator

    model = {"a": "2pl", "b": "2pl", "c": "rasch", "d": "gpcm"}[dataset]
    est = IRTCalibrator(model).fit(x)  # defaults: MAP with weak priors, SEs, SQUAREM
    return dict(
        a=est.params_.a,
        b=est.params_.b,
        mean=est.population_mean_,
        sd=est.population_sd_,
        loglik=est.loglik_,
        iters=est.n_iter_,
    )


def fit_mirt(x: np.ndarray, dataset: str) -> dict:
    import mirt

    if dataset == "d":
        steps = np.fmax.reduce(x, axis=0).astype(int)
        res = mirt.fit_mirt(x, model="GPCM", n_categories=list(steps + 1))
        b = res.model.parameters["steps"].astype(float)
        b = np.where(np.arange(b.shape[1])[None, :] < steps[:, None], b, np.nan)
    else:
        res = mirt.fit_mirt(x, model="1PL" if dataset == "c" else "2PL")
        b = res.model.parameters["difficulty"].reshape(-1, 1)
    return dict(
        a=res.model.parameters["discrimination"].ravel(),
        b=b,
        mean=0.0,
        sd=1.0,
        loglik=float(res.log_likelihood),
        iters=int(res.n_iterations),
    )


def fit_girth(x: np.ndarray, dataset: str) -> dict:
    import girth

    data = x.T.copy()
    if np.isnan(data).any():
        data = girth.tag_missing_data(np.nan_to_num(data, nan=-1).astype(int), [0, 1])
    else:
        data = data.astype(int)
    res = girth.rasch_mml(data) if dataset == "c" else girth.twopl_mml(data)
    a = np.broadcast_to(np.asarray(res["Discrimination"], dtype=float), (x.shape[1],)).copy()
    return dict(
        a=a,
        b=np.asarray(res["Difficulty"], dtype=float).reshape(-1, 1),
        mean=0.0,
        sd=1.0,
        loglik=float("nan"),
        iters=-1,
    )


ENGINES = {"qbank": fit_qbank, "mirt": fit_mirt, "girth": fit_girth}


def evaluate(x: np.ndarray, truth: np.lib.npyio.NpzFile, fit: dict) -> dict:
    from qbank.psychometrics._em import EMProblem, FitState, e_step
    from qbank.psychometrics.ability import eap_scores, scoring_grid
    from qbank.psychometrics.irt import ItemParameters
    from qbank.psychometrics.quadrature import normal_grid
    from qbank.psychometrics.responses import observed_steps

    params = ItemParameters(np.asarray(fit["a"], float), np.asarray(fit["b"], float))
    theta = eap_scores(x, params, grid=scoring_grid(fit["mean"], fit["sd"])).theta
    b_true, b_est = truth["b"], params.b
    ok = ~np.isnan(b_true) & ~np.isnan(b_est)
    big_a = np.std(b_true[ok]) / np.std(b_est[ok])
    big_b = np.mean(b_true[ok]) - big_a * np.mean(b_est[ok])

    def rmse(u: np.ndarray, v: np.ndarray) -> float:
        m = ~np.isnan(u) & ~np.isnan(v)
        return float(np.sqrt(np.mean((u[m] - v[m]) ** 2)))

    problem = EMProblem.build(x, observed_steps(x), "2pl", None, None, None)
    common = e_step(problem, FitState(params, fit["mean"], fit["sd"]), normal_grid(81)).loglik
    return dict(
        rmse_a=rmse(params.a, truth["a"]),
        rmse_b=rmse(b_est, b_true),
        rmse_theta=rmse(theta, truth["theta"]),
        link_a=rmse(params.a / big_a, truth["a"]),
        link_b=rmse(big_a * b_est + big_b, b_true),
        link_theta=rmse(big_a * theta + big_b, truth["theta"]),
        loglik_common=common,
    )


def worker(folder: Path, dataset: str, engine: str, threads: int, repeats: int) -> None:
    import tracemalloc

    import girth  # noqa: F401  (imports are not part of the fit's memory)
    import mirt  # noqa: F401
    from threadpoolctl import threadpool_limits

    import qbank.psychometrics.calibration  # noqa: F401

    data = np.load(folder / f"{dataset}.npz")
    x = np.array(data["x"])
    times = []
    with threadpool_limits(threads):
        # first run: memory (numpy reports its buffers to tracemalloc) and the RSS high-water mark
        base = rss_mb()
        tracemalloc.start()
        fit = ENGINES[engine](x, dataset)
        traced = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        peak = rss_mb() - base
        for _ in range(repeats):
            start = time.perf_counter()
            fit = ENGINES[engine](x, dataset)
            times.append(time.perf_counter() - start)
        out = dict(
            dataset=dataset,
            engine=engine,
            threads=threads,
            seconds=statistics.median(times),
            peak_mb=max(peak, traced),
            rss_mb=peak,
            traced_mb=traced,
            loglik_own=fit["loglik"],
            iters=fit["iters"],
        )
        out.update(evaluate(x, data, fit))
    print(json.dumps(out))


def run(
    folder: Path, dataset: str, engine: str, threads: int, repeats: int, budget: float | None
) -> dict:
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS"):
        env[var] = str(threads)
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        str(folder),
        dataset,
        engine,
        str(threads),
        str(repeats),
    ]
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, env=env, timeout=budget, check=False
        )
    except subprocess.TimeoutExpired:
        return dict(dataset=dataset, engine=engine, threads=threads, over_budget=budget)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        return dict(dataset=dataset, engine=engine, threads=threads, error=done.stderr[-300:])
    return dict(json.loads(lines[-1]))


def scoring_figures() -> list[str]:
    from threadpoolctl import threadpool_limits

    from qbank.psychometrics.ability import LearnerAbility, eap_scores
    from qbank.psychometrics.irt import ItemParameters

    rng = np.random.default_rng(SEED)
    lines = []
    data = np.load(FOLDER / "b.npz")
    params = ItemParameters(data["a"], data["b"])
    for threads in (1, 2):
        with threadpool_limits(threads):
            eap_scores(data["x"][:100], params)
            ts = []
            for _ in range(3):
                t = time.perf_counter()
                eap_scores(data["x"], params)
                ts.append(time.perf_counter() - t)
        lines.append(
            f"EAP of all 20,000 persons × 500 items (81 nodes), {threads} thread(s): "
            f"{statistics.median(ts):.3f} s"
        )
    drill = params.subset(rng.choice(500, 20, replace=False))
    scores = rng.integers(0, 2, 20).astype(float)
    state = LearnerAbility.start()
    state.update(drill, scores)
    reps = 2000
    t = time.perf_counter()
    for _ in range(reps):
        _ = state.update(drill, scores).theta
    batch = (time.perf_counter() - t) / reps
    t = time.perf_counter()
    for _ in range(reps // 20):
        s = LearnerAbility.start()
        for i in range(20):
            s = s.update(drill.subset([i]), scores[i : i + 1])
        _ = s.theta
    seq = (time.perf_counter() - t) / (reps // 20)
    lines.append(
        f"One learner after a 20-question drill: {batch * 1e3:.3f} ms in one update; "
        f"{seq * 1e3:.3f} ms answer by answer (20 updates)"
    )
    return lines


def table(rows: list[dict]) -> str:
    head = (
        "| data | engine | thr | time s | peak MB | RMSE a | RMSE b | RMSE θ | linked a | "
        "linked b | linked θ | logL (own) | logL (common) | iters |"
    )
    out = [head, "|" + "---|" * 14]
    for r in rows:
        if "over_budget" in r:
            out.append(
                f"| {r['dataset']} | {r['engine']} | {r['threads']} | > {r['over_budget']:.0f} "
                "(budget) |" + " |" * 10
            )
            continue
        if "error" in r:
            out.append(
                f"| {r['dataset']} | {r['engine']} | {r['threads']} | error: "
                f"{r['error'].splitlines()[-1] if r['error'] else '?'} |" + " |" * 10
            )
            continue
        out.append(
            f"| {r['dataset']} | {r['engine']} | {r['threads']} | {r['seconds']:.2f} | "
            f"{r['peak_mb']:.0f} | {r['rmse_a']:.4f} | {r['rmse_b']:.4f} | {r['rmse_theta']:.4f} | "
            f"{r['link_a']:.4f} | {r['link_b']:.4f} | {r['link_theta']:.4f} | "
            f"{r['loglik_own']:.1f} | {r['loglik_common']:.1f} | {r['iters']} |"
        )
    return "\n".join(out)


FOLDER = Path()


def main() -> None:
    global FOLDER
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", nargs=5)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--engines", default="qbank,mirt,girth", help="comma-separated subset")
    parser.add_argument("--datasets", default="abcd", help="subset of a, b, c, d")
    args = parser.parse_args()
    if args.worker:
        folder, dataset, engine, threads, repeats = args.worker
        worker(Path(folder), dataset, engine, int(threads), int(repeats))
        return
    with tempfile.TemporaryDirectory() as tmp:
        FOLDER = Path(tmp)
        make_datasets(FOLDER)
        rows = []
        plan = [
            ("a", "qbank", 3),
            ("a", "mirt", 3),
            ("a", "girth", 1),
            ("b", "qbank", 3),
            ("b", "mirt", 1),
            ("b", "girth", 1),
            ("c", "qbank", 3),
            ("c", "mirt", 3),
            ("c", "girth", 1),
            ("d", "qbank", 3),
            ("d", "mirt", 1),
        ]
        for dataset, engine, repeats in plan:
            if args.quick and engine == "girth" and dataset == "b":
                continue
            if engine not in args.engines.split(",") or dataset not in args.datasets:
                continue
            for threads in (1, 2):
                if engine == "girth" and threads == 2:
                    continue  # girth is single-threaded Python/SciPy; one run says it all
                budget = GIRTH_BUDGET if engine == "girth" and dataset == "b" else None
                reps = 1 if args.quick else repeats
                rows.append(run(FOLDER, dataset, engine, threads, reps, budget))
                print(table(rows[-1:]).splitlines()[-1], flush=True)
        print()
        print(table(rows))
        print()
        for line in scoring_figures():
            print(line)


if __name__ == "__main__":
    main()
