"""Authoring at scale: importing a 10,000-row Excel file (preview and commit) and the bank-wide
near-duplicate scan over 100,000 questions. Each measurement runs in a fresh subprocess so that
its peak memory is its own.

    .venv/bin/python bench/authoring.py            # both, full size
    .venv/bin/python bench/authoring.py --quick    # 2,000 rows / 20,000 questions
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def excel_bytes(rows: int) -> bytes:
    from search import Generator, drafts

    from qbank.authoring.formats.excel import dump_excel
    from qbank.syllabus.content import parse_syllabus

    syllabus = parse_syllabus(ROOT / "content")
    sections = sorted({s.same_as or s.code for s in syllabus.sections()})
    rows_ = drafts(Generator(11).questions(rows), sections)
    return dump_excel([r.draft for r in rows_])


def run_import(rows: int) -> dict[str, float]:
    """One import of `rows` questions into a fresh SQLite database with the starter bank."""
    from flask_migrate import upgrade

    from qbank import create_app
    from qbank.authoring.importing import commit_import, preview_import
    from qbank.contentload import load_content
    from qbank.db import db

    data = excel_bytes(rows)
    base = peak_mb()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/b.sqlite3",
                "SECRET_KEY": "bench",
                "INSTANCE_PATH": tmp,
            }
        )
        with app.app_context():
            upgrade()
            load_content(db.session, ROOT / "content")
            db.session.commit()
            t0 = time.perf_counter()
            preview = preview_import(db.session, data, "bench.xlsx", max_bytes=200 * 2**20)
            t1 = time.perf_counter()
            assert preview.ok, preview.errors[:3]
            counts = commit_import(db.session, preview, None)
            db.session.commit()
            t2 = time.perf_counter()
            db.engine.dispose()
    return {
        "rows": rows,
        "bytes_mb": len(data) / 2**20,
        "preview_s": t1 - t0,
        "commit_s": t2 - t1,
        "total_s": t2 - t0,
        "created": counts["created"],
        "peak_mb": peak_mb(),
        "peak_over_base_mb": peak_mb() - base,
    }


def run_duplicates(n: int) -> dict[str, float]:
    from search import Generator

    from qbank.authoring.duplicates import DuplicateIndex, find_near_duplicate_pairs, question_text

    gen = Generator(5)
    texts = [question_text(q.stem, q.options) for q in gen.questions(n)]
    # plant some true near-duplicates: 1 % of questions copied with one character changed
    for i in range(0, n, 100):
        texts[i + 1] = texts[i][:-1] + "。"
    base = peak_mb()
    t0 = time.perf_counter()
    pairs = find_near_duplicate_pairs(texts, 0.85, max_df=0.2)
    scan = time.perf_counter() - t0
    index = DuplicateIndex().fit(texts)
    queries = texts[:: max(1, n // 50)][:50]
    times = []
    for q in queries:
        s = time.perf_counter()
        index.query(q)
        times.append(time.perf_counter() - s)
    planted = sum(1 for i, j, _ in pairs if j == i + 1 and i % 100 == 0)
    return {
        "questions": n,
        "scan_s": scan,
        "pairs": len(pairs),
        "planted_found": planted,
        "planted": n // 100,
        "query_ms_median": 1000 * statistics.median(times),
        "peak_mb": peak_mb(),
        "peak_over_base_mb": peak_mb() - base,
    }


def child(kind: str, size: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(size)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        kind, size = args.child
        result = run_import(int(size)) if kind == "import" else run_duplicates(int(size))
        print(json.dumps(result))
        return
    rows, bank = (2000, 20000) if args.quick else (10000, 100000)
    imp = [child("import", rows) for _ in range(3)]
    print(f"Import of a {rows:,}-row Excel file ({imp[0]['bytes_mb']:.1f} MB), 3 runs, medians:")
    for key in ("preview_s", "commit_s", "total_s", "peak_mb"):
        print(f"  {key:<12} {statistics.median(r[key] for r in imp):8.2f}")
    dup = child("duplicates", bank)
    print(f"Near-duplicate scan over {bank:,} questions:")
    for key in ("scan_s", "pairs", "planted_found", "planted", "query_ms_median", "peak_mb"):
        print(f"  {key:<16} {dup[key]:10.2f}")


if __name__ == "__main__":
    main()
