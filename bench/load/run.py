"""Exam-week load on a production-like deployment: gunicorn instances sharing one database,
simulated learners sitting mock exams through the API, then a check in the database that every
acknowledged answer is stored with its last value and every hand-in scored exactly once.

    .venv/bin/python bench/load/run.py                          # 300 learners, PostgreSQL, 2 instances
    .venv/bin/python bench/load/run.py --kill                   # … and kill -9 one instance mid-run
    .venv/bin/python bench/load/run.py --db sqlite --instances 1
    .venv/bin/python bench/load/run.py --learners 50 --answers 10   # a quick look

PostgreSQL: a private server is started on a spare port (as in scripts/test), unless --pg-url is
given. Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    retries: int = 0
    acked: dict[tuple[int, int], dict] = field(default_factory=dict)  # (attempt, pos) → answer
    submitted: dict[int, float] = field(default_factory=dict)  # attempt → score
    requests: int = 0


def start_postgres(work: Path, port: int) -> tuple[str, callable]:
    pgbin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    data = work / "pg"
    data.mkdir()
    root = os.geteuid() == 0

    def as_pg(*cmd: str) -> None:
        full = ["runuser", "-u", "postgres", "--", *cmd] if root else list(cmd)
        subprocess.run(full, check=True, capture_output=True)

    if root:
        shutil.chown(work, "postgres", "postgres")
        shutil.chown(data, "postgres", "postgres")
    as_pg(str(pgbin / "initdb"), "-D", str(data / "d"), "-U", "postgres", "-A", "trust",
          "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
    as_pg(str(pgbin / "pg_ctl"), "-D", str(data / "d"), "-l", str(data / "log"), "-w", "-o",
          f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c max_connections=300 "
          "-c shared_buffers=256MB -c synchronous_commit=on", "start")
    as_pg(str(pgbin / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "qbank")

    def stop() -> None:
        as_pg(str(pgbin / "pg_ctl"), "-D", str(data / "d"), "-m", "fast", "stop")

    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/qbank", stop


def prepare(env: dict[str, str], learners: int) -> list[str]:
    """Schema, content and learner accounts with API tokens (done in-process)."""
    subprocess.run([str(VENV_BIN / "qbank"), "db", "upgrade"], env=env, check=True,
                   capture_output=True)
    subprocess.run([str(VENV_BIN / "qbank"), "load-content"], env=env, check=True,
                   capture_output=True)
    code = f"""
import json, sys
from qbank import create_app
from qbank.accounts.models import Role
from qbank.accounts.services import create_user, issue_api_token
from qbank.db import db
app = create_app({{"PASSWORD_HASH_TIME_COST": 1, "PASSWORD_HASH_MEMORY_KIB": 1024}})
specialties = ["management", "monitoring", "trading", "asset", "consulting", "sink", "assessment"]
tokens = []
with app.app_context():
    for i in range({learners}):
        u = create_user(db.session, f"load{{i:04d}}", "load-pass-1", roles=[Role.LEARNER],
                        specialty=specialties[i % 7], level=["junior", "intermediate", "senior"][i % 3])
        tokens.append(issue_api_token(db.session, u, "load")[0])
    db.session.commit()
print(json.dumps(tokens))
"""
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True,
                         text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def start_instance(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-w", str(workers), "--threads", "4", "-b",
         f"127.0.0.1:{port}", "--timeout", "60", "qbank:create_app()"],
        env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)


def wait_ready(port: int, timeout: float = 60) -> None:
    end = time.time() + timeout
    while time.time() < end:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"instance on {port} did not start")


async def call(client: httpx.AsyncClient, bases: list[str], primary: int, method: str,
               path: str, kind: str, stats: Stats, **kw) -> httpx.Response:
    """One request; on a connection failure or a 5xx, the same request (same idempotency key)
    is retried against the next instance, as the learner's browser does."""
    order = bases[primary:] + bases[:primary]
    delay = 0.2
    for attempt in range(12):
        base = order[attempt % len(order)]
        started = time.perf_counter()
        try:
            response = await client.request(method, base + path, **kw)
        except httpx.HTTPError:
            stats.errors[kind + ":connection"] += 1
            stats.retries += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, 3)
            continue
        stats.requests += 1
        stats.latencies[kind].append(time.perf_counter() - started)
        if response.status_code >= 500:
            stats.errors[kind + f":{response.status_code}"] += 1
            stats.retries += 1
            await asyncio.sleep(delay)
            continue
        return response
    raise RuntimeError(f"{method} {path} kept failing")


