"""Moodle XML: Moodle's own test fixtures, unsupported types, HTML to Markdown, malformed input
and round trips through our export."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qbank.authoring.draft import OptionDraft, QuestionType, RubricPoint
from qbank.authoring.formats.moodle import parse_moodle
from qbank.authoring.formats.moodle_export import dump_moodle
from tests.authoring.test_formats_common import (
    BANK,
    MOODLE_FIELDS,
    PROPERTY,
    assert_round_trip,
    banks,
    drafts,
    fixture_bytes,
    messages,
    view,
)

TRUE_FALSE = (OptionDraft("A", "正确", True), OptionDraft("B", "错误", False))


def parse_fixture(name: str):  # type: ignore[no-untyped-def]
    return parse_moodle(fixture_bytes(f"moodle_xml/{name}"), name)


def test_multichoice_fixture() -> None:
    result = parse_fixture("qtype_multichoice_testquestion.moodle.xml")
    assert result.errors == []
    (draft,) = result.drafts
    assert draft.type is QuestionType.MULTIPLE
    assert draft.stem == "Find the capital cities in Europe."
    assert [o.text for o in draft.options] == ["Tokyo", "Spain", "London", "Barcelona", "Paris"]
    assert draft.keys == ("C", "E")
    assert draft.explanation == "Berlin, Paris and London"
    assert (draft.section, draft.points, draft.shuffle) == ("$course$/Default for C1", 1.0, True)
    assert messages(result.warnings) == [
        "question 1 'Multi-choice-001' (line 12) Moodle feedback dropped: 2 hints"
    ]


def test_essay_fixture_needs_a_reference_answer() -> None:
    result = parse_fixture("qtype_essay_testquestion.moodle.xml")
    (draft,) = result.drafts
    assert (draft.type, draft.stem) == (QuestionType.SHORT, "Write an essay with 500 words.")
    assert draft.explanation == "This is general feedback"
    assert draft.rubric == (RubricPoint("答出参考答案的要点", 1.0),)
    assert messages(result.errors) == [
        "question 1 'essay-001' (line 12) [reference_answer] a short-answer question needs a "
        "reference answer"
    ]


def test_shortanswer_fixture_becomes_a_short_answer_with_warnings() -> None:
    result = parse_fixture("qtype_shortanswer_testquestion.moodle.xml")
    assert result.errors == []
    (draft,) = result.drafts
    assert draft.type is QuestionType.SHORT
    assert draft.stem == "Name an amphibian: __________"
    assert draft.reference_answer == "frog；toad（80%）"
    assert draft.explanation == "Generalfeedback: frog or toad would have been OK."
    assert [w.message for w in result.warnings] == [
        "Moodle short answer: the accepted answers became the reference answer; qbank short "
        "answers are marked by hand",
        "no rubric: one key point worth the full points was created",
        "Moodle feedback dropped: answer feedback",
    ]


def test_nested_categories_fixture() -> None:
    result = parse_fixture("nested_categories_with_questions.xml")
    assert [(d.stem, d.section) for d in result.drafts] == [
        ("Testing Iota Question", "$course$/Iota"),
        ("Testing Kappa Essay Question", "$course$/Iota/Kappa"),
        ("Testing Kappa Question", "$course$/Iota/Kappa"),
        ("Testing Lambda Question", "$course$/Iota/Kappa/Lambda"),
        ("Testing Mu Question", "$course$/Iota/Mu"),
    ]
    true_false = [d for d in result.drafts if d.type is QuestionType.SINGLE]
    assert len(true_false) == 4
    assert all(d.options == TRUE_FALSE and not d.shuffle for d in true_false)
    assert messages(result.errors) == [
        "question 2 'Kappa Essay Question' (line 55) [reference_answer] a short-answer question "
        "needs a reference answer"
    ]


def test_invalid_grades_fixture_is_refused_precisely() -> None:
    result = parse_fixture("error_invalid_grades.xml")
    assert messages(result.errors) == [
        "question 1 'Question with <strong>invalid grades</strong> : x > 1 & x…' (line 4) "
        "[answer 2] fraction 33 (line 38) is not a Moodle grade; use 33.33333"
    ]
    (draft,) = result.drafts
    assert draft.stem == "Select all prime numbers :"
    assert [o.text for o in draft.options] == ["1", "2", "3", "4", "5"]
    assert draft.keys == ("B", "C", "E")
    assert "Moodle partial credit noted (A -50%, B 33%, C 33.33333%" in result.warnings[0].message


def test_html_chars_in_idnumbers_fixture() -> None:
    result = parse_fixture("html_chars_in_idnumbers.xml")
    assert result.errors == []
    (draft,) = result.drafts
    assert (draft.external_id, draft.section, draft.stem) == (
        "T & F",
        "$course$/Alpha",
        "Testing Alpha Question",
    )
    assert draft.options == TRUE_FALSE


UNSUPPORTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="multichoice">
    <name><text>ok</text></name>
    <questiontext format="html"><text>2 + 2 = ?</text></questiontext>
    <single>true</single>
    <answer fraction="100"><text>4</text></answer>
    <answer fraction="0"><text>5</text></answer>
  </question>
  <question type="matching"><name><text>Match gases</text></name></question>
  <question type="numerical"><name><text>Number</text></name></question>
  <question type="calculatedsimple"><name><text>Calc</text></name></question>
  <question type="cloze"><name><text>Cloze</text></name></question>
  <question type="ddwtos"><name><text>Drag</text></name></question>
  <question type="description"><name><text>Intro</text></name></question>
</quiz>
"""


