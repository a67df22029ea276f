"""Aiken import and export: single-choice questions as plain text.

    温室气体之所以能使地表增温，主要是因为它们能够：
    A) 大量吸收太阳紫外线
    B. 吸收并重新放出地表红外辐射
    ANSWER: B

A stem line (further lines before the first option continue it), options `A)` or `A.` (the space
after is optional; full-width `Ａ．`/`A）`/`A、` are accepted too), and `ANSWER: X` (`答案：X`
also). Everything is text: raw HTML in a stem stays text, never markup. A broken question is
reported with its line and the reading goes on, so that a preview lists every problem.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from qbank.authoring.draft import OPTION_KEYS, OptionDraft, Problem, QuestionDraft, QuestionType
from qbank.authoring.formats.result import (
    DEFAULT_MAX_BYTES,
    FileProblem,
    ParseResult,
    check_size,
    decode_text,
    failed,
    finish,
)

MEDIA_TYPE = "text/plain; charset=utf-8"
_OPTION = re.compile(r"^([A-Za-zＡ-Ｚａ-ｚ])\s*[.)、．）]\s*(.*)$")
_ANSWER = re.compile(r"^(?:ANSWER|答案)\s*[:：]\s*(.*)$", re.I)


def _fold(text: str) -> str:
    """Full-width letters as ASCII."""
    return unicodedata.normalize("NFKC", text)


@dataclass
class _Open:
    line: int
    stem: list[str]
    options: list[tuple[str, str]] = field(default_factory=list)


def parse_aiken(
    data: bytes, filename: str = "upload.aiken.txt", *, max_bytes: int = DEFAULT_MAX_BYTES
) -> ParseResult:
    """Questions from an Aiken file (UTF-8, or GBK/GB18030)."""
    encoding = ""
    try:
        check_size(data, filename, max_bytes)
        text, encoding = decode_text(data, filename)
    except FileProblem as exc:
        return failed("aiken", exc.problem, encoding)
    drafts: list[QuestionDraft] = []
    errors: list[Problem] = []
    current: _Open | None = None
    orphan = False  # inside options that have no question

    def error(line: int, message: str, fld: str = "") -> None:
        errors.append(Problem(f"{filename}:{line}", fld, message))

    def close(q: _Open, answer: str, line: int) -> None:
        stem = "\n".join(q.stem).strip()
        name = f"'{stem[:40]}'"
        letters = [k for k, _ in q.options]
        key = _fold(answer).strip().upper()
        if len(q.options) < 2:
            error(
                q.line,
                f"question {name} needs at least 2 options, found {len(q.options)}",
                "options",
            )
        if not re.fullmatch(r"[A-Z]", key):
            error(
                line, f"question {name}: ANSWER must be one option letter, not '{answer}'", "answer"
            )
            return
        if key not in letters:
            error(
                line,
                f"question {name}: ANSWER {key} names no option "
                f"(options: {', '.join(letters) or 'none'})",
                "answer",
            )
            return
        if len(q.options) < 2:
            return
        drafts.append(
            QuestionDraft(
                type=QuestionType.SINGLE,
                stem=stem,
                options=tuple(OptionDraft(k, t, k == key) for k, t in q.options),
                location=f"{filename}:{q.line}",
            )
        )

    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if not line:
            continue
        option = _OPTION.match(line)
        answer = _ANSWER.match(line)
        if answer:
            if current is None:
                error(number, "ANSWER line without a question before it", "answer")
            else:
                close(current, answer.group(1), number)
            current, orphan = None, False
        elif option and current is None:
            if not orphan:
                error(number, f"option '{line[:30]}' has no question before it", "options")
            orphan = True
        elif option and current is not None:
            letter = _fold(option.group(1)).upper()
            if letter not in OPTION_KEYS:
                error(number, f"option {letter}: qbank allows options A–H", "options")
            elif letter in (k for k, _ in current.options):
                error(number, f"option {letter} appears twice", "options")
            else:
                current.options.append((letter, option.group(2).strip()))
        elif current is not None and current.options:
            stem = "\n".join(current.stem)
            error(
                current.line,
                f"question '{stem[:40]}' has no ANSWER line before the next "
                f"question (line {number})",
                "answer",
            )
            current = _Open(number, [line])
        elif current is not None:
            current.stem.append(line)
        else:
            current, orphan = _Open(number, [line]), False
    if current is not None:
        stem = "\n".join(current.stem)
        error(current.line, f"question '{stem[:40]}' has no ANSWER line", "answer")
    return finish("aiken", drafts, errors, [], filename=filename, encoding=encoding)


# -- export ----------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


def dump_aiken(drafts: Sequence[QuestionDraft], warnings: list[Problem] | None = None) -> bytes:
    """Single-choice questions as Aiken; others are skipped (with a warning). Line breaks inside
    a stem or option become spaces: Aiken text is one line."""
    out = []
    notes = warnings if warnings is not None else []
    for number, d in enumerate(drafts, 1):
        where = d.external_id or f"question {number}"
        if d.type is not QuestionType.SINGLE:
            notes.append(
                Problem(where, "type", f"skipped: Aiken has only single choice, not {d.type.value}")
            )
            continue
        if "\n" in d.stem or any("\n" in o.text for o in d.options):
            notes.append(Problem(where, "stem", "line breaks became spaces"))
        if _OPTION.match(d.stem.strip()) or _ANSWER.match(d.stem.strip()):
            notes.append(
                Problem(
                    where,
                    "stem",
                    "starts like an option or ANSWER line: Aiken readers will misread it",
                )
            )
        block = [_one_line(d.stem)]
        block += [f"{o.key}) {_one_line(o.text)}" for o in d.options]
        block.append(f"ANSWER: {d.keys[0] if d.keys else ''}")
        out.append("\n".join(block))
    return ("\n\n".join(out) + "\n").encode("utf-8") if out else b""
