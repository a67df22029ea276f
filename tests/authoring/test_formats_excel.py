"""Excel and CSV: the template, header synonyms, forgiving cell syntax, errors by row and column,
encodings (UTF-8 with or without BOM, UTF-16, GBK, GB18030) and round trips."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from qbank.authoring.draft import OptionDraft, QuestionType, RubricPoint
from qbank.authoring.formats.columns import EXAMPLES, FIELD_ORDER
from qbank.authoring.formats.csvfile import dump_csv, parse_csv
from qbank.authoring.formats.excel import build_template, dump_excel, parse_excel
from qbank.authoring.formats.rubric import parse_rubric
from qbank.authoring.formats.tabular import header_row
from tests.authoring.test_formats_common import (
    ALL_FIELDS,
    BANK,
    PROPERTY,
    assert_round_trip,
    banks,
    drafts,
    messages,
    paragraphs,
    view,
    words,
)

TEMPLATE_HEADERS = [
    "题号", "题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "答案", "分值", "参考答案",
    "评分要点", "解析", "难度", "章节", "次要章节", "适用级别", "出处", "标签", "互斥组", "选项乱序",
]  # fmt: skip


def xlsx(rows: list[list[Any]], title: str = "Sheet") -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = title
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_text(rows: list[list[str]], sep: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="\n").writerows(rows)
    return out.getvalue()


# -- template --------------------------------------------------------------------------------


def test_template_has_the_columns_and_an_instruction_sheet() -> None:
    book = load_workbook(io.BytesIO(build_template()))
    assert book.sheetnames == ["题目", "填写说明"]
    assert [c.value for c in book["题目"][1]] == TEMPLATE_HEADERS
    guide = [[c.value for c in row] for row in book["填写说明"].iter_rows()]
    assert guide[0][:5] == ["列名", "必填", "含义 (English)", "可填写的值", "示例"]
    assert any(row[0] == "评分要点" and "要点一(2分)；要点二(3分)" in row for row in guide)
    validations = book["题目"].data_validations.dataValidation
    assert {v.formula1 for v in validations} == {'"单选,多选,简答,判断"', '"是,否"', '"1,2,3,4,5"'}


def test_the_empty_template_imports_nothing_and_says_so() -> None:
    result = parse_excel(build_template(), "template.xlsx")
    assert messages(result.errors) == ["template.xlsx the file contains no questions"]


def test_the_template_examples_import_cleanly() -> None:
    result = parse_excel(xlsx([header_row(FIELD_ORDER), *EXAMPLES]), "examples.xlsx")
    assert messages(result.errors) == []
    single, multiple, short = result.drafts
    assert (single.type, single.keys, single.levels) == (
        QuestionType.SINGLE,
        ("B",),
        ("junior", "intermediate", "senior"),
    )
    assert multiple.keys == ("A", "B", "C") and multiple.levels == ("junior", "intermediate")
    assert short.rubric == (
        RubricPoint("指出排放核查与确认", 2.0),
        RubricPoint("说明按时足额清缴配额", 3.0),
    )
    assert short.points == 5 and single.shuffle is not False


# -- reading ---------------------------------------------------------------------------------


def test_header_synonyms_anywhere_in_the_first_ten_rows() -> None:
    rows: list[list[Any]] = [
        ["2024年碳排放管理员题库"],
        [],
        ["说明：答案用字母"],
        ["序号", "类型", "试题内容", "A", "B", "C", "D", "标准答案", "分数", "知识点", "级别"],
        [1, "单选题", "全国碳市场首批纳入的行业是：", "发电", "钢铁", "水泥", "化工", "a", 1,
         "trading.2.2", "初级,中级"],
        [2, "多项选择", "属于温室气体的有：", "CO2", "N2", "CH4", "O2", "A、C", "2分",
         "management.1.1", "全部"],
        [3, "问答", "简述配额清缴。", None, None, None, None, "按时足额清缴。", 5, "trading.2.3",
         "高级"],
    ]  # fmt: skip
    result = parse_excel(xlsx(rows), "bank.xlsx")
    assert [str(w) for w in result.warnings] == [
        "row 7 [评分要点] no rubric: one key point worth the full points was created"
    ]
    assert result.errors == []
    a, b, c = result.drafts
    assert (a.external_id, a.type, a.keys, a.points, a.section, a.location) == (
        "1", QuestionType.SINGLE, ("A",), 1.0, "trading.2.2", "row 5"
    )  # fmt: skip
    assert a.options[0] == OptionDraft("A", "发电", True) and a.levels == ("junior", "intermediate")
    assert (b.type, b.keys, b.points, b.levels) == (
        QuestionType.MULTIPLE, ("A", "C"), 2.0, ("junior", "intermediate", "senior")
    )  # fmt: skip
    assert (c.type, c.reference_answer, c.levels) == (
        QuestionType.SHORT,
        "按时足额清缴。",
        ("senior",),
    )
    assert c.rubric == (RubricPoint("答出参考答案的要点", 5.0),)


@pytest.mark.parametrize(
    ("kind", "answer", "expected_type", "keys"),
    [
        ("单选", "B", "single", ("B",)),
        ("单项选择题", "b", "single", ("B",)),
        ("多选", "A,C", "multiple", ("A", "C")),
        ("多选题", "AC", "multiple", ("A", "C")),
        ("多项选择", "A、C", "multiple", ("A", "C")),
        ("多项选择题", "Ａ，Ｃ", "multiple", ("A", "C")),
        ("不定项选择", "C", "single", ("C",)),
        ("", "A C", "multiple", ("A", "C")),
    ],
)
def test_type_and_answer_spellings(kind: str, answer: str, expected_type: str, keys: tuple) -> None:
    data = csv_text(
        [["题型", "题干", "A", "B", "C", "答案"], [kind, "题", "甲", "乙", "丙", answer]]
    )
    result = parse_csv(data.encode(), "a.csv")
    assert (result.drafts[0].type.value, result.drafts[0].keys) == (expected_type, keys)
    assert result.errors == []


@pytest.mark.parametrize(("answer", "key"), [("对", "A"), ("×", "B"), ("错误", "B"), ("√", "A")])
def test_true_false_becomes_single_choice(answer: str, key: str) -> None:
    data = csv_text([["题型", "题干", "答案"], ["判断题", "CCER 于 2023 年重启。", answer]])
    draft = parse_csv(data.encode(), "a.csv").drafts[0]
    assert [o.text for o in draft.options] == ["正确", "错误"] and draft.keys == (key,)


def test_short_answers_with_rubric_syntax() -> None:
    rows = [
        ["题型", "题干", "参考答案", "评分要点", "分值"],
        ["简答", "问一", "答一", "要点一(2分)；要点二(3分)", ""],
        ["简答", "问二", "答二", "1. 指出A；说明B（2分）\n2、说明C　3分", "5"],
        ["简答", "问三", "答三", "甲\n乙", "4"],
    ]
    result = parse_csv(csv_text(rows, "\t").encode("utf-8"), "tab.csv")
    assert result.errors == []
    one, two, three = result.drafts
    assert one.rubric == (RubricPoint("要点一", 2.0), RubricPoint("要点二", 3.0))
    assert one.points == 5.0
    assert two.rubric == (RubricPoint("指出A；说明B", 2.0), RubricPoint("说明C", 3.0))
    assert three.rubric == (RubricPoint("甲", 2.0), RubricPoint("乙", 2.0))
    assert messages(result.warnings) == [
        "row 4 [评分要点] the key points have no points: the 4 points were shared equally"
    ]


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("要点一（2 分）", [("要点一", 2.0)]),
        ("【2分】甲;[1.5]乙", [("甲", 2.0), ("乙", 1.5)]),
        ("①甲：2分\n②乙 — 3分", [("甲", 2.0), ("乙", 3.0)]),
        ("甲 (1 point)\n乙 (2 points)", [("甲", 1.0), ("乙", 2.0)]),
    ],
)
def test_rubric_syntax(text: str, parsed: list[tuple[str, float]]) -> None:
    result = parse_rubric(text, 5)
    assert [(p.text, p.points) for p in result.points] == parsed and result.errors == []


def test_rubric_with_points_on_only_some_lines_is_an_error() -> None:
    assert parse_rubric("甲(2分)\n乙", 5).errors == [
        "key point '乙' has no points; write them like 要点(2分)"
    ]


def test_errors_name_the_row_and_the_column_header() -> None:
    rows: list[list[Any]] = [
        ["试题类型", "题目", "选项A", "选项B", "选项C", "选项D", "正确答案", "分值", "难度", "级别",
         "乱序"],
        ["填空题", "一", "甲", "乙", None, None, "A", None, None, None, None],
        ["单选", "二", "甲", "乙", "丙", None, "D", None, None, None, None],
        ["单选", "三", "甲", None, "丙", None, "A", "两分", "很难", "特级", "也许"],
        ["多选", "四", "甲", "乙", "丙", "丁", "1,3", None, 6, None, None],
        ["单选", "五", "甲", "", "", "", "A", None, None, None, None],
    ]  # fmt: skip
    result = parse_excel(xlsx(rows), "bad.xlsx")
    assert messages(result.errors) == [
        "row 2 [试题类型] unknown question type '填空题' (use 单选, 多选, 简答 or 判断)",
        "row 3 [正确答案] the answer names option D, which is empty",
        "row 4 [选项B] option B is empty but option C is not",
        "row 4 [分值] '两分' is not a number",
        "row 4 [难度] '很难' is not a difficulty 1-5 (or 易, 较易, 中, 较难, 难)",
        "row 4 [级别] unknown level '特级' (use 初级, 中级, 高级 or 全部)",
        "row 4 [乱序] '也许' is not 是 or 否",
        "row 5 [正确答案] '1,3' is not a list of option letters such as A or A,C",
        "row 3 [正确答案] a single-choice question needs exactly one key, found 0",
        "row 5 [正确答案] a multiple-choice question needs at least two keys, found 0",
        "row 5 [难度] difficulty must be 1-5, got 6",
        "row 6 [选项] a single-choice question needs at least 2 options",
    ]


def test_a_sheet_without_a_header_row_is_refused() -> None:
    result = parse_excel(xlsx([["a", "b"], ["c", "d"]]), "x.xlsx")
    assert "no header row found in the first 10 rows" in result.errors[0].message


def test_the_first_sheet_with_a_header_is_read() -> None:
    book = Workbook()
    assert book.active is not None
    book.active.append(["封面"])
    book.create_sheet("题库").append(["题干", "参考答案"])
    book["题库"].append(["问", "答"])
    out = io.BytesIO()
    book.save(out)
    result = parse_excel(out.getvalue(), "two.xlsx")
    assert [d.stem for d in result.drafts] == ["问"]
    assert "questions read from sheet '题库'" in messages(result.warnings)[0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old .xls workbooks are not supported"),
        (b"PK\x03\x04garbage", "not a readable zip archive"),
        (b"<html>not a workbook</html>", "not a readable zip archive"),
    ],
)
def test_files_that_are_not_xlsx(data: bytes, message: str) -> None:
    assert message in parse_excel(data, "x.xlsx").errors[0].message


# -- CSV encodings ---------------------------------------------------------------------------

ROWS = [
    ["题型", "题干", "选项A", "选项B", "答案"],
    ["单选", "碳排放权交易的标的是：", "配额", "现金", "A"],
]


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gbk"), ("gb18030", "gbk")],
)
def test_csv_encodings_decode_to_the_right_chinese(encoding: str, expected: str) -> None:
    result = parse_csv(csv_text(ROWS).encode(encoding), "bank.csv")
    assert result.encoding == expected
    assert result.drafts[0].stem == "碳排放权交易的标的是："
    assert result.drafts[0].options[0].text == "配额"


def test_gb18030_only_characters() -> None:
    rows = [ROWS[0], ["单选", "㐀字与𠀀字属于扩展区汉字：", "是", "否", "A"]]
    data = csv_text(rows).encode("gb18030")
    with pytest.raises(UnicodeEncodeError):
        csv_text(rows).encode("gbk")
    result = parse_csv(data, "bank.csv")
    assert result.encoding == "gb18030"
    assert result.drafts[0].stem == "㐀字与𠀀字属于扩展区汉字："


def test_utf16_tab_separated_unicode_text() -> None:
    result = parse_csv(csv_text(ROWS, "\t").encode("utf-16"), "unicode.txt")
    assert result.encoding == "utf-16" and result.drafts[0].options[1].text == "现金"


@pytest.mark.parametrize(
    ("encoding", "sample"),
    [("big5", "碳排放權交易的標的是：配額"), ("latin-1", "café résumé naïve")],
)
def test_other_encodings_are_refused_not_garbled(encoding: str, sample: str) -> None:
    rows = [ROWS[0], ["单选", sample, "甲", "乙", "A"]]
    text = csv_text(rows).replace("单选", "x").replace("甲", "a").replace("乙", "b")
    text = text.replace("题型", "type").replace("题干", "stem").replace("答案", "answer")
    text = text.replace("选项A", "A").replace("选项B", "B")
    result = parse_csv(text.encode(encoding), "odd.csv")
    assert not result.drafts
    assert "neither UTF-8 nor GBK/GB18030" in result.errors[0].message


def test_quoted_cells_with_commas_and_newlines() -> None:
    data = '题干,参考答案,评分要点\n"第一行,\n第二行","答,案","甲(1分)\n乙(4分)"\n'.encode()
    draft = parse_csv(data, "q.csv").drafts[0]
    assert (draft.stem, draft.reference_answer) == ("第一行,\n第二行", "答,案")
    assert [p.points for p in draft.rubric] == [1.0, 4.0]


# -- writing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["excel", "csv"])
def test_round_trip_keeps_every_field(fmt: str) -> None:
    assert_round_trip(fmt, BANK, ALL_FIELDS)


def test_export_uses_the_template_layout() -> None:
    book = load_workbook(io.BytesIO(dump_excel(BANK)))
    assert [c.value for c in book["题目"][1]] == TEMPLATE_HEADERS
    assert [c.value for c in book["题目"][4]][:3] == ["trading.2.3-a01", "简答", BANK[2].stem]
    assert dump_csv(BANK).startswith("\ufeff题号,题型,题干".encode())


def test_formula_like_text_stays_text() -> None:
    draft = BANK[0].__class__(
        QuestionType.SINGLE,
        '=HYPERLINK("http://x")',
        (OptionDraft("A", "-5", True), OptionDraft("B", "+5"), OptionDraft("C", "@x")),
    )
    for dump, parse in ((dump_excel, parse_excel), (dump_csv, parse_csv)):
        back = parse(dump([draft]), "f").drafts[0]
        assert back.stem == draft.stem and back.options == draft.options
    assert b"'=HYPERLINK" in dump_csv([draft])
    cell = load_workbook(io.BytesIO(dump_excel([draft])))["题目"]["C2"]
    assert cell.data_type == "s"


def test_more_than_five_options_add_columns() -> None:
    options = tuple(OptionDraft(k, f"选{k}", k == "G") for k in "ABCDEFG")
    draft = BANK[0].__class__(QuestionType.SINGLE, "七个选项", options)
    header = dump_csv([draft]).decode("utf-8-sig").split("\r\n")[0]
    assert "选项E,选项F,选项G,答案" in header
    assert parse_csv(dump_csv([draft]), "x.csv").drafts[0].options == options


# -- properties ------------------------------------------------------------------------------


@PROPERTY
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    for parse in (parse_excel, parse_csv):
        result = parse(data, "fuzz")
        assert result.errors or result.drafts


@PROPERTY
@given(st.lists(st.lists(st.text(max_size=12), max_size=8), max_size=8))
def test_arbitrary_tables_never_raise(rows: list[list[str]]) -> None:
    header = [["题型", "题干", "选项A", "答案", "分值", "评分要点", "适用级别", "难度"]]
    result = parse_csv(csv_text(header + rows).encode(), "fuzz.csv")
    assert result.errors or result.drafts


WIDE = "碳排放权交易配额ABCxyz012，。：；（）<>&*_$\\{}~=#:\"'!?-+"


@PROPERTY
@given(banks(drafts(text=lambda: paragraphs(WIDE), line=lambda: words(WIDE), metadata=True)))
def test_generated_banks_round_trip_through_csv(bank: list) -> None:
    back = parse_csv(dump_csv(bank), "rt.csv")
    assert messages(back.errors) == []
    assert [view(d, ALL_FIELDS) for d in back.drafts] == [view(d, ALL_FIELDS) for d in bank]


@PROPERTY
@given(banks(drafts(text=lambda: paragraphs(WIDE), line=lambda: words(WIDE), metadata=True)))
def test_generated_banks_round_trip_through_xlsx(bank: list) -> None:
    back = parse_excel(dump_excel(bank), "rt.xlsx")
    assert messages(back.errors) == []
    assert [view(d, ALL_FIELDS) for d in back.drafts] == [view(d, ALL_FIELDS) for d in bank]
