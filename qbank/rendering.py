"""Question text to safe HTML: Markdown (markdown-it-py, raw HTML off) with `$…$` / `$$…$$`
math rendered server-side to MathML, sanitized with nh3. Used by every page that shows questions.

CommonMark does not close `**…**` when the closing run sits between CJK punctuation and a CJK
character (`**活动数据（AD）**是…`): a zero-width space is put between such punctuation and the
`*` run before parsing and removed afterwards.
"""

from __future__ import annotations

import functools
import re

import nh3
from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markupsafe import Markup, escape
from mdit_py_plugins.dollarmath import dollarmath_plugin

ZWSP = "\u200b"
_PUNCT = (
    r"[\u3000-\u303f\uff00-\uffef\u2010-\u2027\u2030-\u205e!\"#$%&'()+,\-./:;<=>?@\[\\\]^_`{|}~]"
)
_BEFORE_STARS = re.compile(rf"(?<={_PUNCT})(?=\*+)")
_AFTER_STARS = re.compile(rf"(?<=\*)(?={_PUNCT})")

MATHML_TAGS = {
    "math",
    "mrow",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "msup",
    "msub",
    "msubsup",
    "mfrac",
    "msqrt",
    "mroot",
    "mover",
    "munder",
    "munderover",
    "mtable",
    "mtr",
    "mtd",
    "mstyle",
    "mpadded",
    "mphantom",
    "menclose",
    "semantics",
    "annotation",
}
HTML_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "img",
    "span",
    "div",
    "sub",
    "sup",
    "del",
    "mark",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "span": {"class"},
    "div": {"class"},
    "math": {"display", "xmlns"},
    "mo": {"stretchy", "fence", "separator", "lspace", "rspace"},
    "mspace": {"width"},
    "mfrac": {"linethickness"},
    "mstyle": {"displaystyle", "scriptlevel"},
    "td": {"align"},
    "th": {"align"},
    "annotation": {"encoding"},
}


def _math(tex: str, display: bool) -> str:
    try:
        mathml = latex_to_mathml(tex, display="block" if display else "inline")
    except Exception:
        return f'<span class="math-source">{escape(tex)}</span>'
    return f'<span class="math {"display" if display else "inline"}">{mathml}</span>'


def _make_parser() -> MarkdownIt:
    md = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.use(dollarmath_plugin, allow_space=True, double_inline=True)

    def inline(self: RendererHTML, tokens, idx, options, env) -> str:  # type: ignore[no-untyped-def]
        return _math(tokens[idx].content, display=False)

    def block(self: RendererHTML, tokens, idx, options, env) -> str:  # type: ignore[no-untyped-def]
        return _math(tokens[idx].content, display=True)

    md.add_render_rule("math_inline", inline)
    md.add_render_rule("math_inline_double", block)
    md.add_render_rule("math_block", block)
    md.add_render_rule("math_block_label", block)
    return md


_MD = _make_parser()


def _sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=HTML_TAGS | MATHML_TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


@functools.lru_cache(maxsize=4096)
def render_markdown(text: str) -> Markup:
    """Safe HTML for a question's Markdown. Cached: question texts repeat across pages."""
    if not text:
        return Markup("")
    source = _AFTER_STARS.sub(ZWSP, _BEFORE_STARS.sub(ZWSP, text))
    html = _MD.render(source).replace(ZWSP, "")
    return Markup(_sanitize(html))


def render_inline(text: str) -> Markup:
    """Like `render_markdown` for a one-line text (an option), without the paragraph."""
    html = str(render_markdown(text)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


def plain_text(text: str) -> str:
    """Markdown reduced to text (for exports and snippets): markup and math delimiters dropped."""
    html = str(render_markdown(text))
    html = re.sub(r"<annotation[^>]*>.*?</annotation>", "", html, flags=re.S)
    return re.sub(r"\s+\n", "\n", nh3.clean(html, tags=set())).strip()
