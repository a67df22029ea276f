"""Report plots as SVG strings (matplotlib, Agg-free SVG backend, no global pyplot state).

Every title, axis label and legend entry is passed in by the caller, so the app can translate
them; Chinese text renders with the first available CJK font of FONT_FAMILY and is embedded as
glyph paths in the SVG, so it displays the same in any browser.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from qbank.psychometrics.irt import ItemParameters, expected_score, item_information

FONT_FAMILY = ["Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Zen Hei", "DejaVu Sans"]
THETA = np.linspace(-4.0, 4.0, 161)
RC: dict[Any, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": FONT_FAMILY,
    "axes.unicode_minus": False,  # CJK fonts often lack U+2212
    "svg.fonttype": "path",
    "svg.hashsalt": "qbank",  # stable ids: the same plot gives the same SVG
}


@dataclass(frozen=True)
class PlotText:
    """Caller-supplied (translated) text: title, axis labels, legend entries."""

    title: str
    x_label: str
    y_label: str
    legend: tuple[str, ...] = ()


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buf.getvalue()


def _figure(text: PlotText, size: tuple[float, float] = (6.0, 4.0)) -> tuple[Figure, Axes]:
    fig = Figure(figsize=size)
    ax = fig.add_subplot()
    ax.set_title(text.title)
    ax.set_xlabel(text.x_label)
    ax.set_ylabel(text.y_label)
    ax.grid(alpha=0.3)
    return fig, ax


def icc_svg(
    params: ItemParameters,
    text: PlotText,
    observed: tuple[np.ndarray, np.ndarray] | None = None,
) -> str:
    """Expected score curve of one item (params with one row) in score/max units, with
    observed proportions by ability group as points (see `fit.empirical_icc`)."""
    with matplotlib.rc_context(RC):
        fig, ax = _figure(text)
        curve = expected_score(THETA, params)[0] / params.n_steps[0]
        ax.plot(THETA, curve, label=text.legend[0] if text.legend else None)
        if observed is not None:
            label = text.legend[1] if len(text.legend) > 1 else None
            ax.plot(*observed, "o", label=label)
        ax.set_ylim(-0.02, 1.02)
        if text.legend:
            ax.legend()
        return _svg(fig)


def information_svg(
    forms: Sequence[tuple[str, ItemParameters]], text: PlotText, se_label: str
) -> str:
    """Test information (solid, left axis) and SE = 1/√I (dashed, right axis) of several forms."""
    with matplotlib.rc_context(RC):
        fig, ax = _figure(text)
        twin = ax.twinx()
        twin.set_ylabel(se_label)
        for i, (label, params) in enumerate(forms):
            info = item_information(THETA, params).sum(axis=0)
            color = f"C{i}"
            ax.plot(THETA, info, color=color, label=label)
            twin.plot(THETA, 1.0 / np.sqrt(np.maximum(info, 1e-9)), "--", color=color)
        ax.legend()
        return _svg(fig)


def wright_map_svg(
    person_theta: np.ndarray, item_locations: np.ndarray, text: PlotText, bins: int = 30
) -> str:
    """Persons (histogram, left) and items (ticks, right) on one θ scale."""
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(6.0, 5.0))
        left, right = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [2, 1]})
        fig.suptitle(text.title)
        left.hist(person_theta, bins=bins, orientation="horizontal", color="C0")
        left.invert_xaxis()
        left.set_ylabel(text.y_label)
        left.set_xlabel(text.x_label)
        locs = np.asarray(item_locations, dtype=float)
        right.plot(np.zeros_like(locs), locs, "_", markersize=20, color="C3")
        right.set_xticks([])
        if text.legend:
            left.set_title(text.legend[0])
            right.set_title(text.legend[1] if len(text.legend) > 1 else "")
        return _svg(fig)


def score_histogram_svg(
    scores: np.ndarray, cut: float, text: PlotText, bin_width: float = 2.0
) -> str:
    """Histogram of total scores with the cut score as a vertical line."""
    with matplotlib.rc_context(RC):
        fig, ax = _figure(text)
        s = np.asarray(scores, dtype=float)
        s = s[np.isfinite(s)]
        top = max(float(s.max(initial=0.0)), cut) + bin_width
        ax.hist(s, bins=list(np.arange(0.0, top + bin_width, bin_width)), color="C0")
        ax.axvline(cut, color="C3", linestyle="--", label=text.legend[0] if text.legend else None)
        if text.legend:
            ax.legend()
        return _svg(fig)


def section_chart_svg(
    sections: Sequence[str], theta: np.ndarray, lower: np.ndarray, upper: np.ndarray, text: PlotText
) -> str:
    """One learner's section abilities as points with interval bars, one row per section."""
    with matplotlib.rc_context(RC):
        fig, ax = _figure(text, size=(6.0, 0.5 * len(sections) + 1.5))
        y = np.arange(len(sections))
        t = np.asarray(theta, dtype=float)
        err = np.vstack([t - np.asarray(lower), np.asarray(upper) - t])
        ax.errorbar(t, y, xerr=err, fmt="o", capsize=3)
        ax.set_yticks(y, list(sections))
        ax.axvline(0.0, color="grey", linewidth=0.8)
        ax.invert_yaxis()
        return _svg(fig)
