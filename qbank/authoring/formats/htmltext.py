"""HTML ⇄ qbank Markdown.

Importers turn HTML question text (Moodle, GIFT `[html]`, QTI XHTML) into the Markdown qbank
stores: paragraphs, line breaks, lists, bold and italics survive; scripts and styles are dropped;
entities are decoded; images become a `[图片]` placeholder the caller warns about; TeX in
`\\(…\\)`/`\\[…\\]` becomes `$…$`/`$$…$$`. Nothing in the HTML becomes markup: what remains is
text, and the app's Markdown renderer has raw HTML off.

Exporters render Markdown with markdown-it (raw HTML off, so `<img onerror>` typed in a stem
stays text) and write math as `\\(…\\)`, the delimiters Moodle's MathJax filter reads.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from typing import Any

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

IMAGE_PLACEHOLDER = "[图片]"
_VOID = {
    "br",
    "img",
    "hr",
    "input",
    "meta",
    "link",
    "wbr",
    "col",
    "area",
    "base",
    "source",
    "track",
    "embed",
    "param",
}
_DROP = {
    "script",
    "style",
    "head",
    "title",
    "noscript",
    "iframe",
    "object",
    "template",
    "svg",
    "audio",
    "video",
    "button",
    "select",
    "textarea",
    "canvas",
}
_BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "address",
    "figure",
    "figcaption",
    "center",
    "dl",
    "dt",
    "dd",
    "form",
    "fieldset",
    "main",
    "nav",
    "aside",
}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_SUPERSCRIPTS = str.maketrans("0123456789+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")
_INDENT = "\x01"  # stands for a space of list indentation until the very end
_PRE_SPACE = "\x02"  # a space inside <pre>, safe from whitespace collapsing
_MAX_DEPTH = 200


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)


@dataclass
class HtmlText:
    """Markdown from HTML, with what was dropped on the way."""

    text: str
    images: int = 0
    dropped: set[str] = field(default_factory=set)


class _TreeParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        if tag in ("p", "li") and self.stack[-1].tag == tag:
            self.stack.pop()  # an unclosed <p> or <li> ends at the next one
        self.stack[-1].children.append(node)
        if tag not in _VOID and len(self.stack) < _MAX_DEPTH:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def _from_element(element: ET.Element, depth: int = 0) -> Node:
    node = Node(
        element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else "",
        {k.rsplit("}", 1)[-1]: v for k, v in element.attrib.items()},
    )
    if element.text:
        node.children.append(element.text)
    for sub in element:
        if depth < _MAX_DEPTH:
            node.children.append(_from_element(sub, depth + 1))
        if sub.tail:
            node.children.append(sub.tail)
    return node


class _Renderer:
    def __init__(self) -> None:
        self.images = 0
        self.dropped: set[str] = set()

    def inline(self, nodes: Sequence[Node | str], pre: bool = False) -> str:
        return "".join(self.render(n, pre) for n in nodes)

    def block(self, content: str) -> str:
        lines = "\n".join(ln.strip(" ") for ln in content.split("\n"))
        return "\n\n" + re.sub(r"\n{3,}", "\n\n", lines).strip("\n") + "\n\n"

    def render(self, node: Node | str, pre: bool = False) -> str:
        if isinstance(node, str):
            if pre:
                return node.replace(" ", _PRE_SPACE)
            return _escape_markdown(re.sub(r"\s+", " ", node))
        tag = node.tag
        if tag in _DROP or tag.startswith("m:"):
            self.dropped.add(tag)
            return ""
        if tag == "br":
            return "\n"
        if tag == "img":
            self.images += 1
            alt = re.sub(r"\s+", " ", node.attrs.get("alt", "")).strip()
            return f"[图片: {alt}]" if alt else IMAGE_PLACEHOLDER
        if tag == "hr":
            return "\n\n---\n\n"
        if tag == "math":
            self.dropped.add("math")
            return "$" + " ".join("".join(_texts(node)).split()) + "$"
        if tag in ("b", "strong"):
            return _wrap(self.inline(node.children, pre), "**")
        if tag in ("i", "em"):
            return _wrap(self.inline(node.children, pre), "*")
        if tag == "code" and not pre:
            text = "".join(_texts(node))
            return f"`{text}`" if text.strip() else text
        if tag == "sup":
            text = self.inline(node.children, pre)
            return text.translate(_SUPERSCRIPTS) if re.fullmatch(r"[0-9+-]+", text) else text
        if tag == "pre":
            return self.block("```\n" + self.inline(node.children, True).strip("\n") + "\n```")
        if tag in _HEADINGS:
            text = self.inline(node.children, pre).replace("\n", " ").strip()
            return self.block("#" * _HEADINGS[tag] + " " + text) if text else ""
        if tag in ("ul", "ol"):
            return self.block(self.list_items(node))
        if tag == "li":  # a stray item outside a list
            return self.block("- " + self.inline(node.children, pre).strip())
        if tag == "blockquote":
            inner = self.block(self.inline(node.children, pre)).strip()
            return self.block("\n".join("> " + ln if ln else ">" for ln in inner.split("\n")))
        if tag == "table":
            return self.block(self.table(node))
        if tag in _BLOCK:
            return self.block(self.inline(node.children, pre))
        return self.inline(node.children, pre)

    def list_items(self, node: Node) -> str:
        items: list[str] = []
        number = 0
        for child in node.children:
            if isinstance(child, str):
                continue
            if child.tag != "li":
                items.append(self.render(child).strip("\n"))
                continue
            number += 1
            marker = f"{number}. " if node.tag == "ol" else "- "
            body = self.inline(child.children).strip("\n")
            body = "\n".join(ln.strip(" ") for ln in body.split("\n"))
            body = re.sub(r"\n{2,}", "\n", body).strip("\n")
            pad = _INDENT * len(marker)
            lines = body.split("\n")
            items.append("\n".join([marker + lines[0]] + [pad + ln for ln in lines[1:]]))
        return "\n".join(items)

    def table(self, node: Node) -> str:
        rows: list[list[str]] = []
        for tr in _find_all(node, "tr"):
            cells = [c for c in tr.children if isinstance(c, Node) and c.tag in ("td", "th")]
            rows.append(
                [
                    self.inline(c.children).replace("\n", " ").replace("|", "\\|").strip()
                    for c in cells
                ]
            )
        rows = [r for r in rows if r]
        if not rows:
            return ""
        width = max(len(r) for r in rows)
        lines = ["| " + " | ".join(r + [""] * (width - len(r))) + " |" for r in rows]
        lines.insert(1, "|" + " --- |" * width)
        return "\n".join(lines)


def _texts(node: Node) -> list[str]:
    out: list[str] = []
    for c in node.children:
        out.extend([c] if isinstance(c, str) else _texts(c))
    return out


def _find_all(node: Node, tag: str) -> list[Node]:
    found: list[Node] = []
    for c in node.children:
        if isinstance(c, Node):
            found.extend([c] if c.tag == tag else _find_all(c, tag))
    return found


def _wrap(text: str, marker: str) -> str:
    core = text.strip()
    if not core or "\n\n" in core:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}{marker}{core}{marker}{trail}"


_MATH = re.compile(r"\$\$.+?\$\$|\\\(.+?\\\)|\\\[.+?\\\]|\$[^$\n]+\$", re.S)


def _escape_markdown(text: str) -> str:
    """Escape what would become Markdown emphasis or code, outside TeX."""
    out: list[str] = []
    pos = 0
    for m in _MATH.finditer(text):
        out.append(_escape_plain(text[pos : m.start()]))
        out.append(m.group())
        pos = m.end()
    out.append(_escape_plain(text[pos:]))
    return "".join(out)


def _escape_plain(text: str) -> str:
    text = re.sub(r"([*`])", r"\\\1", text)
    return re.sub(r"_+", _underscores, text)


def _underscores(m: re.Match[str]) -> str:
    """Keep a run of underscores that cannot open or close emphasis (a blank `____` between
    spaces, `a_b` inside a word); escape the rest."""
    text = m.string
    before = text[m.start() - 1] if m.start() else " "
    after = text[m.end()] if m.end() < len(text) else " "
    if (before.isspace() and after.isspace()) or (before.isalnum() and after.isalnum()):
        return m.group()
    return "\\_" * len(m.group())


def _finish(text: str) -> str:
    text = re.sub(r"\\\((.+?)\\\)", lambda m: f"${m.group(1).strip()}$", text, flags=re.S)
    text = re.sub(r"\\\[(.+?)\\\]", lambda m: f"$${m.group(1).strip()}$$", text, flags=re.S)
    text = re.sub(r" {2,}", " ", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n[ \t]+", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    text = text.replace(_INDENT, " ").replace(_PRE_SPACE, " ").replace("\xa0", " ")
    return text.strip()


def html_to_markdown(html: str) -> HtmlText:
    """Markdown for an HTML fragment (never raises; unknown tags keep their text)."""
    parser = _TreeParser()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # pragma: no cover - HTMLParser is forgiving
        return HtmlText(_finish(re.sub(r"<[^>]*>", " ", html)))
    renderer = _Renderer()
    text = renderer.inline(parser.root.children)
    return HtmlText(_finish(text), renderer.images, renderer.dropped)


def element_to_markdown(nodes: Sequence[ET.Element | str]) -> HtmlText:
    """Markdown for XHTML elements (and text between them), e.g. a QTI itemBody."""
    root = Node("root")
    for n in nodes:
        root.children.append(n if isinstance(n, str) else _from_element(n))
    renderer = _Renderer()
    text = renderer.inline(root.children)
    return HtmlText(_finish(text), renderer.images, renderer.dropped)


def plain_text(text: str) -> str:
    """Plain text as it is kept: line endings normalised, outer whitespace stripped."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


# -- Markdown → HTML -------------------------------------------------------------------------


def _math_inline(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    return escape("\\(" + str(tokens[idx].content).strip() + "\\)", quote=False)


def _math_display(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    return escape("\\[" + str(tokens[idx].content).strip() + "\\]", quote=False)


def _math_block(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    return "<p>" + escape("\\[" + str(tokens[idx].content).strip() + "\\]", quote=False) + "</p>\n"


def _markdown() -> MarkdownIt:
    md = MarkdownIt("js-default", {"breaks": True, "xhtmlOut": True, "html": False})
    md.disable(["strikethrough", "linkify", "replacements", "smartquotes"], ignoreInvalid=True)
    md.use(dollarmath_plugin, double_inline=True)
    md.add_render_rule("math_inline", _math_inline)
    md.add_render_rule("math_inline_double", _math_display)
    for name in ("math_block", "math_block_label"):
        md.add_render_rule(name, _math_block)
    return md


_MD = _markdown()


def markdown_to_html(text: str) -> str:
    """HTML for qbank Markdown; raw HTML in the text comes out escaped, math as \\(…\\)."""
    html: str = _MD.render(text)
    return html.strip()
