"""What every format shares: the registry and detection, the guard rails (size cap, empty files,
zip bombs, XML DTDs and entities, inert HTML), the qbank YAML wrapper, and the helpers the other
test_formats_* modules use (fixture files, a sample bank, round-trip comparison, strategies)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qbank.authoring.draft import (
    LEVEL_CODES,
    OptionDraft,
    Problem,
    QuestionDraft,
    QuestionType,
    RubricPoint,
)
from qbank.authoring.formats.htmltext import markdown_to_html
from qbank.authoring.formats.registry import (
    FORMATS,
    detect_format,
    export_file,
    parse_file,
)
from qbank.authoring.formats.result import MB, ParseResult, open_zip

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "formats"
PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def fixture_bytes(relative: str) -> bytes:
    """A shared fixture file; a missing one fails the test (it is never skipped)."""
    path = FIXTURES / relative
    if not path.is_file():
        pytest.fail(
            f"interchange-format fixture missing: {path}. The shared fixtures must sit beside "
            "the checkout at ../shared/fixtures/formats (see shared/README.md)",
            pytrace=False,
        )
    return path.read_bytes()


def messages(problems: Sequence[Problem]) -> list[str]:
    return [str(p) for p in problems]


BANK: list[QuestionDraft] = [
    QuestionDraft(
        QuestionType.SINGLE,
        "某企业燃烧天然气，排放量按 $E = AD \\times EF$ 计算，其中 $EF$ 指：",
        (
            OptionDraft("A", "活动数据"),
            OptionDraft("B", "排放因子", True),
            OptionDraft("C", "碳氧化率"),
            OptionDraft("D", "全球增温潜势（GWP）"),
        ),
        explanation="$EF$ 是排放因子。\n$AD$ 是活动数据，如燃料消耗量。",
        points=1.0,
        section="management.2.1",
        levels=("junior", "intermediate"),
        difficulty=2,
        source="GB/T 32150-2015",
        tags=("核算", "排放因子"),
        shuffle=False,
        external_id="management.2.1-s01",
    ),
    QuestionDraft(
        QuestionType.MULTIPLE,
        "下列属于《京都议定书》附件A所列温室气体的有：",
        (
            OptionDraft("A", "CO2", True),
            OptionDraft("B", "氮气"),
            OptionDraft("C", "CH4", True),
            OptionDraft("D", "N2O", True),
            OptionDraft("E", "氧气"),
        ),
        explanation="氮气、氧气不吸收红外辐射，不是温室气体。",
        points=2.0,
        section="management.1.1",
        tags=("京都议定书",),
        enemy_group="kyoto-gases",
        secondary_sections=("management.1.3",),
        external_id="management.1.1-m01",
    ),
    QuestionDraft(
        QuestionType.SHORT,
        "某电厂年耗煤 $AD = 1000$ t，排放因子 $EF = 2.5$ tCO2/t。\n\n请计算其年排放量并说明依据。",
        explanation="按 $E = AD \\times EF$ 计算。",
        reference_answer="$E = 1000 \\times 2.5 = 2500$ tCO2。\n依据：排放量等于活动数据乘以排放因子。",
        rubric=(RubricPoint("写出计算公式", 2.0), RubricPoint("算出 2500 tCO2", 3.0)),
        points=5.0,
        section="trading.2.3",
        levels=("intermediate", "senior"),
        difficulty=3,
        external_id="trading.2.3-a01",
    ),
]

ALL_FIELDS = (
    "type", "stem", "options", "explanation", "reference_answer", "rubric", "effective_points",
    "section", "secondary_sections", "levels", "difficulty", "source", "tags", "enemy_group",
    "shuffle", "external_id",
)  # fmt: skip
MOODLE_FIELDS = (
    "type", "stem", "options", "explanation", "reference_answer", "rubric", "effective_points",
    "section", "tags", "shuffle", "external_id",
)  # fmt: skip
GIFT_FIELDS = ("type", "stem", "options", "explanation", "reference_answer", "rubric", "section")
QTI_FIELDS = (
    "type", "stem", "options", "explanation", "reference_answer", "rubric", "effective_points",
    "shuffle", "external_id",
)  # fmt: skip
AIKEN_FIELDS = ("type", "stem", "options")


def view(draft: QuestionDraft, fields: Sequence[str]) -> dict[str, object]:
    out = {f: getattr(draft, f) for f in fields}
    if "shuffle" in out and draft.type is QuestionType.SHORT:
        out["shuffle"] = True  # shuffling means nothing without options
    return out


def assert_round_trip(
    fmt: str, drafts: Sequence[QuestionDraft], fields: Sequence[str]
) -> ParseResult:
    exported = export_file(fmt, drafts)
    result = parse_file(exported.data, exported.filename)
    assert result.format == fmt
    assert messages(result.errors) == []
    assert [view(d, fields) for d in result.drafts] == [view(d, fields) for d in drafts]
    return result


# -- strategies --------------------------------------------------------------------------------

HANZI = "碳排放权交易配额核查报告温室气体企业单位年度数据因子计算燃料煤电力热力甲烷氧化亚氮"
SAFE = HANZI + "ABCDEFGHxyz0123456789，。：；（）、%"  # no Markdown syntax


def words(alphabet: str = SAFE, max_size: int = 30) -> st.SearchStrategy[str]:
    """One line of text without leading/trailing or repeated spaces."""
    return (
        st.text(alphabet + " ", min_size=1, max_size=max_size)
        .map(lambda s: " ".join(s.split()))
        .filter(bool)
    )


def paragraphs(alphabet: str = SAFE) -> st.SearchStrategy[str]:
    return st.lists(words(alphabet), min_size=1, max_size=3).map("\n".join)


@st.composite
def drafts(
    draw: st.DrawFn,
    kinds: Sequence[str] = ("single", "multiple", "short"),
    text: Callable[[], st.SearchStrategy[str]] = paragraphs,
    line: Callable[[], st.SearchStrategy[str]] = words,
    metadata: bool = False,
) -> QuestionDraft:
    kind = QuestionType(draw(st.sampled_from(kinds)))
    extra: dict[str, object] = {}
    if kind is QuestionType.SHORT:
        rubric = draw(
            st.lists(
                st.tuples(st.text(HANZI, min_size=1, max_size=12), st.integers(1, 4)),
                min_size=1,
                max_size=3,
                unique_by=lambda t: t[0],
            )
        )
        extra["rubric"] = tuple(RubricPoint(t, float(p)) for t, p in rubric)
        extra["points"] = float(sum(p for _, p in rubric))
        extra["reference_answer"] = draw(text())
    else:
        low = 2 if kind is QuestionType.SINGLE else 3
        texts = draw(st.lists(line(), min_size=low, max_size=6, unique=True))
        if kind is QuestionType.SINGLE:
            keys = {draw(st.integers(0, len(texts) - 1))}
        else:
            keys = set(draw(st.lists(st.integers(0, len(texts) - 1), min_size=2, unique=True)))
        extra["options"] = tuple(
            OptionDraft("ABCDEFGH"[i], t, i in keys) for i, t in enumerate(texts)
        )
        extra["shuffle"] = draw(st.booleans())
        extra["points"] = draw(st.sampled_from([None, 1.0, 2.0, 1.5]))
    if metadata:
        chosen = draw(st.sets(st.sampled_from(LEVEL_CODES), min_size=1))
        extra["levels"] = tuple(c for c in LEVEL_CODES if c in chosen)
        extra["difficulty"] = draw(st.none() | st.integers(1, 5))
        extra["source"] = draw(st.just("") | words())
        extra["tags"] = tuple(
            draw(st.lists(st.text(HANZI, min_size=1, max_size=6), max_size=3, unique=True))
        )
    return QuestionDraft(
        type=kind,
        stem=draw(text()),
        explanation=draw(st.just("") | text()),
        section=draw(st.sampled_from(["", "management.1.1", "trading.2.3"])),
        **extra,  # type: ignore[arg-type]
    )


def banks(draft: st.SearchStrategy[QuestionDraft]) -> st.SearchStrategy[list[QuestionDraft]]:
    """1–5 drafts with unique IDs such as management.1.1-q3."""
    return st.lists(draft, min_size=1, max_size=5).map(
        lambda ds: [replace(d, external_id=f"{d.section or 'bank'}-q{i}") for i, d in enumerate(ds)]
    )


# -- registry --------------------------------------------------------------------------------

COVERED_FIXTURES = {  # each is asserted in test_formats_<format>.py
    "aiken/aiken_errors.txt", "aiken/questions.aiken.txt", "gift/questions.gift.txt",
    "gift/questions_in_category.gift.txt", "moodle_xml/error_invalid_grades.xml",
    "moodle_xml/html_chars_in_idnumbers.xml", "moodle_xml/nested_categories_with_questions.xml",
    "moodle_xml/qtype_essay_testquestion.moodle.xml",
    "moodle_xml/qtype_multichoice_testquestion.moodle.xml",
    "moodle_xml/qtype_shortanswer_testquestion.moodle.xml",
    "qti/qti21_choice_multiple_custom_rp_Choicemultiple_871212949.xml",
    "qti/qti21_single_choice_Q01.xml", "qti/qti22_choice_multiple.xml",
    "qti/qti22_essay_human_scored.xml",
}  # fmt: skip


def test_every_shared_fixture_has_a_test() -> None:
    fixture_bytes("SOURCES.md")  # fails clearly when the folder is missing
    present = {p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*") if p.is_file()} - {
        "SOURCES.md"
    }
    assert present == COVERED_FIXTURES


@pytest.mark.parametrize("relative", sorted(COVERED_FIXTURES))
def test_every_fixture_parses_through_the_registry(relative: str) -> None:
    result = parse_file(fixture_bytes(relative), Path(relative).name)
    assert result.format == relative.split("/")[0].replace("moodle_xml", "moodle")
    assert result.drafts


def test_every_format_is_registered_with_an_exporter() -> None:
    assert list(FORMATS) == ["excel", "csv", "moodle", "gift", "aiken", "qti", "native"]
    for spec in FORMATS.values():
        assert spec.label and spec.extensions and spec.dump and spec.media_type


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_exports_are_detected_as_their_format(fmt: str) -> None:
    exported = export_file(fmt, BANK)
    assert detect_format(exported.filename, exported.data) == fmt
    assert detect_format("upload", exported.data) in (fmt, None)


@pytest.mark.parametrize(
    ("relative", "fmt"),
    [
        ("moodle_xml/qtype_multichoice_testquestion.moodle.xml", "moodle"),
        ("gift/questions.gift.txt", "gift"),
        ("aiken/questions.aiken.txt", "aiken"),
        ("qti/qti21_single_choice_Q01.xml", "qti"),
    ],
)
def test_fixtures_are_detected_by_content(relative: str, fmt: str) -> None:
    data = fixture_bytes(relative)
    assert detect_format(Path(relative).name, data) == fmt
    assert detect_format("upload.txt" if fmt in ("gift", "aiken") else "x.xml", data) == fmt


def test_unknown_format_is_an_error_not_an_exception() -> None:
    result = parse_file(b"\x89PNG\r\n\x1a\n....", "photo.png")
    assert not result.ok
    assert "unknown file format" in result.errors[0].message
    assert "unknown file format 'pdf'" in parse_file(b"x", "a.pdf", "pdf").errors[0].message


def test_export_warns_about_what_does_not_fit() -> None:
    exported = export_file("aiken", BANK)
    assert exported.filename == "questions.aiken.txt"
    assert [w.location for w in exported.warnings] == ["management.1.1-m01", "trading.2.3-a01"]


def test_native_yaml_round_trip_keeps_every_field() -> None:
    result = assert_round_trip("native", BANK, ALL_FIELDS)
    assert result.encoding == "utf-8"


# -- guard rails -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_a_50_mb_file_is_refused_by_size(fmt: str) -> None:
    result = FORMATS[fmt].parse(b"x" * (50 * MB), "big.bin")
    assert messages(result.errors) == ["big.bin the file is 50.0 MB; the limit is 20 MB"]
    small = FORMATS[fmt].parse(b"x" * 2000, "big.bin", max_bytes=1000)
    assert "the file is 0.0 MB; the limit is" in small.errors[0].message


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("data", [b"", b"  \n\t  \r\n"])
def test_an_empty_file_is_an_error(fmt: str, data: bytes) -> None:
    result = FORMATS[fmt].parse(data, "empty")
    assert messages(result.errors) == ["empty the file is empty"]


@pytest.mark.parametrize("fmt", ["excel", "qti"])
def test_zip_bombs_are_refused_before_unpacking(fmt: str) -> None:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("imsmanifest.xml", "<manifest/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("bomb.xml", b"\0" * (5 * MB))
    result = FORMATS[fmt].parse(packed.getvalue(), "bomb.zip")
    assert "'bomb.xml' is packed suspiciously tightly (a zip bomb?)" in result.errors[0].message


def test_zip_limits_on_members_and_total_size() -> None:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as zf:
        for i in range(2001):
            zf.writestr(f"f{i}.txt", "")
    result = FORMATS["qti"].parse(packed.getvalue(), "many.zip")
    assert "the archive has 2001 files; the limit is 2000" in result.errors[0].message
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as zf:
        zf.writestr("a.txt", "x" * 5000)
    with pytest.raises(Exception, match="unpacks to 0 MB"):
        open_zip(packed.getvalue(), "a.zip", max_unpacked=1000)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<quiz><question type="essay"><questiontext><text>&lol2;</text></questiontext></question></quiz>
"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE assessmentItem [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<assessmentItem identifier="x">&xxe;</assessmentItem>
"""


