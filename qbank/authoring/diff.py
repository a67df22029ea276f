"""A readable diff between two versions of a question, field by field, character by character
(Chinese has no spaces to split words on). Pure; the template shows the escaped pieces."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any


def N_(text: str) -> str:
    """Marks a label for translation; the page translates it when shown."""
    return text


FIELDS = (
    ("stem", N_("Stem")),
    ("options", N_("Options")),
    ("shuffle", N_("Shuffle options")),
    ("points", N_("Points")),
    ("reference_answer", N_("Reference answer")),
    ("rubric", N_("Rubric")),
    ("explanation", N_("Explanation")),
    ("section_code", N_("Section")),
    ("secondary_sections", N_("Secondary sections")),
    ("levels", N_("Levels")),
    ("difficulty", N_("Difficulty")),
    ("source", N_("Source")),
    ("tags", N_("Tags")),
    ("enemy_group", N_("Enemy group")),
)


@dataclass(frozen=True)
class Piece:
    kind: str  # "same", "added", "removed"
    text: str


@dataclass(frozen=True)
class FieldDiff:
    field: str
    label: str
    pieces: tuple[Piece, ...]


def as_text(name: str, value: Any) -> str:
    if name == "options":
        return "\n".join(f"{o['key']}{'✓' if o.get('correct') else ' '} {o['text']}" for o in value)
    if name == "rubric":
        return "\n".join(f"[{p['points']:g}] {p['text']}" for p in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def diff_text(old: str, new: str) -> tuple[Piece, ...]:
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    pieces: list[Piece] = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", old[a0:a1]))
        else:
            if a1 > a0:
                pieces.append(Piece("removed", old[a0:a1]))
            if b1 > b0:
                pieces.append(Piece("added", new[b0:b1]))
    return tuple(pieces)


def diff_versions(old: Any | None, new: Any) -> list[FieldDiff]:
    """Changed fields between two versions (objects with the version attributes)."""
    out = []
    for name, label in FIELDS:
        before = as_text(name, getattr(old, name)) if old is not None else ""
        after = as_text(name, getattr(new, name))
        if before != after:
            out.append(FieldDiff(name, label, diff_text(before, after)))
    return out
