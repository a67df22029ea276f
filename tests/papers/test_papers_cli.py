"""`qbank assemble` (file mode and database mode) and `qbank coverage`."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from qbank.authoring.models import Question, QuestionStatus
from qbank.db import db
from qbank.papers.filemode import default_blueprint, synthetic_pool, synthetic_specialty

REPO = Path(__file__).resolve().parents[2]


def _pool_csv(path: Path) -> None:
    pool = synthetic_pool(400, parts=4, sections_per_part=3, seed=5)
    rows = ["id,section,type,points,a,b,level,enemy,last_used,exposure"]
    for i in range(pool.n):
        steps = ";".join(f"{x:.3f}" for x in pool.b[i] if x == x)
        last = "" if pool.last_used[i] != pool.last_used[i] else str(int(pool.last_used[i]))
        rows.append(
            f"{pool.id[i]},{pool.section[i]},{pool.type[i]},{pool.points[i]:g},{pool.a[i]:.3f},"
            f"{steps},,{pool.enemy[i]},{last},{pool.exposure[i]:.3f}"
        )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_assemble_file_mode_writes_the_documented_json(app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from qbank.papers.blueprint import dump_blueprint

    spec = synthetic_specialty(parts=4, sections_per_part=3)
    blueprint = tmp_path / "synth.yaml"
    blueprint.write_text(dump_blueprint(default_blueprint(spec, "intermediate")), encoding="utf-8")
    pool = tmp_path / "pool.csv"
    _pool_csv(pool)
    out = tmp_path / "forms.json"
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["assemble", "--blueprint", str(blueprint), "--pool", str(pool), "--forms", "2",
              "--seed", "3", "--time-limit", "20", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report) == {"status", "seconds", "gap", "theta_cut", "forms", "diagnosis"}
    assert report["status"] in ("optimal", "feasible") and len(report["forms"]) == 2
    form = report["forms"][0]
    assert set(form) == {"items", "points", "information_at_cut", "expected_score"}
    assert len(form["items"]) == 64 and form["points"] == 100
    assert not set(form["items"]) & set(report["forms"][1]["items"])


def test_assemble_from_the_database_and_bad_input(app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    out = tmp_path / "forms.json"
    blueprint = REPO / "content" / "blueprints" / "monitoring-senior.yaml"
    result = runner.invoke(args=["assemble", "--blueprint", str(blueprint), "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["pool"] == "database" and len(report["forms"]) == 1
    uids = set(db.session.scalars(select(Question.uid)))
    assert set(report["forms"][0]["items"]) <= uids
    bad = tmp_path / "bad.yaml"
    bad.write_text(blueprint.read_text(encoding="utf-8").replace("level: senior", "level: top"))
    result = runner.invoke(args=["assemble", "--blueprint", str(bad), "--out", str(out)])
    assert (
        result.exit_code == 1
        and "bad.yaml:" in result.output
        and "level must be one of" in result.output
    )


def test_coverage_passes_on_the_starter_bank(app) -> None:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["coverage", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.output.count("OK: 2 disjoint forms can be assembled") == 21
    assert "nothing blocks" in result.output


def test_coverage_lists_blockers_on_a_reduced_bank(app) -> None:  # type: ignore[no-untyped-def]
    for q in db.session.scalars(select(Question).where(Question.section_code == "trading.2.1")):
        q.status = QuestionStatus.RETIRED.value
    db.session.commit()
    result = app.test_cli_runner().invoke(
        args=["coverage", "--specialty", "trading", "--level", "junior", "--lang", "en"]
    )
    assert result.exit_code == 1
    assert "BLOCKED: not even one form" in result.output
    assert "trading section 2.1" in result.output and "blocked: trading-junior" in result.output
    assert "! trading.2.1" in result.output  # the part row names its blocking section