@pytest.mark.parametrize("fmt", ["moodle", "qti"])
@pytest.mark.parametrize("data", [BILLION_LAUGHS, XXE])
def test_xml_dtds_and_entities_are_refused(fmt: str, data: bytes) -> None:
    result = FORMATS[fmt].parse(data, "evil.xml")
    assert messages(result.errors) == [
        "evil.xml:2 XML document type declarations and entities (<!DOCTYPE …>, <!ENTITY …>) "
        "are not accepted"
    ]


XSS = "<img src=x onerror=alert(1)>"


def _xss_files() -> dict[str, bytes]:
    """The payload as text in each format (and as markup where the format has HTML)."""
    escaped = XSS.replace("<", "&lt;").replace(">", "&gt;")  # text in XHTML
    twice = escaped.replace("&", "&amp;")  # text in HTML carried as XML text
    moodle = (
        '<quiz><question type="multichoice"><name><text>x</text></name>'
        '<questiontext format="html"><text><![CDATA[<p>甲' + XSS + "</p>]]></text></questiontext>"
        '<single>true</single><answer fraction="100"><text>' + twice + "</text></answer>"
        '<answer fraction="0"><text>乙</text></answer></question></quiz>'
    )
    qti = (
        '<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="x">'
        '<responseDeclaration identifier="R" cardinality="single" baseType="identifier">'
        "<correctResponse><value>a</value></correctResponse></responseDeclaration><itemBody>"
        "<p>" + escaped + '</p><choiceInteraction responseIdentifier="R" maxChoices="1">'
        '<simpleChoice identifier="a">甲<img src="x" /></simpleChoice>'
        '<simpleChoice identifier="b">乙</simpleChoice></choiceInteraction></itemBody>'
        "</assessmentItem>"
    )
    return {
        "excel": export_file("excel", [replace(BANK[0], stem=XSS)]).data,
        "csv": f"题型,题干,A,B,答案\n单选,{XSS},甲,乙,A\n".encode(),
        "moodle": moodle.encode(),
        "gift": f"::x::{XSS}{{=甲 ~乙}}\n\n::y::[html]{XSS}{{=甲 ~乙}}".encode(),
        "aiken": f"{XSS}\nA) 甲\nB) 乙\nANSWER: A\n".encode(),
        "qti": qti.encode(),
        "native": f"questions:\n  - type: single\n    stem: '{XSS}'\n    options: {{A: 甲, B: 乙}}\n"
        "    answer: A\n".encode(),
    }


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_html_in_a_stem_never_becomes_markup(fmt: str) -> None:
    result = FORMATS[fmt].parse(_xss_files()[fmt], f"xss.{fmt}")
    assert result.drafts
    for draft in result.drafts:
        for text in (draft.stem, *(o.text for o in draft.options)):
            assert "<img" not in markdown_to_html(text)
            if "onerror" in text:
                assert text.count(XSS) == 1  # kept as literal text, shown escaped


