"""QTI 2.1/2.2: the IMS and real-world fixtures, content packages, unsupported interactions and
round trips through our QTI 2.1 package export."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qbank.authoring.draft import QuestionType, RubricPoint
from qbank.authoring.formats.qti import parse_qti
from qbank.authoring.formats.qti_export import dump_qti
from tests.authoring.test_formats_common import (
    BANK,
    PROPERTY,
    QTI_FIELDS,
    assert_round_trip,
    banks,
    drafts,
    fixture_bytes,
    messages,
    view,
)

NS21 = "http://www.imsglobal.org/xsd/imsqti_v2p1"


def parse_fixture(name: str):  # type: ignore[no-untyped-def]
    return parse_qti(fixture_bytes(f"qti/{name}"), name)


def test_single_choice_fixture() -> None:
    result = parse_fixture("qti21_single_choice_Q01.xml")
    assert (result.errors, result.warnings) == ([], [])
    (draft,) = result.drafts
    assert (draft.type, draft.stem, draft.keys) == (QuestionType.SINGLE, "What is TAO?", ("B",))
    assert [o.text for o in draft.options] == [
        "A metaphysical Chinese concept",
        "A commercial-grade, open-source assessment platform.",
        "A soft drink",
    ]
    assert (draft.external_id, draft.shuffle, draft.points) == ("Q01", False, None)
    assert dict(draft.extra) == {"title": "What is TAO?"}


def test_multiple_choice_fixture_qti22() -> None:
    result = parse_fixture("qti22_choice_multiple.xml")
    assert result.errors == []
    (draft,) = result.drafts
    assert draft.type is QuestionType.MULTIPLE
    assert draft.stem == "Which of the following elements are used to form water?"
    assert [o.text for o in draft.options] == [
        "Hydrogen", "Helium", "Carbon", "Oxygen", "Nitrogen", "Chlorine"
    ]  # fmt: skip
    assert draft.keys == ("A", "D") and draft.shuffle


def test_onyx_fixture_with_custom_processing_and_feedback() -> None:
    name = "qti21_choice_multiple_custom_rp_Choicemultiple_871212949.xml"
    result = parse_fixture(name)
    assert result.errors == []
    (draft,) = result.drafts
    assert draft.stem == "Welche Naturräume finden sich im Freistaat Sachsen?"
    assert [o.text for o in draft.options] == ["Erzgebirge", "Lausitz", "Vogtland", "Harz", "Alpen"]
    assert (draft.keys, draft.points) == (("A", "B", "C"), 3.0)
    where = f"question 1 'choice (multiple, point per answer)' ({name}, line 3)"
    assert messages(result.warnings) == [
        f"{where} custom response processing ignored: qbank scores by its own rules",
        f"{where} 7 QTI modal feedback(s) dropped",
    ]


def test_essay_fixture() -> None:
    result = parse_fixture("qti22_essay_human_scored.xml")
    (draft,) = result.drafts
    assert draft.type is QuestionType.SHORT
    assert draft.stem == (
        "In the class room, we discovered Martin Luther King Jr. and his devotion.\n\n"
        "**Write an abstract about the life of this historical figure.**"
    )
    assert draft.external_id == "essay"
    assert messages(result.errors) == [
        "question 1 'Write an essay' (qti22_essay_human_scored.xml, line 2) [reference_answer] "
        "a short-answer question needs a reference answer"
    ]


def item(body: str, declarations: str = "", root: str = "assessmentItem") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{NS21}" identifier="i1" '
        f'title="T">\n{declarations}\n<itemBody>{body}</itemBody>\n</{root}>\n'
    )


MAPPED = item(
    '<p>属于温室气体的有：</p><choiceInteraction responseIdentifier="R" maxChoices="0">'
    '<simpleChoice identifier="co2">CO<sub>2</sub></simpleChoice>'
    '<simpleChoice identifier="n2">N<sub>2</sub><feedbackInline outcomeIdentifier="F" '
    'identifier="x" showHide="show">不是</feedbackInline></simpleChoice>'
    '<simpleChoice identifier="ch4">CH<sub>4</sub></simpleChoice></choiceInteraction>',
    '<responseDeclaration identifier="R" cardinality="multiple" baseType="identifier">'
    '<mapping defaultValue="0"><mapEntry mapKey="co2" mappedValue="1"/>'
    '<mapEntry mapKey="n2" mappedValue="-1"/><mapEntry mapKey="ch4" mappedValue="1"/></mapping>'
    "</responseDeclaration>"
    '<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float" '
    'normalMaximum="2"/>',
)


def test_keys_from_a_mapping_without_correct_response() -> None:
    result = parse_qti(MAPPED.encode(), "mapped.xml")
    (draft,) = result.drafts
    assert draft.keys == ("A", "C") and draft.points == 2.0
    assert [o.text for o in draft.options] == ["CO2", "N2", "CH4"]


def test_a_scorer_rubric_block_gives_reference_and_key_points() -> None:
    body = (
        '<rubricBlock view="scorer"><p><strong>参考答案</strong></p><p>监测、报告、核查。</p>'
        "<p><strong>评分要点</strong></p><ol><li>监测（2分）</li><li>报告与核查（3分）</li></ol>"
        '</rubricBlock><rubricBlock view="candidate"><p>限 200 字。</p></rubricBlock>'
        '<p>简述 MRV。</p><extendedTextInteraction responseIdentifier="R"/>'
    )
    decl = '<responseDeclaration identifier="R" cardinality="single" baseType="string"/>'
    (draft,) = parse_qti(item(body, decl).encode(), "essay.xml").drafts
    assert draft.stem == "限 200 字。\n\n简述 MRV。"
    assert draft.reference_answer == "监测、报告、核查。"
    assert draft.rubric == (RubricPoint("监测", 2.0), RubricPoint("报告与核查", 3.0))
    assert draft.points == 5.0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('<orderInteraction responseIdentifier="R"/>', "QTI interaction 'orderInteraction' is not "
         "supported"),
        ('<p>碳<textEntryInteraction responseIdentifier="R"/></p><matchInteraction '
         'responseIdentifier="S"/>', "QTI interaction 'matchInteraction', 'textEntryInteraction' "
         "is not supported"),
        ('<choiceInteraction responseIdentifier="R"/><extendedTextInteraction '
         'responseIdentifier="S"/>', "the item has 2 interactions; qbank reads items with exactly "
         "one"),
        ("<p>只有文字</p>", "the item has 0 interactions; qbank reads items with exactly one"),
    ],
)  # fmt: skip
def test_unsupported_interactions_are_named(body: str, message: str) -> None:
    result = parse_qti(item(body).encode(), "u.xml")
    assert messages(result.errors) == [f"question 1 'T' (u.xml, line 2) [type] {message}"]


@pytest.mark.parametrize(
    ("root", "hint"),
    [
        ("qti-assessment-item", " (QTI 3.0 is not supported: export QTI 2.1 or 2.2)"),
        ("questestinterop", " (QTI 1.2 is not supported: export QTI 2.1 or 2.2)"),
        ("quiz", ""),
    ],
)
def test_other_roots(root: str, hint: str) -> None:
    result = parse_qti(item("", root=root).encode(), "r.xml")
    assert result.errors[0].message == f"not a QTI 2.x item: the root element is <{root}>{hint}"


def test_malformed_item_reports_its_line() -> None:
    result = parse_qti(b"<assessmentItem>\n<itemBody>\n<p>x</itemBody>", "m.xml")
    assert messages(result.errors) == ["m.xml:3 malformed XML: mismatched tag (line 3, column 7)"]


def package(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return out.getvalue()


MANIFEST = """<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="m">
<resources>
  <resource identifier="r1" type="imsqti_item_xmlv2p2" href="items/one.xml"/>
  <resource identifier="r2" type="imsqti_test_xmlv2p2" href="test.xml"/>
  <resource identifier="r3" type="webcontent" href="img/a.png"/>
  <resource identifier="r4" type="imsqti_item_xmlv2p1" href="items/../two.xml"/>
