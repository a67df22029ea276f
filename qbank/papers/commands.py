"""What `qbank assemble` and `qbank coverage` do (cli.py only wires the options).

`qbank assemble --blueprint B.yaml [--pool P.csv] …` with a pool file is the engine's file mode
(`filemode.assemble_files`); without one it assembles from the database's approved questions
(`pool.load_pool`) and writes the same JSON, the items being question IDs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbank.papers.assemble import assemble
from qbank.papers.blueprint import parse_blueprint
from qbank.papers.blueprints import syllabus_codes, syllabus_titles
from qbank.papers.coverage import coverage_report, text_table
from qbank.papers.filemode import assemble_files
from qbank.papers.pool import load_pool
from qbank.syllabus.models import Level, Specialty


def _say(zh: str, en: str, lang: str) -> str:
    return zh if lang == "zh" else en if lang == "en" else f"{zh} / {en}"


def _plain(x: float) -> float | int:
    return int(x) if float(x).is_integer() else float(x)


def assemble_report(
    session: Session,
    blueprint_path: Path,
    pool_path: Path | None = None,
    *,
    forms: int | None = None,
    seed: int = 0,
    time_limit: float = 10.0,
    content_dir: Path | None = None,
    lang: str = "both",
) -> dict[str, Any]:
    """The JSON report of docs/blueprints.md ("File mode"). Raises BlueprintError or
    PoolFileError (each with `.problems`) for bad input files."""
    if pool_path is not None:
        return assemble_files(
            blueprint_path, pool_path, forms, seed, time_limit, content_dir=content_dir, lang=lang
        )
    text = blueprint_path.read_text(encoding="utf-8")
    bp = parse_blueprint(text, str(blueprint_path), syllabus_codes(session))
    bank = load_pool(session, bp.specialty, bp.level, bp.multiple_scoring)
    result = assemble(
        bp,
        bank.pool,
        forms=forms,
        seed=seed,
        time_limit=time_limit,
        syllabus_titles=syllabus_titles(session),
    )
    status = result.status
    diagnosis = [_say(c.message_zh, c.message_en, lang) for c in result.diagnosis]
    if status == "time_limit":
        status = "feasible" if result.forms else "infeasible"
        if not result.forms:
            diagnosis.append(
                _say(
                    f"在 {time_limit:g} 秒内未找到满足蓝图的试卷（并未证明不可行），请延长时间限制",
                    f"no paper meeting the blueprint was found within {time_limit:g} s "
                    "(infeasibility not proven); allow more time",
                    lang,
                )
            )
    return {
        "status": status,
        "seconds": round(result.seconds, 3),
        "gap": None if result.gap is None else float(result.gap),
        "theta_cut": float(result.theta[0]) if result.theta.size else None,
        "pool": "database",
        "forms": [
            {
                "items": list(f.ids),
                "points": _plain(f.points),
                "information_at_cut": float(f.information[0]),
                "expected_score": None if f.expected_score is None else float(f.expected_score[0]),
            }
            for f in result.forms
        ],
        "diagnosis": diagnosis,
    }


def print_coverage(
    session: Session,
    echo: Callable[[str], None],
    *,
    specialty: str | None = None,
    level: str | None = None,
    forms: int = 2,
    lang: str = "zh",
) -> bool:
    """Print the coverage table of every default blueprint (or one specialty/level).
    Returns True when something blocks assembling `forms` disjoint forms."""
    specialties = [specialty] if specialty else list(
        session.scalars(select(Specialty.code).order_by(Specialty.order))
    )  # fmt: skip
    levels = [level] if level else list(session.scalars(select(Level.code).order_by(Level.order)))
    blocked = []
    for sp in specialties:
        for lv in levels:
            report = coverage_report(session, sp, lv, forms=forms)
            if report is None:
                echo(f"{sp}-{lv}: no default blueprint")
                blocked.append(f"{sp}-{lv}")
                continue
            echo(text_table(report, lang))
            echo("")
            if report.blocks:
                blocked.append(f"{sp}-{lv}")
    if blocked:
        echo(("受阻：" if lang == "zh" else "blocked: ") + ", ".join(blocked))
    else:
        echo("全部可组卷" if lang == "zh" else "nothing blocks")
    return bool(blocked)