def test_markup_images_become_placeholders_with_a_warning() -> None:
    moodle = FORMATS["moodle"].parse(_xss_files()["moodle"], "x.xml")
    assert moodle.drafts[0].stem == "甲[图片]"
    assert moodle.drafts[0].options[0].text == XSS  # escaped in the HTML: text
    assert "1 image(s) replaced by [图片]" in messages(moodle.warnings)[0]
    gift = FORMATS["gift"].parse(_xss_files()["gift"], "x.gift")
    assert [d.stem for d in gift.drafts] == [XSS, "[图片]"]
    qti = FORMATS["qti"].parse(_xss_files()["qti"], "x.xml")
    assert qti.drafts[0].stem == XSS
    assert qti.drafts[0].options[0].text == "甲[图片]"


# -- qbank YAML --------------------------------------------------------------------------------


def test_native_wrong_kinds_of_values_are_errors() -> None:
    result = FORMATS["native"].parse(b"section: []\nquestions: []\n", "bad.yaml")
    assert messages(result.errors) == ["bad.yaml:1 [section] section must be a code"]
    result = FORMATS["native"].parse(b"questions:\n  - type: essay\n", "t.yaml")
    assert "type must be single, multiple or short, got 'essay'" in messages(result.errors)[0]


YAML_SCALARS = (
    st.none() | st.booleans() | st.integers(-3, 9) | st.floats() | st.text("AB单 ,", max_size=4)
)
YAML_VALUES = st.recursive(
    YAML_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["A", "B", "point", "points"]), inner, max_size=3)
    ),
    max_leaves=6,
)
YAML_KEYS = st.sampled_from(
    ["id", "type", "section", "levels", "difficulty", "stem", "options", "answer", "shuffle",
     "points", "reference_answer", "rubric", "tags", "enemy", "bogus"]
)  # fmt: skip


@PROPERTY
@given(
    st.fixed_dictionaries(
        {"questions": st.lists(st.dictionaries(YAML_KEYS, YAML_VALUES, max_size=8), max_size=3)},
        optional={"section": YAML_VALUES},
    )
)
def test_native_arbitrary_documents_never_raise(doc: dict[str, object]) -> None:
    text = yaml.safe_dump(doc, allow_unicode=True)
    result = FORMATS["native"].parse(text.encode(), "fuzz.yaml")
    assert result.errors or result.drafts


@PROPERTY
@given(st.binary(max_size=1000))
def test_native_arbitrary_bytes_never_raise(data: bytes) -> None:
    result = FORMATS["native"].parse(data, "fuzz.yaml")
    assert result.errors or result.drafts


@PROPERTY
@given(banks(drafts(metadata=True)))
def test_native_generated_banks_round_trip(bank: list[QuestionDraft]) -> None:
    spec = FORMATS["native"]
    assert spec.dump is not None
    back = spec.parse(spec.dump(bank), "rt.yaml")
    assert messages(back.errors) == []
    assert [view(d, ALL_FIELDS) for d in back.drafts] == [view(d, ALL_FIELDS) for d in bank]
