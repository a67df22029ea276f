"""Aiken: Moodle's fixtures (the error file keeps its 2 good questions and reports the rest),
full-width variants, raw HTML kept as text, and round trips."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from qbank.authoring.draft import OptionDraft, QuestionType
from qbank.authoring.formats.aiken import dump_aiken, parse_aiken
from qbank.authoring.formats.htmltext import markdown_to_html
from tests.authoring.test_formats_common import (
    AIKEN_FIELDS,
    BANK,
    PROPERTY,
    assert_round_trip,
    banks,
    drafts,
    fixture_bytes,
    messages,
    view,
    words,
)

OPTION_LIKE = re.compile(r"^[A-Za-z]\s*[.)、．）]|^(ANSWER|答案)\s*[:：]", re.I)


def test_questions_fixture() -> None:
    result = parse_aiken(fixture_bytes("aiken/questions.aiken.txt"), "questions.aiken.txt")
    assert result.errors == []
    first, second = result.drafts
    assert first.stem == "The Moodle project was started by:"
    assert [o.text for o in first.options] == [
        "Petr Skoda",
        "Martin Dougiamas",
        "Eloy Lafuente",
        "Tim Hunt",
    ]
    assert first.keys == ("B",)
    stem = 'Moodle\'s abilities include handling user input that includes <html class="cool"> & images:'
    assert second.stem == stem and second.keys == ("A",)
    assert "&lt;html class=&quot;cool&quot;&gt; &amp; images" in markdown_to_html(second.stem)


def test_errors_fixture_keeps_the_good_questions_and_reports_the_rest() -> None:
    result = parse_aiken(fixture_bytes("aiken/aiken_errors.txt"), "aiken_errors.txt")
    assert [(d.stem, d.options, d.location) for d in result.drafts] == [
        (
            "A good question",
            (OptionDraft("A", "Correct", True), OptionDraft("B", "Incorrect")),
            "aiken_errors.txt:9",
        ),
        (
            "A second good question",
            (
                OptionDraft("A", "Incorrect (No space)"),
                OptionDraft("B", "Correct (No space)", True),
            ),
            "aiken_errors.txt:18",
        ),
    ]
    assert messages(result.errors) == [
        "aiken_errors.txt:1 [options] question 'A question with too few answers' needs at least "
        "2 options, found 1",
        "aiken_errors.txt:5 [options] option 'A) Question not started' has no question before it",
        "aiken_errors.txt:7 [answer] ANSWER line without a question before it",
        "aiken_errors.txt:14 [answer] question 'A question started but not finished' has no "
        "ANSWER line before the next question (line 18)",
    ]


def test_chinese_variants_and_answer_problems() -> None:
    text = (
        "温室气体之所以能使地表增温，是因为它们能够：\n"
        "Ａ．吸收紫外线\nB）吸收并重新放出红外辐射\nC、反射可见光\n答案：B\n\n"
        "多行题干第一行\n第二行\nA. 甲\nB. 乙\nANSWER: E\n\n"
        "第三题\nA. 甲\nB. 乙\nANSWER: AB\n\n"
        "最后一题\nA. 甲\nB. 乙\n"
    )
    result = parse_aiken(text.encode("gb18030"), "cn.txt")
    assert result.encoding == "gbk"
    (draft,) = result.drafts
    assert [o.text for o in draft.options] == ["吸收紫外线", "吸收并重新放出红外辐射", "反射可见光"]
    assert draft.keys == ("B",) and draft.type is QuestionType.SINGLE
    assert messages(result.errors) == [
        "cn.txt:11 [answer] question '多行题干第一行\n第二行': ANSWER E names no option (options: A, B)",
        "cn.txt:16 [answer] question '第三题': ANSWER must be one option letter, not 'AB'",
        "cn.txt:18 [answer] question '最后一题' has no ANSWER line",
    ]


def test_round_trip_and_skipped_types() -> None:
    assert_round_trip("aiken", [BANK[0]], AIKEN_FIELDS)
    warnings: list = []
    text = dump_aiken(BANK, warnings).decode()
    assert text.count("ANSWER:") == 1 and "B) 排放因子" in text
    assert messages(warnings) == [
        "management.1.1-m01 [type] skipped: Aiken has only single choice, not multiple",
        "trading.2.3-a01 [type] skipped: Aiken has only single choice, not short",
    ]


def test_line_breaks_become_spaces_on_export() -> None:
    draft = BANK[0].__class__(
        QuestionType.SINGLE, "一\n二", (OptionDraft("A", "甲", True), OptionDraft("B", "乙"))
    )
    warnings: list = []
    assert dump_aiken([draft], warnings).decode().startswith("一 二\nA) 甲\n")
    assert messages(warnings) == ["question 1 [stem] line breaks became spaces"]


@PROPERTY
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    result = parse_aiken(data, "fuzz.txt")
    assert result.errors or result.drafts


@PROPERTY
@given(
    st.lists(
        st.sampled_from(
            [
                "A) x",
                "B. y",
                "ANSWER: A",
                "ANSWER: Z",
                "",
                "题干",
                "Ａ．甲",
                "答案：B",
                "I) i",
                "<b>x</b>",
            ]
        ),
        max_size=30,
    )
)
def test_arbitrary_aiken_like_lines_never_raise(lines: list[str]) -> None:
    result = parse_aiken("\n".join(lines).encode(), "fuzz.txt")
    assert result.errors or result.drafts


AIKEN_TEXT = "碳排放权交易配额ABCxyz012，。：；（）<>&*_$"


def stems() -> st.SearchStrategy[str]:
    """Aiken stems cannot start like an option line ("A）…"): that is the format's own limit."""
    return words(AIKEN_TEXT).filter(lambda s: not OPTION_LIKE.match(s))


@PROPERTY
@given(banks(drafts(kinds=("single",), text=stems, line=lambda: words(AIKEN_TEXT))))
def test_generated_banks_round_trip(bank: list) -> None:
    back = parse_aiken(dump_aiken(bank), "rt.txt")
    assert messages(back.errors) == []
    assert [view(d, AIKEN_FIELDS) for d in back.drafts] == [view(d, AIKEN_FIELDS) for d in bank]
