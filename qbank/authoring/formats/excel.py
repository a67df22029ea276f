"""Excel (.xlsx) import and export with openpyxl, and the downloadable template.

The layout is `tabular.py`'s: one question per row under a header row (found anywhere in the
first 10 rows, headers matched with their synonyms). Export writes the template's layout, so an
exported file can be edited and imported again.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Generator, Sequence
from contextlib import closing
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook

from qbank.authoring.draft import Problem, QuestionDraft
from qbank.authoring.formats import tabular
from qbank.authoring.formats.columns import COLUMNS, EXAMPLES, FIELD_ORDER, GUIDE_ROWS, find_header
from qbank.authoring.formats.result import (
    DEFAULT_MAX_BYTES,
    FileProblem,
    ParseResult,
    check_size,
    failed,
    finish,
    open_zip,
)

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_TITLE = "题目"
GUIDE_TITLE = "填写说明"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXCEL_CELL_LIMIT = 32767
_WIDTHS = {"stem": 50, "reference_answer": 40, "rubric": 36, "explanation": 40, "source": 30}


def cell_text(value: Any) -> str:
    """A cell as the text a person sees in it."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def table_result(
    fmt: str,
    rows: Sequence[Sequence[str]],
    filename: str,
    *,
    encoding: str = "",
    sheet: str = "",
) -> ParseResult:
    """ParseResult for the rows of a sheet (Excel) or file (CSV)."""
    header = find_header(rows)
    if header is None:
        return failed(
            fmt,
            Problem(
                filename,
                "",
                "no header row found in the first 10 rows: it needs a 题干 column and at least "
                "one more, such as 题型 and 答案 (download the template)",
            ),
            encoding,
        )
    warnings = [
        Problem(f"row {header.row}", name, "duplicate column ignored") for name in header.duplicates
    ]
    if "type" not in header.names:
        warnings.append(
            Problem(
                f"row {header.row}", "题型", "no 题型 column: types were inferred from the answers"
            )
        )
    results, _ = tabular.read_rows(rows, header)
    errors = [p for r in results for p in r.errors]
    warnings += [p for r in results for p in r.warnings]
    drafts = [r.draft for r in results if r.draft is not None]
    if sheet:
        warnings.insert(0, Problem(filename, "", f"questions read from sheet '{sheet}'"))
    return finish(
        fmt,
        drafts,
        errors,
        warnings,
        filename=filename,
        encoding=encoding,
        field_names=tabular.field_names(header),
    )


def _read_sheets(data: bytes, filename: str) -> Generator[tuple[str, list[list[str]]], None, None]:
    """The workbook's sheets as rows of cell texts. Reading uses calamine (Rust): about nine
    times faster than openpyxl on a 10,000-row sheet; openpyxl still writes the templates."""
    open_zip(data, filename).close()  # zip-bomb limits before the reader unpacks anything
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # the reader raises several kinds on a damaged file
        raise FileProblem(
            Problem(filename, "", f"not a readable .xlsx workbook ({type(exc).__name__})")
        ) from None
    try:
        for index, title in enumerate(book.sheet_names):
            try:
                values = book.get_sheet_by_index(index).to_python(skip_empty_area=False)
            except Exception as exc:  # a damaged sheet
                raise FileProblem(
                    Problem(filename, "", f"sheet '{title}' cannot be read ({exc})")
                ) from None
            rows = [[cell_text(v) for v in row] for row in values]
            while rows and not any(rows[-1]):
                rows.pop()
            yield title, rows
    finally:
        book.close()


def parse_excel(
    data: bytes, filename: str = "upload.xlsx", *, max_bytes: int = DEFAULT_MAX_BYTES
) -> ParseResult:
    """Questions from an .xlsx workbook: the first sheet with a header row."""
    try:
        check_size(data, filename, max_bytes)
        if data.startswith(_OLE_MAGIC):
            raise FileProblem(
                Problem(filename, "", "old .xls workbooks are not supported: save it as .xlsx")
            )
        with closing(_read_sheets(data, filename)) as sheets:
            for i, (title, rows) in enumerate(sheets):
                if find_header(rows):
                    return table_result("excel", rows, filename, sheet=title if i else "")
        return table_result("excel", [], filename)
    except FileProblem as exc:
        return failed("excel", exc.problem)


