"""The layout of STYLE.md, checked: rooms with docstrings, imports that only point downward,
numerics and services that know nothing of the web."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "qbank"
ROOMS = ("authoring", "papers", "practice", "analytics")
WEB = {"flask", "flask_login", "flask_wtf", "flask_babel", "flask_smorest", "werkzeug", "wtforms"}


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def room_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else ""


@pytest.mark.parametrize("package", sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py")))
def test_every_room_says_what_it_is_for(package: str) -> None:
    doc = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text()))
    assert doc and len(doc) > 30


def test_psychometrics_is_pure() -> None:
    for path in (PACKAGE / "psychometrics").glob("*.py"):
        for name in imports(path):
            top = name.split(".")[0]
            assert top not in WEB | {"sqlalchemy", "flask_sqlalchemy"}, f"{path.name}: {name}"
            if top == "qbank":
                assert name.startswith("qbank.psychometrics"), f"{path.name} imports {name}"


def test_services_and_content_parsers_know_nothing_of_the_web() -> None:
    pure = [
        p
        for p in modules()
        if p.name
        in (
            "services.py",
            "content.py",
            "eligibility.py",
            "calendar.py",
            "loader.py",
            "draft.py",
            "bankcheck.py",
            "duplicates.py",
        )
    ]
    pure += list((PACKAGE / "authoring" / "formats").glob("*.py"))
    assert pure
    for path in pure:
        web = {n for n in imports(path) if n.split(".")[0] in WEB}
        assert not web, f"{path.relative_to(PACKAGE)} imports {web}"


def test_imports_point_downward() -> None:
    problems = []
    for path in modules():
        room = room_of(path)
        for name in imports(path):
            parts = name.split(".")
            if parts[0] != "qbank" or len(parts) < 2:
                continue
            target = parts[1]
            if room in ("syllabus", "accounts", "psychometrics") and target in ROOMS:
                problems.append(f"{path.relative_to(PACKAGE)} → {name}")
            if room and room != "api" and target == "api":
                problems.append(
                    f"{path.relative_to(PACKAGE)} → {name} (only the factory wires the API)"
                )
            if path.name in ("models.py", "services.py") and parts[-1] in ("views", "forms"):
                problems.append(f"{path.relative_to(PACKAGE)} → {name}")
    assert problems == []


def test_modules_stay_small() -> None:
    big = [
        f"{p.relative_to(PACKAGE)}: {n}"
        for p in modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600
    ]
    assert big == []
