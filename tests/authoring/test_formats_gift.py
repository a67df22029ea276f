"""GIFT: Moodle's fixtures, escapes, format markers, unsupported kinds and round trips."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from qbank.authoring.draft import OptionDraft, QuestionType, RubricPoint
from qbank.authoring.formats.gift import dump_gift, escape_gift, parse_gift
from tests.authoring.test_formats_common import (
    BANK,
    GIFT_FIELDS,
    PROPERTY,
    assert_round_trip,
    banks,
    drafts,
    fixture_bytes,
    messages,
    paragraphs,
    view,
    words,
)

TRUE_FALSE = ("正确", "错误")


def test_questions_fixture() -> None:
    result = parse_gift(fixture_bytes("gift/questions.gift.txt"), "questions.gift.txt")
    got = [(d.type.value, d.stem, [(o.text, o.correct) for o in d.options]) for d in result.drafts]
    assert got == [
        ("short", "How are you?", []),
        ("single", "What's between orange and green in the spectrum?",
         [("yellow", True), ("red", False), ("blue", False)]),
        ("multiple", "What's between orange and green in the spectrum?",
         [("yellow", True), ("red", False), ("off-beige", True), ("blue", False)]),
        ("short", "Which is the best animal?", []),
        ("single", "42 is the Absolute Answer to everything.",
         [("正确", False), ("错误", True)]),
        ("single", "TSL is blablabla.", [("正确", True), ("错误", False)]),
        ("single", "TSL is blablabla.", [("正确", True), ("错误", False)]),
    ]  # fmt: skip
    assert [dict(d.extra)["title"] for d in result.drafts] == [
        "Q8", "Q2", "colours", "Shortanswer", "Q1", "2-08 TSL", "2-08 TSL"
    ]  # fmt: skip
    assert result.drafts[3].reference_answer == "Frog；Cat（50%）"
    assert result.drafts[4].explanation == (
        "This is, of course, a Hitchiker's Guide to the Galaxy reference."
    )
    assert messages(result.errors) == [
        "questions.gift.txt:5 [type] question 'Moodle activities': GIFT matching (->) questions "
        "are not supported",
        "questions.gift.txt:31 [type] question 'Q5': GIFT numerical ({#…}) questions are not "
        "supported",
        "questions.gift.txt:2 [reference_answer] a short-answer question needs a reference answer",
    ]
    assert "questions.gift.txt:14 GIFT answer feedback dropped" in messages(result.warnings)
    assert "questions.gift.txt:41 stray text after the answers ignored: '\";'" in messages(
        result.warnings
    )


def test_questions_in_category_fixture() -> None:
    data = fixture_bytes("gift/questions_in_category.gift.txt")
    result = parse_gift(data, "cat.gift.txt")
    assert {d.section for d in result.drafts} == {"$course$/Default for New Features"}
    greeting, user, acronym = result.drafts
    assert greeting.stem == "Listen to this greeting:\n\nWhat language is being spoken?"
    assert greeting.keys == ("B",) and greeting.options[1].text == "French"
    assert (user.type, user.reference_answer) == (QuestionType.SHORT, "Moodler")
    assert acronym.stem == (
        "Moodle is an acronym for Modular Object-Oriented Dynamic Learning Environment."
    )
    assert acronym.keys == ("A",)
    assert messages(result.errors) == [
        "cat.gift.txt:5 [type] question 'Moodle activities': GIFT matching (->) questions are "
        "not supported"
    ]


def test_escapes_and_format_markers() -> None:
    text = r"""// comment