# -- writing ---------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _put(ws: Worksheet, row: int, col: int, value: str | float | int) -> None:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"  # never a formula, even when the text starts with "="
    else:
        cell.value = value


def _header(ws: Worksheet, fields: Sequence[str]) -> None:
    for col, name in enumerate(tabular.header_row(fields), 1):
        _put(ws, 1, col, name)
        ws.cell(row=1, column=col).font = _HEADER_FONT
        ws.cell(row=1, column=col).fill = _HEADER_FILL
        letter = ws.cell(row=1, column=col).column_letter
        ws.column_dimensions[letter].width = _WIDTHS.get(fields[col - 1], 12)
    ws.freeze_panes = "A2"


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def dump_excel(drafts: Sequence[QuestionDraft], warnings: list[Problem] | None = None) -> bytes:
    """An .xlsx in the template's layout (every field qbank has, so nothing is lost)."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = SHEET_TITLE
    fields = tabular.export_fields(drafts)
    _header(ws, fields)
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, draft in enumerate(drafts, 2):
        cells = tabular.draft_to_cells(draft)
        for c, key in enumerate(fields, 1):
            value = cells.get(key, "")
            if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT and warnings is not None:
                warnings.append(
                    Problem(
                        f"row {r}",
                        COLUMNS[key][0],
                        "longer than the 32767 characters an Excel cell shows",
                    )
                )
            _put(ws, r, c, value)
            if key in _WIDTHS:
                ws.cell(row=r, column=c).alignment = wrap
    return _save(book)


def build_template() -> bytes:
    """The import template: an empty 题目 sheet and a 填写说明 sheet with rules and examples."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = SHEET_TITLE
    _header(ws, FIELD_ORDER)
    col = FIELD_ORDER.index
    for key, values in (
        ("type", "单选,多选,简答,判断"),
        ("shuffle", "是,否"),
        ("difficulty", "1,2,3,4,5"),
    ):
        letter = ws.cell(row=1, column=col(key) + 1).column_letter
        rule = DataValidation(type="list", formula1=f'"{values}"', allow_blank=True)
        rule.add(f"{letter}2:{letter}2000")
        ws.add_data_validation(rule)

    guide = book.create_sheet(GUIDE_TITLE)
    titles = ("列名", "必填", "含义 (English)", "可填写的值", "示例")
    for c, title in enumerate(titles, 1):
        _put(guide, 1, c, title)
        guide.cell(row=1, column=c).font = _HEADER_FONT
    for r, guide_row in enumerate(GUIDE_ROWS, 2):
        for c, text in enumerate(guide_row, 1):
            _put(guide, r, c, text)
    for letter, width in zip("ABCDE", (14, 10, 50, 50, 36), strict=True):
        guide.column_dimensions[letter].width = width
    notes = [
        "说明：表头可放在前 10 行中的任意一行；列的顺序不限；也接受常见的列名，如 试题内容/题目（题干）、"
        "正确答案/标准答案（答案）、类型（题型）、知识点/所属章节（章节）、A/B/C/D（选项）。",
        "Notes: the header row may be any of the first 10 rows, columns in any order; common "
        "synonyms are accepted. CSV files with the same columns may be UTF-8 or GBK/GB18030.",
        "下面是三道示例题（单选、多选、简答）：请在“题目”工作表中填写，不要在本表中填写。",
    ]
    start = len(GUIDE_ROWS) + 3
    for i, note in enumerate(notes):
        _put(guide, start + i, 1, note)
    _header_at = start + len(notes) + 1
    for c, name in enumerate(tabular.header_row(FIELD_ORDER), 1):
        _put(guide, _header_at, c, name)
        guide.cell(row=_header_at, column=c).font = _HEADER_FONT
    for r, example in enumerate(EXAMPLES, _header_at + 1):
        for c, cell in enumerate(example, 1):
            _put(guide, r, c, cell)
    return _save(book)
