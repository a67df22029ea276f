"""Plots render to SVG with caller-supplied (Chinese) text."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib import font_manager

from qbank.analytics.plots import (
    FONT_FAMILY,
    PlotText,
    icc_svg,
    information_svg,
    score_histogram_svg,
    section_chart_svg,
    wright_map_svg,
)
from qbank.psychometrics.irt import ItemParameters

HAS_CJK = any(f.name in FONT_FAMILY[:3] for f in font_manager.fontManager.ttflist)
needs_cjk = pytest.mark.skipif(not HAS_CJK, reason="no CJK font installed (fonts-noto-cjk)")


@needs_cjk
def test_all_plots_render_with_chinese_labels() -> None:
    text = PlotText("题目特征曲线", "能力 θ", "得分率", ("模型", "观测"))
    params = ItemParameters.dichotomous([1.2, 0.8], [0.0, 1.0])
    svgs = [
        icc_svg(params.subset([0]), text, (np.linspace(-2, 2, 5), np.linspace(0.1, 0.9, 5))),
        information_svg([("A卷", params), ("B卷", params.subset([1]))], text, "标准误"),
        wright_map_svg(np.random.default_rng(0).normal(size=200), params.b[:, 0], text),
        score_histogram_svg(np.random.default_rng(1).normal(65, 10, 300), 60.0, text),
        section_chart_svg(
            ["碳交易", "碳资产"],
            np.array([0.2, -0.3]),
            np.array([-0.4, -1.0]),
            np.array([0.8, 0.4]),
            text,
        ),
    ]
    for svg in svgs:
        assert svg.startswith("<?xml") and "</svg>" in svg
    # text is embedded as glyph paths, so it renders the same in every browser
    assert "<text" not in svgs[0]


def test_same_input_gives_identical_svg() -> None:
    text = PlotText("ICC", "theta", "p")
    params = ItemParameters.dichotomous([1.0], [0.0])
    assert icc_svg(params, text) == icc_svg(params, text)