::a\:b::[markdown]排放量 $E \= AD \\times EF$，括号 \{x\}，井号 \#，波浪 \~\n第二行{
  =[plain]正确 \= 是
  ~错误#反馈
  ####解析 \: 见[条例]
}"""
    result = parse_gift(text.encode(), "e.gift")
    assert result.errors == []
    (draft,) = result.drafts
    assert dict(draft.extra)["title"] == "a:b"
    assert draft.stem == "排放量 $E = AD \\times EF$，括号 {x}，井号 #，波浪 ~\n第二行"
    assert draft.options == (OptionDraft("A", "正确 = 是", True), OptionDraft("B", "错误"))
    assert draft.explanation == "解析 : 见[条例]"


def test_missing_word_and_essay_grader_notes() -> None:
    text = (
        "碳市场于 {=2021年 ~2020年} 启动。\n\n"
        "::e::简述MRV。{\n####解析。\\n\\n**参考答案**\\n监测、报告、核查。\\n\\n**评分要点**\\n"
        "1. 监测（2分）\\n2. 报告与核查（3分）\n}\n"
    )
    missing, essay = parse_gift(text.encode(), "m.gift").drafts
    assert missing.stem == "碳市场于 _____ 启动。" and missing.keys == ("A",)
    assert (essay.explanation, essay.reference_answer, essay.points) == (
        "解析。",
        "监测、报告、核查。",
        5.0,
    )
    assert essay.rubric == (RubricPoint("监测", 2.0), RubricPoint("报告与核查", 3.0))


def test_malformed_questions_have_lines() -> None:
    text = "::t:: no answers here\n\n::u:: open {=a ~b\n\n::v:: {~%33%a ~%67%b}\n\n::w\n"
    assert messages(parse_gift(text.encode(), "bad.gift").errors) == [
        "bad.gift:1 question 't' has no answer block {…}",
        "bad.gift:3 question 'u': '{' without a closing '}'",
        "bad.gift:5 [answer] weight %33% is not a Moodle grade; use %33.33333%",
        "bad.gift:5 [answer] weight %67% is not a Moodle grade; use %66.66667%",
        "bad.gift:7 [title] '::' title without its closing '::'",
        "bad.gift:5 [stem] the stem is empty",
        "bad.gift:5 [options] a multiple-choice question needs at least 3 options",
    ]


def test_gbk_gift_file() -> None:
    result = parse_gift("碳排放权交易的标的是？{=配额 ~现金}".encode("gbk"), "gbk.gift")
    assert result.encoding == "gbk" and result.drafts[0].options[0].text == "配额"


def test_round_trip() -> None:
    result = assert_round_trip("gift", BANK, GIFT_FIELDS)
    assert result.drafts[2].points == 5.0


def test_escape_gift() -> None:
    assert escape_gift("a=b~c#d{e}f:g\\h\ni") == "a\\=b\\~c\\#d\\{e\\}f\\:g\\\\h\\ni"


def test_export_layout() -> None:
    text = dump_gift(BANK).decode()
    assert "$CATEGORY: management.2.1" in text
    assert "::management.2.1-s01::[markdown]" in text
    assert "~%33.33333%CO2" in text and "~%-100%氮气" in text


@PROPERTY
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    result = parse_gift(data, "fuzz.gift")
    assert result.errors or result.drafts


@PROPERTY
@given(st.text(alphabet="{}~=#:%\\-> \n\tTF甲乙1[html]<b>$CATEGORY//", max_size=200))
def test_arbitrary_gift_like_text_never_raises(text: str) -> None:
    result = parse_gift(text.encode(), "fuzz.gift")
    assert result.errors or result.drafts


GIFT_TEXT = "碳排放权交易配额ABCxyz012，。：；（）{}~=#:\\%$-"


@PROPERTY
@given(banks(drafts(text=lambda: paragraphs(GIFT_TEXT), line=lambda: words(GIFT_TEXT))))
def test_generated_banks_round_trip(bank: list) -> None:
    bank = [replace(d, section=d.section or "management.4.1") for d in bank]
    back = parse_gift(dump_gift(bank), "rt.gift")
    assert messages(back.errors) == []
    assert [view(d, GIFT_FIELDS) for d in back.drafts] == [view(d, GIFT_FIELDS) for d in bank]
