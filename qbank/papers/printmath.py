"""Question Markdown for print: HTML whose math WeasyPrint can draw, and TeX as plain text runs
for Word.

WeasyPrint does not lay out MathML, so for PDF each `$…$` is typeset by matplotlib's mathtext
into an SVG (glyphs as paths: nothing to embed, prints identically everywhere) and placed as an
image on the text baseline. Formulas with Chinese characters use Noto Serif CJK for every
glyph (mathtext's TeX fonts have no CJK). What mathtext cannot parse falls back to the
linear form below in a styled span, never to a broken image.

For DOCX the linear form is used: TeX reduced to text with real subscripts and superscripts
(`\\frac{a}{b}` → a/b, `\\sqrt{x}` → √x, `\\times` → ×), which examiners can still edit in Word.
"""

from __future__ import annotations

import base64
import functools
import io
import logging
import re
import warnings
from typing import Any, Literal, cast

import matplotlib
import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape
from matplotlib.font_manager import FontProperties
from matplotlib.mathtext import math_to_image
from mdit_py_plugins.dollarmath import dollarmath_plugin

from qbank.rendering import _AFTER_STARS, _BEFORE_STARS, ATTRIBUTES, HTML_TAGS, ZWSP

Style = Literal["", "sub", "sup"]
Run = tuple[str, Style]
FONT_PT = 10.5  # 五号字, the body size of printed papers
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
_TEX_RC: dict[str, Any] = {
    "svg.fonttype": "path",
    "svg.hashsalt": "qbank",
    "mathtext.fontset": "cm",
}
_CJK_RC: dict[str, Any] = {
    "svg.fonttype": "path",
    "svg.hashsalt": "qbank",
    "mathtext.fontset": "custom",
    **{f"mathtext.{k}": "Noto Serif CJK SC" for k in ("rm", "it", "bf", "cal", "sf", "tt")},
}

SYMBOLS = {
    "times": "×", "div": "÷", "cdot": "·", "pm": "±", "mp": "∓", "approx": "≈", "neq": "≠",
    "ne": "≠", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "rightarrow": "→", "to": "→",
    "leftarrow": "←", "Rightarrow": "⇒", "leftrightarrow": "↔", "infty": "∞", "sum": "Σ",
    "prod": "Π", "int": "∫", "partial": "∂", "degree": "°", "circ": "°", "prime": "′",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "phi": "φ", "varphi": "φ", "omega": "ω", "Delta": "Δ", "Sigma": "Σ",
    "Omega": "Ω", "Phi": "Φ", "Gamma": "Γ", "Lambda": "Λ", "Theta": "Θ", "ldots": "…",
    "cdots": "⋯", "dots": "…", "%": "%", "{": "{", "}": "}", "$": "$", "&": "&", "#": "#",
    "_": "_", ",": " ", ";": " ", ":": " ", "!": "", " ": " ", "quad": " ", "qquad": "  ",
    "left": "", "right": "", "big": "", "Big": "", "displaystyle": "", "limits": "",
}  # fmt: skip
_PLAIN = {"text", "mathrm", "mathbf", "mathit", "textrm", "operatorname", "mathsf", "textbf"}
_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[{}_^]|[^\\{}_^]")


class _Linear:
    """A tiny TeX reader: enough for the formulas in question texts."""

    def __init__(self, tex: str) -> None:
        self.tokens = _TOKEN.findall(tex)
        self.i = 0

    def _next(self) -> str | None:
        if self.i >= len(self.tokens):
            return None
        self.i += 1
        return str(self.tokens[self.i - 1])

    def argument(self) -> list[Run]:
        """A {group} or a single token."""
        while self.i < len(self.tokens) and self.tokens[self.i] == " ":
            self.i += 1
        tok = self._next()
        if tok is None:
            return []
        if tok == "{":
            return self.sequence(closing="}")
        return self.atom(tok)

    def sequence(self, closing: str | None = None) -> list[Run]:
        out: list[Run] = []
        while (tok := self._next()) is not None:
            if tok == closing:
                break
            out += self.atom(tok)
        if out == [(",", "")] and closing == "}":  # 4{,}333
            return [(",", "")]
        return out

    def atom(self, tok: str) -> list[Run]:
        if tok == "{":
            return self.sequence(closing="}")
        if tok in ("_", "^"):
            style: Style = "sub" if tok == "_" else "sup"
            return [(text, style) for text, _ in self.argument()]
        if tok.startswith("\\"):
            name = tok[1:]
            if name == "frac":
                num, den = self.argument(), self.argument()
                return [*_wrap(num), ("/", ""), *_wrap(den)]
            if name == "sqrt":
                index: list[Run] = []
                if self.i < len(self.tokens) and self.tokens[self.i] == "[":
                    self.i += 1
                    while (tok2 := self._next()) not in (None, "]"):
                        index.append((str(tok2), "sup"))
                return [*index, ("√", ""), *_wrap(self.argument())]
            if name in _PLAIN:
                return [(_text(self.argument()), "")]
            return [(SYMBOLS.get(name, name), "")]
        if tok == "}":
            return []
        return [(tok, "")]