async def learner(n: int, token: str, bases: list[str], args: argparse.Namespace,
                  stats: Stats, rng: random.Random) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    primary = n % len(bases)
    limits = httpx.Limits(max_connections=2)
    async with httpx.AsyncClient(headers=headers, timeout=30, limits=limits) as client:
        await asyncio.sleep(rng.uniform(0, args.ramp))
        r = await call(client, bases, primary, "POST", "/api/v1/sprints", "start", stats, json={})
        if r.status_code != 201:
            stats.errors[f"start:{r.status_code}"] += 1
            return
        exam = r.json()
        aid, items = exam["id"], exam["items"][: args.answers]
        seq: dict[int, int] = defaultdict(int)
        for item in items:
            await asyncio.sleep(rng.uniform(args.think_min, args.think_max))
            changes = 2 if rng.random() < 0.15 else 1  # some learners change their answer
            for _ in range(changes):
                if item["type"] == "short":
                    answer = {"text": f"答案{rng.randint(0, 10**6)}：碳排放核查与配额清缴"}
                elif item["type"] == "single":
                    answer = {"keys": [rng.choice(item["options"])["key"]]}
                else:
                    keys = [o["key"] for o in item["options"]]
                    answer = {"keys": sorted(rng.sample(keys, rng.randint(1, len(keys))))}
                seq[item["position"]] += 1
                body = {"answer": answer, "seq": seq[item["position"]], "key": uuid.uuid4().hex}
                r = await call(client, bases, primary, "PUT",
                               f"/api/v1/sprints/{aid}/items/{item['position']}", "save",
                               stats, json=body)
                if r.status_code == 200:
                    stats.acked[(aid, item["position"])] = answer
                else:
                    stats.errors[f"save:{r.status_code}"] += 1
            if rng.random() < 0.03:  # a reload of the exam page
                await call(client, bases, primary, "GET", f"/api/v1/sprints/{aid}", "reload",
                           stats)
        r = await call(client, bases, primary, "POST", f"/api/v1/sprints/{aid}/submit",
                       "submit", stats)
        if r.status_code == 200:
            stats.submitted[aid] = r.json()["score"]
        # a second hand-in (a double click) must not score again
        again = await call(client, bases, primary, "POST", f"/api/v1/sprints/{aid}/submit",
                           "submit", stats)
        if again.status_code != 200 or again.json()["score"] != stats.submitted.get(aid):
            stats.errors["submit:changed"] += 1


def verify(env: dict[str, str], stats: Stats) -> dict[str, int]:
    code = """
import json, sys
from qbank import create_app
from qbank.db import db
from qbank.practice.models import Attempt, AttemptItem
from sqlalchemy import select
app = create_app()
out = {}
with app.app_context():
    rows = db.session.execute(select(AttemptItem.attempt_id, AttemptItem.position,
                                     AttemptItem.answer)).all()
    out["answers"] = [[a, p, ans] for a, p, ans in rows]
    out["attempts"] = [[a.id, a.status, a.score, a.learner_id] for a in db.session.scalars(select(Attempt))]
print(json.dumps(out))
"""
    res = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True,
                         text=True)
    data = json.loads(res.stdout.strip().splitlines()[-1])
    stored = {(a, p): ans for a, p, ans in data["answers"]}
    lost = sum(1 for key, ans in stats.acked.items() if stored.get(key) != ans)
    attempts = data["attempts"]
    per_learner = defaultdict(int)
    for _, _, _, learner_id in attempts:
        per_learner[learner_id] += 1
    not_scored = sum(1 for aid, status, score, _ in attempts if status != "submitted" or score is None)
    changed = sum(1 for aid, _, score, _ in attempts
                  if aid in stats.submitted and score != stats.submitted[aid])
    return {"acknowledged": len(stats.acked), "lost_or_stale": lost, "attempts": len(attempts),
            "not_scored": not_scored, "score_changed_after_ack": changed,
            "learners_with_two_attempts": sum(1 for n in per_learner.values() if n > 1)}


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return 1000 * values[min(len(values) - 1, int(q * len(values)))]


