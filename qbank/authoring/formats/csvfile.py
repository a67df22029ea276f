"""CSV import and export in the Excel template's layout.

Reading accepts what Excel and WPS save: UTF-8 with or without BOM, UTF-16 with BOM (tab
separated "Unicode text"), and GBK/GB18030 ("CSV (逗号分隔)" on Chinese Windows); commas, tabs
or semicolons. The encoding is detected, never guessed into mojibake.

Writing gives UTF-8 with a BOM, so that Excel opens the Chinese correctly. A cell that Excel
would run as a formula (starting with = + - @), or that starts with an apostrophe, is written
with a leading apostrophe, which the reader removes again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from qbank.authoring.draft import Problem, QuestionDraft
from qbank.authoring.formats import tabular
from qbank.authoring.formats.excel import table_result
from qbank.authoring.formats.result import (
    DEFAULT_MAX_BYTES,
    FileProblem,
    ParseResult,
    check_size,
    decode_text,
    failed,
)

MEDIA_TYPE = "text/csv; charset=utf-8"
_FORMULA_START = ("=", "+", "-", "@")


def _delimiter(text: str) -> str:
    first = next((line for line in text.split("\n") if line.strip()), "")
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _unguard(cell: str) -> str:
    if cell[:1] == "'" and cell[1:2] in (*_FORMULA_START, "'") and cell[1:2]:
        return cell[1:]
    return cell


def parse_csv(
    data: bytes, filename: str = "upload.csv", *, max_bytes: int = DEFAULT_MAX_BYTES
) -> ParseResult:
    """Questions from a CSV file with the template's columns."""
    encoding = ""
    try:
        check_size(data, filename, max_bytes)
        text, encoding = decode_text(data, filename)
        rows: list[list[str]] = []
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        try:
            for row in reader:
                rows.append([_unguard(c.strip()) for c in row])
        except csv.Error as exc:
            raise FileProblem(
                Problem(f"{filename}:{reader.line_num}", "", f"malformed CSV: {exc}")
            ) from None
        return table_result("csv", rows, filename, encoding=encoding)
    except FileProblem as exc:
        return failed("csv", exc.problem, encoding)


def _guard(value: str | float | int) -> str:
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith((*_FORMULA_START, "'")) else text


def dump_csv(drafts: Sequence[QuestionDraft], warnings: list[Problem] | None = None) -> bytes:
    """UTF-8 CSV with BOM in the template's layout (every field qbank has)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    fields = tabular.export_fields(drafts)
    writer.writerow(tabular.header_row(fields))
    for draft in drafts:
        cells = tabular.draft_to_cells(draft)
        writer.writerow([_guard(cells.get(key, "")) for key in fields])
    return out.getvalue().encode("utf-8-sig")