def test_unsupported_types_are_errors_naming_the_type_and_place() -> None:
    result = parse_moodle(UNSUPPORTED, "mixed.xml")
    assert messages(result.errors) == [
        "question 2 'Match gases' (line 10) [type] Moodle question type 'matching' is not supported",
        "question 3 'Number' (line 11) [type] Moodle question type 'numerical' is not supported",
        "question 4 'Calc' (line 12) [type] Moodle question type 'calculatedsimple' is not "
        "supported",
        "question 5 'Cloze' (line 13) [type] Moodle question type 'cloze' is not supported",
        "question 6 'Drag' (line 14) [type] Moodle question type 'ddwtos' is not supported",
        "question 7 'Intro' (line 15) [type] Moodle question type 'description' is not supported",
    ]
    assert [d.stem for d in result.drafts] == ["2 + 2 = ?"]


def test_malformed_xml_is_one_error_with_its_line() -> None:
    broken = b'<?xml version="1.0"?>\n<quiz>\n  <question type="essay">\n    <name><text>x</name>\n'
    result = parse_moodle(broken, "broken.xml")
    assert messages(result.errors) == [
        "broken.xml:4 malformed XML: mismatched tag (line 4, column 20)"
    ]


def test_a_file_that_is_not_moodle_xml() -> None:
    result = parse_moodle(b"<html><body>hi</body></html>", "page.xml")
    assert messages(result.errors) == [
        "page.xml:1 not a Moodle XML file: the root element is <html>, not <quiz>"
    ]


TAGGED = """<?xml version="1.0" encoding="GBK"?>
<quiz>
  <question type="category"><category><text>$course$/碳交易/第二部分/碳排放权交易流程</text>
  </category></question>
  <question type="multichoice">
    <name><text>清缴</text></name>
    <questiontext format="html"><text><![CDATA[
      <p>重点排放单位应当在规定时限内：</p>
      <ul><li>足额<b>清缴</b>配额</li><li>提交报告</li></ul>
      <p>下列说法正确的是<br>（单选）&nbsp;&amp;&lt;&gt;</p>
      <script>alert(1)</script><style>p{color:red}</style>
      <p>CO<sub>2</sub>，m<sup>3</sup>，\\(E = AD \\times EF\\)</p>
    ]]></text></questiontext>
    <generalfeedback format="markdown"><text>见**条例**第十四条。</text></generalfeedback>
    <defaultgrade>2</defaultgrade>
    <idnumber>trading.2.3-s07</idnumber>
    <single>1</single>
    <shuffleanswers>0</shuffleanswers>
    <answer fraction="100" format="plain_text"><text>按年度清缴</text>
      <feedback><text>对</text></feedback></answer>
    <answer fraction="50" format="plain_text"><text>按季度清缴</text></answer>
    <answer fraction="0" format="plain_text"><text>无需清缴</text></answer>
    <tags><tag><text>配额清缴</text></tag><tag><text>履约</text></tag></tags>
  </question>
</quiz>
"""


