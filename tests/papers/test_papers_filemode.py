"""File mode: pool CSV reading with line-numbered errors, the JSON report, the content bank."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from qbank.papers.blueprint import Blueprint, SectionRule, TypeRule, dump_blueprint
from qbank.papers.check import check_forms
from qbank.papers.filemode import (
    PoolFileError,
    assemble_files,
    cold_start_steps,
    default_blueprint,
    parse_pool_csv,
    pool_from_content,
    read_pool_csv,
    synthetic_pool,
    synthetic_specialty,
)

REPO = Path(__file__).resolve().parents[2]
HEADER = "id,section,type,points,a,b,level,enemy,last_used,exposure\n"


def write_pool(path: Path, n: int = 1200, seed: int = 2) -> None:
    pool = synthetic_pool(n, parts=4, sections_per_part=3, seed=seed)
    names = ("junior", "intermediate", "senior")
    with path.open("w", encoding="utf-8") as f:
        f.write(HEADER)
        for i in range(pool.n):
            if not pool.active[i]:
                continue
            b = ";".join(f"{x:.5f}" for x in pool.b[i] if not np.isnan(x))
            lv = ";".join(name for k, name in enumerate(names) if pool.levels[i] & (1 << k))
            used = "" if np.isnan(pool.last_used[i]) else str(int(pool.last_used[i]))
            f.write(
                f"{pool.id[i]},{pool.section[i]},{pool.type[i]},{pool.points[i]:g},"
                f"{pool.a[i]:.5f},{b},{lv},{pool.enemy[i]},{used},{pool.exposure[i]:.4f}\n"
            )


def test_pool_csv_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    write_pool(path, 200)
    pool = read_pool_csv(path)
    assert pool.n > 180 and pool.b.shape[1] == 5
    short = pool.type == "short"
    assert (np.sum(~np.isnan(pool.b[short]), axis=1) == 5).all()
    assert set(np.unique(pool.type)) <= {"single", "multiple", "short"}


def test_minimal_columns_gbk_and_aliases(tmp_path: Path) -> None:
    text = "id,section,type,points,a,b,level\nq1,t.1.1,单选,1,1.2,0.3,初级;中级\nq2,t.1.1,简答,5,1,-1;0;1,\n"
    path = tmp_path / "gbk.csv"
    path.write_bytes(text.encode("gbk"))
    pool = read_pool_csv(path)
    assert list(pool.type) == ["single", "short"]
    assert list(pool.levels) == [3, 7]
    assert np.isnan(pool.last_used).all() and (pool.exposure == 0).all()


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("id,section,type,points,a,b,colour\n", 1, "unknown column 'colour'"),
        ("id,section,type,points,a\n", 1, "missing column 'b'"),
        (
            HEADER + "q1,t.1.1,single,1,1,0,,,,\nq2,t.1.1,single,one,1,0,,,,\n",
            3,
            "points 'one' is not a number",
        ),
        (
            HEADER
            + "q1,t.1.1,single,1,1,0,,,,\nq2,t.1.1,single,1,1,0,,,,\nq1,t.1.1,single,1,1,0,,,,\n",
            4,
            "duplicate id 'q1' (first on line 2)",
        ),
        (HEADER + "q1,t.1.1,essay,1,1,0,,,,\n", 2, "type 'essay' must be one of"),
        (HEADER + "q1,t.1.1,single,1,1,0,expert,,,\n", 2, "unknown level 'expert'"),
        (HEADER + "q1,t.1.1,single,1,1,0,,,,1.5\n", 2, "exposure must be between 0 and 1"),
        (HEADER + "q1,t.1.1,single,1,1,0,,,-2,\n", 2, "last_used must be a whole number"),
        (HEADER + "q1,t.1.1,single,1,0,0,,,,\n", 2, "a must be above 0"),
        (HEADER + "q1,t.1.1,single,1,1,0;x,,,,\n", 2, "b 'x' is not a number"),
        (HEADER + "q1,t.1.1,single,1,1,0\n", 2, "expected 10 fields, found 6"),
        (HEADER + ',t.1.1,single,1,1,"0",,,,\n', 2, "id is empty"),
        (HEADER + 'q1,"t.1.1\nx",single,1,1,0,,,,\nq2,t.1.1,single,1,1,,,,,\n', 4, "b is empty"),
        (HEADER, 1, "no questions"),
    ],
)
def test_pool_csv_errors_name_their_line(text: str, line: int, words: str) -> None:
    with pytest.raises(PoolFileError) as err:
        parse_pool_csv(text, "p.csv")
    found = [(p.line, p.message) for p in err.value.problems]
    assert any(p_line == line and words in msg for p_line, msg in found), found


def test_assemble_files_report(tmp_path: Path) -> None:
    write_pool(tmp_path / "pool.csv")
    bp = default_blueprint(synthetic_specialty(parts=4, sections_per_part=3), "senior")
    (tmp_path / "bp.yaml").write_text(dump_blueprint(bp), encoding="utf-8")
    out = assemble_files(
        tmp_path / "bp.yaml", tmp_path / "pool.csv", forms=2, seed=4, time_limit=10
    )
    json.dumps(out)
    assert set(out) == {"status", "seconds", "gap", "theta_cut", "forms", "diagnosis"}
    assert out["status"] == "optimal" and out["diagnosis"] == []
    assert len(out["forms"]) == 2
    for form in out["forms"]:
        assert set(form) == {"items", "points", "information_at_cut", "expected_score"}
        assert form["points"] == 100 and len(form["items"]) == 64
        assert form["information_at_cut"] > 0 and 0 < form["expected_score"] < 100
    pool = read_pool_csv(tmp_path / "pool.csv")
    assert check_forms(replace(bp, forms=2), pool, [f["items"] for f in out["forms"]]) == []
    again = assemble_files(tmp_path / "bp.yaml", tmp_path / "pool.csv", forms=2, seed=4)
    assert [f["items"] for f in again["forms"]] == [f["items"] for f in out["forms"]]


def test_assemble_files_infeasible_report(tmp_path: Path) -> None:
    write_pool(tmp_path / "pool.csv", n=300)
    bp = default_blueprint(synthetic_specialty(parts=4, sections_per_part=3), "junior")
    (tmp_path / "bp.yaml").write_text(dump_blueprint(bp), encoding="utf-8")
    out = assemble_files(tmp_path / "bp.yaml", tmp_path / "pool.csv", forms=6, lang="en")
    assert out["status"] == "infeasible" and out["forms"] == [] and out["gap"] is None
    assert out["diagnosis"] and all("needs ≥" in d or "must lie" in d for d in out["diagnosis"])


def test_pool_from_the_content_bank(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(REPO / "content" / "syllabus", content / "syllabus")
    shutil.copytree(REPO / "content" / "rules", content / "rules")
    (content / "questions").mkdir()
    (content / "blueprints").mkdir()
    # consulting.2.1 has same_as management.2.2: its questions come from that file.
    questions = {
        "consulting.1.1": [("s", 2), ("s", 3), ("m", 4)],
        "management.2.2": [("s", 1), ("a", 5)],
    }
    for section, items in questions.items():
        lines = [f"section: {section}", "questions:"]
        for k, (kind, diff) in enumerate(items):
            qtype = {"s": "single", "m": "multiple", "a": "short"}[kind]
            lines += [f"  - id: {section}-{kind}{k:02d}", f"    type: {qtype}", f"    difficulty: {diff}",
                      "    levels: [intermediate, senior]", "    stem: x"]  # fmt: skip
        (content / "questions" / f"{section}.yaml").write_text(
            "\n".join(lines) + "\n", encoding="utf-8"
        )
    bp = Blueprint(
        "tiny", "consulting", "senior", 9.0, 6.0, 30,
        (TypeRule("single", 2, 1.0), TypeRule("multiple", 1, 2.0), TypeRule("short", 1, 5.0)),
        sections=(SectionRule("consulting.2", min_count=1),),
    )  # fmt: skip
    (content / "blueprints" / "tiny.yaml").write_text(dump_blueprint(bp), encoding="utf-8")
    pool = pool_from_content(content, bp)
    assert sorted(pool.section.tolist()) == ["consulting.1.1"] * 3 + ["consulting.2.1"] * 2
    assert pool.b[list(pool.id).index("management.2.2-a01")].tolist() == cold_start_steps(
        "short", 5, 5.0, "partial"
    )
    out = assemble_files(content / "blueprints" / "tiny.yaml", None, seed=0)
    assert out["status"] == "optimal"
    assert sorted(out["forms"][0]["items"])[0] == "consulting.1.1-m02"
    junior = replace(bp, level="junior", levels_allowed=("junior",))
    (content / "blueprints" / "tiny.yaml").write_text(dump_blueprint(junior), encoding="utf-8")
    out = assemble_files(content / "blueprints" / "tiny.yaml", None, lang="zh")
    assert out["status"] == "infeasible"
    assert any("初级单选题" in d and "只有 0 道" in d for d in out["diagnosis"]), out["diagnosis"]