</resources></manifest>"""


def test_content_package_reads_the_items_its_manifest_lists() -> None:
    data = package(
        {
            "pkg/imsmanifest.xml": MANIFEST,
            "pkg/items/one.xml": MAPPED,
            "pkg/two.xml": fixture_bytes("qti/qti21_single_choice_Q01.xml").decode(),
            "pkg/test.xml": "<assessmentTest/>",
        }
    )
    result = parse_qti(data, "pkg.zip")
    assert [d.stem for d in result.drafts] == ["属于温室气体的有：", "What is TAO?"]
    assert result.drafts[1].location == "question 2 'What is TAO?' (pkg/two.xml, line 2)"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"a.xml": "<x/>"}, "the zip has no imsmanifest.xml: it is not a QTI content package"),
        ({"imsmanifest.xml": "<manifest/>"}, "the manifest lists no QTI 2.x items"),
        (
            {"imsmanifest.xml": MANIFEST.replace("items/../two.xml", "gone.xml")},
            "'items/one.xml' is missing from the archive",
        ),
    ],
)
def test_broken_packages(files: dict[str, str], message: str) -> None:
    assert parse_qti(package(files), "p.zip").errors[0].message == message


def test_round_trip() -> None:
    assert_round_trip("qti", BANK, QTI_FIELDS)


def test_export_package_layout() -> None:
    with zipfile.ZipFile(io.BytesIO(dump_qti(BANK))) as zf:
        names = zf.namelist()
        single = zf.read("items/management.2.1-s01.xml").decode()
        multiple = zf.read("items/management.1.1-m01.xml").decode()
        short = zf.read("items/trading.2.3-a01.xml").decode()
        manifest = zf.read("imsmanifest.xml").decode()
    assert names[-1] == "imsmanifest.xml" and len(names) == 4
    assert 'type="imsqti_item_xmlv2p1" href="items/management.2.1-s01.xml"' in manifest
    assert f'xmlns="{NS21}"' in single and "rptemplates/match_correct" in single
    assert "rptemplates/map_response" in multiple and 'mappedValue="-2"' in multiple
    assert '<rubricBlock view="scorer">' in short and "<extendedTextInteraction" in short
    assert "style=" not in single + multiple + short


@PROPERTY
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    result = parse_qti(data, "fuzz")
    assert result.errors or result.drafts


@PROPERTY
@given(st.lists(st.sampled_from([
    "<p>", "</p>", "甲", "<choiceInteraction responseIdentifier='R'>", "</choiceInteraction>",
    "<simpleChoice identifier='a'>", "<simpleChoice>", "</simpleChoice>", "<prompt>", "</prompt>",
    "<rubricBlock view='scorer'>", "</rubricBlock>", "<extendedTextInteraction/>", "<img/>",
    "<feedbackInline>", "</feedbackInline>", "<b>", "</b>",
]), max_size=30))  # fmt: skip
def test_arbitrary_item_bodies_never_raise(parts: list[str]) -> None:
    decl = (
        '<responseDeclaration identifier="R" cardinality="multiple"><correctResponse>'
        "<value>a</value></correctResponse></responseDeclaration>"
    )
    result = parse_qti(item("".join(parts), decl).encode(), "soup.xml")
    assert result.errors or result.drafts


@PROPERTY
@given(banks(drafts()))
def test_generated_banks_round_trip(bank: list) -> None:
    back = parse_qti(dump_qti(bank), "rt.zip")
    assert messages(back.errors) == []
    assert [view(d, QTI_FIELDS) for d in back.drafts] == [view(d, QTI_FIELDS) for d in bank]


def test_non_numeric_points_are_errors() -> None:
    decl = (
        '<outcomeDeclaration identifier="MAXSCORE" cardinality="single" baseType="float">'
        "<defaultValue><value>five</value></defaultValue></outcomeDeclaration>"
    )
    body = '<extendedTextInteraction responseIdentifier="R"/>'
    result = parse_qti(item(body, decl).encode(), "p.xml")
    assert "question 1 'T' (p.xml, line 2) [points] MAXSCORE 'five' is not a number" in messages(
        result.errors
    )