def _text(runs: list[Run]) -> str:
    return "".join(t for t, _ in runs)


def _wrap(runs: list[Run]) -> list[Run]:
    """Parentheses around a fraction's or root's argument when it is more than one term."""
    text = _text(runs).strip()
    if len(text) > 1 and re.search(r"[\s+\-−×÷·/]", text):
        return [("(", ""), *runs, (")", "")]
    return runs


def tex_runs(tex: str) -> list[Run]:
    """TeX as text runs with sub/superscript marks, adjacent runs of one style merged."""
    merged: list[Run] = []
    for text, style in _Linear(tex).sequence():
        if merged and merged[-1][1] == style:
            merged[-1] = (merged[-1][0] + text, style)
        elif text:
            merged.append((text, style))
    return [(re.sub(r" {2,}", " ", t), s) for t, s in merged]


def tex_html(tex: str) -> str:
    parts = []
    for text, style in tex_runs(tex):
        parts.append(f"<{style}>{escape(text)}</{style}>" if style else str(escape(text)))
    return '<span class="tex">' + "".join(parts) + "</span>"


class _Flag(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.hit = False

    def emit(self, record: logging.LogRecord) -> None:
        self.hit = True


@functools.lru_cache(maxsize=2048)
def math_svg(tex: str, display: bool = False) -> str | None:
    """`<img>` HTML of the formula typeset by mathtext, or None when mathtext cannot set it."""
    flag = _Flag()
    logger = logging.getLogger("matplotlib.mathtext")
    logger.addHandler(flag)
    buf = io.BytesIO()
    size = FONT_PT * (1.1 if display else 1.0)
    try:
        with (
            warnings.catch_warnings(),
            matplotlib.rc_context(cast(Any, _CJK_RC if _CJK.search(tex) else _TEX_RC)),
        ):
            warnings.simplefilter("ignore")
            depth = math_to_image(
                f"${tex}$", buf, prop=FontProperties(size=size), dpi=72, format="svg"
            )
    except Exception:
        return None
    finally:
        logger.removeHandler(flag)
    if flag.hit:  # a glyph was missing: do not print a box
        return None
    svg = buf.getvalue()
    data = base64.b64encode(svg).decode("ascii")
    cls = "math display" if display else "math"
    return f'<img class="{cls}" alt="" style="vertical-align:-{float(depth or 0):.2f}pt" src="data:image/svg+xml;base64,{data}">'


def _make_parser(placeholders: list[str]) -> MarkdownIt:
    md = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.use(dollarmath_plugin, allow_space=True, double_inline=True)

    def put(tex: str, display: bool) -> str:
        html = math_svg(tex, display) or tex_html(tex)
        placeholders.append(f'<span class="display-math">{html}</span>' if display else html)
        return f"\ue000{len(placeholders) - 1}\ue001"

    md.add_render_rule("math_inline", lambda self, t, i, o, e: put(t[i].content, False))
    for rule in ("math_inline_double", "math_block", "math_block_label"):
        md.add_render_rule(rule, lambda self, t, i, o, e: put(t[i].content, True))
    return md


def print_html(text: str, suffix: str = "", prefix: str = "") -> Markup:
    """Safe HTML of question Markdown with printable math (for the PDF templates); `prefix`
    (plain text, e.g. the number) starts the first paragraph, `suffix` (the points) ends the
    last."""
    if not text:
        return Markup(f'<p><span class="no">{escape(prefix)}</span>{escape(suffix)}</p>')
    placeholders: list[str] = []
    source = _AFTER_STARS.sub(ZWSP, _BEFORE_STARS.sub(ZWSP, text))
    html = _make_parser(placeholders).render(source).replace(ZWSP, "")
    clean = nh3.clean(
        html,
        tags=HTML_TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https"},
        strip_comments=True,
        link_rel=None,
    )
    # The formulas were made here, after the user's text was sanitized.
    out = re.sub(r"\ue000(\d+)\ue001", lambda m: placeholders[int(m.group(1))], clean).rstrip()
    if suffix:
        tail = f'<span class="pts">{escape(suffix)}</span>'
        out = out[:-4] + tail + "</p>" if out.endswith("</p>") else out + tail
    if prefix:
        head = f'<span class="no">{escape(prefix)}</span>'
        out = "<p>" + head + out[3:] if out.startswith("<p>") else head + out
    return Markup(out)


def print_inline(text: str) -> Markup:
    """`print_html` without the wrapping paragraph (an option's text)."""
    html = str(print_html(text)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)