async def drive(args: argparse.Namespace, tokens: list[str], bases: list[str], stats: Stats,
                on_progress) -> float:
    rng = random.Random(args.seed)
    started = time.perf_counter()
    tasks = [asyncio.create_task(learner(i, t, bases, args, stats, random.Random(rng.random())))
             for i, t in enumerate(tokens)]
    watcher = asyncio.create_task(on_progress())
    await asyncio.gather(*tasks)
    watcher.cancel()
    return time.perf_counter() - started


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    p.add_argument("--pg-url")
    p.add_argument("--learners", type=int, default=300)
    p.add_argument("--answers", type=int, default=64, help="questions answered per learner")
    p.add_argument("--instances", type=int, default=2)
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    p.add_argument("--think-min", type=float, default=1.0)
    p.add_argument("--think-max", type=float, default=3.0)
    p.add_argument("--ramp", type=float, default=60.0, help="seconds over which learners start")
    p.add_argument("--kill", action="store_true", help="kill -9 instance 1 mid-run, restart it")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--port", type=int, default=8101)
    args = p.parse_args()

    work = Path(tempfile.mkdtemp(prefix="qbank-load-"))
    stop_pg = None
    env = dict(os.environ, QBANK_INSTANCE_PATH=str(work / "instance"),
               QBANK_SECRET_KEY="load-test-secret", QBANK_SEARCH_BACKEND="auto")
    if args.db == "postgres":
        url = args.pg_url
        if url is None:
            url, stop_pg = start_postgres(work, args.port + 100)
    else:
        url = f"sqlite:///{work / 'qbank.sqlite3'}"
    env["QBANK_DATABASE_URL"] = url
    instances: dict[int, subprocess.Popen] = {}
    try:
        print(f"preparing {args.learners} learners on {args.db}…", flush=True)
        tokens = prepare(env, args.learners)
        ports = [args.port + i for i in range(args.instances)]
        for port in ports:
            instances[port] = start_instance(env, port, args.workers, work / f"gunicorn-{port}.log")
        for port in ports:
            wait_ready(port)
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        stats = Stats()
        expected = args.learners * (args.answers * 1.15 + 3)

        async def progress() -> None:
            killed = False
            while True:
                await asyncio.sleep(5)
                done = stats.requests / expected
                print(f"  {stats.requests} requests, {len(stats.submitted)} handed in", flush=True)
                if args.kill and not killed and done > 0.4 and len(ports) > 1:
                    victim = ports[0]
                    os.killpg(instances[victim].pid, signal.SIGKILL)
                    print(f"  kill -9 instance {victim}", flush=True)
                    killed = True
                    await asyncio.sleep(5)
                    instances[victim] = start_instance(env, victim, args.workers,
                                                       work / f"gunicorn-{victim}.log")
                    print(f"  instance {victim} restarted", flush=True)

        seconds = asyncio.run(drive(args, tokens, bases, stats, progress))
        check = verify(env, stats)
        total_errors = sum(stats.errors.values())
        print()
        print(f"{args.learners} learners, {args.db}, {args.instances} instance(s) × "
              f"{args.workers} workers, {seconds:.0f} s, {stats.requests} requests "
              f"({stats.requests / seconds:.0f}/s), retried {stats.retries}")
        print(f"{'request':<8} {'n':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
        for kind in ("start", "save", "reload", "submit"):
            values = stats.latencies.get(kind, [])
            print(f"{kind:<8} {len(values):>7} {pct(values, .5):>8.1f} {pct(values, .95):>8.1f} "
                  f"{pct(values, .99):>8.1f}")
        print(f"errors (all retried): {dict(stats.errors) or 0}; error rate "
              f"{total_errors / max(stats.requests, 1):.2%}")
        print("database check:", json.dumps(check))
        ok = check["lost_or_stale"] == 0 and check["not_scored"] == 0 and \
            check["score_changed_after_ack"] == 0 and check["learners_with_two_attempts"] == 0
        print("no lost or duplicated answers, every hand-in scored once:", "yes" if ok else "NO")
    finally:
        for proc in instances.values():
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc in instances.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        if stop_pg:
            stop_pg()


if __name__ == "__main__":
    main()
