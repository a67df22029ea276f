"""SVG charts of the paper pages, drawn by `qbank.analytics.plots`. The caller passes the
translated titles and labels.

Drawing takes matplotlib most of a second, and a paper is looked at many times while it does
not change: charts are memoised by a digest of exactly what they show (item parameters,
points, cut, labels), so a changed paper or new calibrated parameters draw afresh.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

from qbank.analytics.plots import PlotText, information_svg, score_histogram_svg
from qbank.papers.review import Forecast
from qbank.psychometrics.irt import ItemParameters

PER = 10_000  # the score distribution is drawn as counts per 10,000 candidates
_CACHE: OrderedDict[str, str] = OrderedDict()
_LOCK = threading.Lock()
_SIZE = 64


def _memo(parts: list[bytes | str], draw: Callable[[], str]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode("utf-8"))
        digest.update(b"\x00")
    key = digest.hexdigest()
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    svg = draw()
    with _LOCK:
        _CACHE[key] = svg
        while len(_CACHE) > _SIZE:
            _CACHE.popitem(last=False)
    return svg


def information_chart(
    forms: list[tuple[str, ItemParameters]], text: PlotText, se_label: str
) -> str:
    """Test information (solid) and standard error (dashed) of one or more forms."""
    drawn = [(label, p) for label, p in forms if p.n_items]
    if not drawn:
        return ""
    parts: list[bytes | str] = ["info", repr(text), se_label]
    for label, p in drawn:
        parts += [label, p.a.tobytes(), np.nan_to_num(p.b, nan=99.0).tobytes()]
    return _memo(parts, lambda: information_svg(drawn, text, se_label))


def score_chart(forecast: Forecast, cut: float, text: PlotText) -> str:
    """The expected score distribution, exact, as a histogram per 10,000 candidates."""
    counts = np.round(forecast.pmf * PER).astype(np.int64)
    if counts.sum() == 0:
        return ""
    parts: list[bytes | str] = ["scores", repr(text), repr(cut), counts.tobytes(),
                                forecast.grid.tobytes()]  # fmt: skip
    scores = np.repeat(forecast.grid, np.maximum(counts, 0))
    return _memo(parts, lambda: score_histogram_svg(scores, cut, text, bin_width=2.0))
