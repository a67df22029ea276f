"""File mode: clear messages for bad files, exclusions, and a full round trip."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import numpy as np
import pytest

from qbank.analytics.filemode import ResponseFileError, calibrate_files, read_responses
from qbank.psychometrics.simulate import simulate_abilities, simulate_items, simulate_responses


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_unknown_and_missing_columns(tmp_path: Path) -> None:
    f = write(tmp_path / "r.csv", "person,item,points,extra\np1,i1,1,x\n")
    with pytest.raises(ResponseFileError) as err:
        read_responses(f)
    codes = {p.code for p in err.value.problems}
    assert codes == {"unknown_column", "missing_column"}
    assert "points, extra" in str(err.value) and "line 1" in str(err.value)


def test_non_numeric_scores_and_duplicates_with_line_numbers(tmp_path: Path) -> None:
    text = "person,item,score\np1,i1,1\np1,i2,abc\np2,i1,0\np1,i1,0\np3,i1,0.5\n"
    with pytest.raises(ResponseFileError) as err:
        read_responses(write(tmp_path / "r.csv", text))
    msgs = [str(p) for p in err.value.problems]
    assert msgs[0] == "line 3: score 'abc' is not a number"
    assert "line 5" in msgs[1] and "duplicate" in msgs[1] and "first on line 2" in msgs[1]
    assert "line 6" in msgs[2] and "whole number" in msgs[2]


def test_gbk_file_with_chinese_ids(tmp_path: Path) -> None:
    f = write(tmp_path / "r.csv", "person,item,score\n张三,碳交易-1,1\n李四,碳交易-1,0\n", "gbk")
    table = read_responses(f)
    assert table.persons == ("张三", "李四") and table.items == ("碳交易-1",)
    assert table.encoding == "gb18030"
    assert (
        read_responses(write(tmp_path / "u.csv", "\ufeffperson,item,score\n张三,i,1\n")).encoding
        == "utf-8"
    )


def test_round_trip_with_exclusions_and_progress(tmp_path: Path) -> None:
    rng = np.random.default_rng(61)
    items = simulate_items(12, rng)
    x = simulate_responses(simulate_abilities(600, rng), items, rng, missing=0.2)
    x[:, 10] = np.where(np.isnan(x[:, 10]), np.nan, 1.0)  # everyone right
    x[5:, 11] = np.nan  # only 5 responses
    rows = [
        (f"p{p}", f"q{i}", int(x[p, i]))
        for p in range(600)
        for i in range(12)
        if not np.isnan(x[p, i])
    ]
    src = tmp_path / "responses.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([("person", "item", "score"), *rows])
    seen: list[tuple[str, float]] = []
    report = calibrate_files(
        src, "2pl", tmp_path / "I.csv", tmp_path / "P.csv", lambda s, f: seen.append((s, f))
    )
    assert {e.item: e.code for e in report.excluded} == {
        "q10": "all_same_score",
        "q11": "too_few_responses",
    }
    assert "everyone right" in report.excluded[0].message
    assert report.n_items == 10 and report.converged
    assert next(s for s, _ in seen) == "read" and seen[-1] == ("write", 1.0)
    assert all(b >= a for (_, a), (_, b) in itertools.pairwise(seen))
    with (tmp_path / "I.csv").open(encoding="utf-8") as fh:
        out = list(csv.DictReader(fh))
    assert list(out[0]) == ["item", "a", "b", "se_a", "se_b", "infit", "outfit", "n"]
    a = np.array([float(r["a"]) for r in out])
    true_a = items.a[[int(r["item"][1:]) for r in out]]  # rows follow first appearance
    assert np.corrcoef(a, true_a)[0, 1] > 0.8
    with (tmp_path / "P.csv").open(encoding="utf-8") as fh:
        persons = list(csv.DictReader(fh))
    assert len(persons) == 600 and set(persons[0]) == {"person", "theta", "se"}


def test_polytomous_output_columns(tmp_path: Path) -> None:
    rng = np.random.default_rng(62)
    items = simulate_items(4, rng, n_steps=np.array([1, 1, 2, 3]))
    x = simulate_responses(simulate_abilities(400, rng), items, rng)
    src = tmp_path / "r.csv"
    lines = ["person,item,score"] + [
        f"p{p},q{i},{int(x[p, i])}" for p in range(400) for i in range(4)
    ]
    src.write_text("\n".join(lines), encoding="utf-8")
    calibrate_files(src, "gpcm", tmp_path / "I.csv")
    header = (tmp_path / "I.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "item,a,b1,b2,b3,se_a,se_b1,se_b2,se_b3,infit,outfit,n"
