"""HTML ⇄ Markdown conversion and the grader-notes convention shared by the formats."""

from __future__ import annotations

import pytest
from hypothesis import given

from qbank.authoring.draft import RubricPoint
from qbank.authoring.formats.htmltext import html_to_markdown, markdown_to_html
from qbank.authoring.formats.rubric import join_notes, split_notes
from tests.authoring.test_formats_common import BANK, PROPERTY, paragraphs


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("<p>一</p><p>二</p>", "一\n\n二"),
        ("<div>一<br>二<br/>三</div>", "一\n二\n三"),
        ("<p>  多个   空格\n换行 </p>", "多个 空格 换行"),
        ("<b>粗</b>与<strong> 粗 </strong>，<i>斜</i>与<em>斜</em>", "**粗**与 **粗** ，*斜*与*斜*"),
        ("<ul><li>甲<ul><li>子</li></ul></li><li>乙</li></ul>", "- 甲\n  - 子\n- 乙"),
        ("<ol><li>一</li><li>二</li></ol>", "1. 一\n2. 二"),
        ("<p>a &amp; b &lt;c&gt; &nbsp;&#20013;&#x6587;</p>", "a & b <c> 中文"),
        ("<script>alert(1)</script><style>p{}</style><p>留下</p>", "留下"),
        ('<p><img src="x.png" alt="流程图"> 与 <img src=y></p>', "[图片: 流程图] 与 [图片]"),
        ("<table><tr><th>燃料</th><th>EF</th></tr><tr><td>煤</td><td>2.5</td></tr></table>",
         "| 燃料 | EF |\n| --- | --- |\n| 煤 | 2.5 |"),
        ("<p>\\(E = AD \\times EF\\) 与 \\[x^2\\]</p>", "$E = AD \\times EF$ 与 $$x^2$$"),
        ("<p>a*b, _x_, snake_case, ____ 与（____）</p>", "a\\*b, \\_x\\_, snake_case, ____ 与（\\_\\_\\_\\_）"),
        ("<pre>  code\n    indented</pre>", "```\n  code\n    indented\n```"),
        ("<p>CO<sub>2</sub> m<sup>3</sup> x<sup>n</sup></p>", "CO2 m³ xn"),
        ("未闭合<p>段落<li>项", "未闭合\n\n段落\n\n- 项"),
    ],
)  # fmt: skip
def test_html_to_markdown(html: str, markdown: str) -> None:
    assert html_to_markdown(html).text == markdown


def test_images_and_dropped_tags_are_counted() -> None:
    converted = html_to_markdown("<img src=a><img src=b><script>x</script>")
    assert (converted.images, converted.dropped) == (2, {"script"})


def test_deep_nesting_does_not_recurse_forever() -> None:
    assert "深" in html_to_markdown("<b>" * 5000 + "深" + "</b>" * 5000).text


@pytest.mark.parametrize("draft", BANK, ids=lambda d: d.type.value)
def test_bank_text_survives_markdown_to_html_and_back(draft: object) -> None:
    for text in (draft.stem, draft.explanation, draft.reference_answer):  # type: ignore[attr-defined]
        assert html_to_markdown(markdown_to_html(text)).text == text


def test_markdown_to_html_keeps_raw_html_as_text() -> None:
    assert markdown_to_html("<img src=x onerror=alert(1)>") == (
        "<p>&lt;img src=x onerror=alert(1)&gt;</p>"
    )


def test_grader_notes_round_trip() -> None:
    rubric = (RubricPoint("写出公式", 2.0), RubricPoint("算出结果", 3.0))
    notes = join_notes("解析。", "参考答案正文\n第二行", rubric)
    assert notes == (
        "解析。\n\n**参考答案**\n\n参考答案正文\n第二行\n\n**评分要点**\n\n"
        "1. 写出公式（2分）\n2. 算出结果（3分）"
    )
    split = split_notes(html_to_markdown(markdown_to_html(notes)).text)
    assert (split.before, split.reference) == ("解析。", "参考答案正文\n第二行")
    assert split.rubric == "1. 写出公式（2分）\n2. 算出结果（3分）"
    assert split_notes("只有参考答案") == type(split)("只有参考答案", None, None)


@PROPERTY
@given(paragraphs())
def test_plain_paragraphs_survive_html(text: str) -> None:
    assert html_to_markdown(markdown_to_html(text)).text == text