def test_html_tags_category_and_gbk_declaration() -> None:
    result = parse_moodle(TAGGED.encode("gbk"), "gbk.xml")
    assert result.errors == []
    (draft,) = result.drafts
    assert draft.stem == (
        "重点排放单位应当在规定时限内：\n\n- 足额**清缴**配额\n- 提交报告\n\n"
        "下列说法正确的是\n（单选） &<>\n\nCO2，m³，$E = AD \\times EF$"
    )
    assert draft.section == "$course$/碳交易/第二部分/碳排放权交易流程"
    assert (draft.external_id, draft.points, draft.shuffle) == ("trading.2.3-s07", 2.0, False)
    assert draft.tags == ("配额清缴", "履约")
    assert draft.explanation == "见**条例**第十四条。"
    assert draft.keys == ("A",)
    assert [w.message for w in result.warnings] == [
        "Moodle partial credit not kept (B 50%): qbank scores these options as wrong",
        "Moodle feedback dropped: answer feedback",
    ]


def test_bad_numbers_and_missing_keys() -> None:
    data = b"""<quiz>
<question type="truefalse"><name><text>tf</text></name>
  <questiontext><text>T?</text></questiontext><defaultgrade>two</defaultgrade>
  <answer fraction="0"><text>true</text></answer><answer fraction="0"><text>false</text></answer>
</question>
<question type="multichoice"><name><text>mc</text></name>
  <questiontext><text>M?</text></questiontext><single>true</single>
  <answer fraction="x"><text>a</text></answer><answer fraction="0"><text></text></answer>
</question></quiz>"""
    assert messages(parse_moodle(data, "n.xml").errors) == [
        "question 1 'tf' (line 2) [defaultgrade] 'two' is not a number",
        "question 1 'tf' (line 2) [answer] no answer has a positive fraction",
        "question 2 'mc' (line 6) [answer 1] 'x' is not a number",
        "question 1 'tf' (line 2) [answer] a single-choice question needs exactly one key, found 0",
        "question 2 'mc' (line 6) [options] option B is empty",
        "question 2 'mc' (line 6) [answer] a single-choice question needs exactly one key, found 0",
    ]


def test_round_trip() -> None:
    assert_round_trip("moodle", BANK, MOODLE_FIELDS)


def test_export_is_moodle_xml_with_categories_and_html() -> None:
    text = dump_moodle(BANK).decode()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')
    assert "<text>management.2.1</text>" in text
    assert '<question type="essay">' in text and "<idnumber>trading.2.3-a01</idnumber>" in text
    assert r"\(E = AD \times EF\)" in text
    assert '<answer fraction="33.33333" format="html">' in text
    assert '<answer fraction="-100" format="html">' in text


@pytest.mark.parametrize("stem", ["a < b & c", "<img src=x onerror=alert(1)>", "]]> CDATA end"])
def test_export_escapes_text(stem: str) -> None:
    draft = BANK[0].__class__(**{**BANK[0].__dict__, "stem": stem})
    assert parse_moodle(dump_moodle([draft]), "e.xml").drafts[0].stem == stem


@PROPERTY
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    result = parse_moodle(data, "fuzz.xml")
    assert result.errors or result.drafts


QUIZ_PARTS = st.sampled_from([
    "<question type='multichoice'>", "<question type='essay'>", "<question type='truefalse'>",
    "<question type='category'>", "</question>", "<answer fraction='100'>", "<answer fraction='-5'>",
    "</answer>", "<text>", "</text>", "<questiontext format='html'>", "</questiontext>",
    "<single>false</single>", "<defaultgrade>x</defaultgrade>", "<![CDATA[<p><b>x</b><img>]]>",
    "<graderinfo format='html'>", "</graderinfo>", "<category>", "</category>", "甲", "&amp;",
])  # fmt: skip


@PROPERTY
@given(st.lists(QUIZ_PARTS, max_size=40))
def test_arbitrary_question_soup_never_raises(parts: list[str]) -> None:
    result = parse_moodle(("<quiz>" + "".join(parts) + "</quiz>").encode(), "soup.xml")
    assert result.errors or result.drafts


@PROPERTY
@given(banks(drafts()))
def test_generated_banks_round_trip(bank: list) -> None:
    bank = [replace(d, section=d.section or "management.4.1") for d in bank]  # Moodle files
    # every question in a category: one without a section would stay in the previous one
    back = parse_moodle(dump_moodle(bank), "rt.xml")
    assert messages(back.errors) == []
    assert [view(d, MOODLE_FIELDS) for d in back.drafts] == [view(d, MOODLE_FIELDS) for d in bank]
