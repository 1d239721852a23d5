"""Two exact speedups of matplotlib's text measurement (matplotlib 3.11.2, pinned), installed by
:mod:`analysis.plotting` when it is imported.

Text measurement is the largest cost of drawing the study's figures: matplotlib 3.11 shapes every
string with libraqm (``FT2Font.set_text``), and a figure saved with ``bbox_inches="tight"`` is laid
out twice, first on a renderer the size of the whole figure (to find the tight box), then on a new
renderer the size of that box. Both changes below give the same pixels, hence the same PNG bytes
(``tests/test_mpl_text.py`` draws figures both ways and compares the bytes):

1. **One metrics cache for every Agg renderer.** matplotlib caches a string's width, height and
   descent per renderer instance (``matplotlib.text._get_text_metrics_function``), so the second
   layout of a tight save, and every other figure, measures every label again. Here the Agg
   renderers share one cache, keyed on what ``RendererAgg.get_text_width_height_descent`` reads:
   the string, the font files the properties resolve to, the size in points, the renderer's dpi,
   and the rcParams that change glyph metrics (hinting, kerning factor, last-resort font). Math
   text, TeX and other renderers (PDF, SVG) keep matplotlib's own cache.
2. **Wrapping by bisection.** For a ``wrap=True`` text (the source line under every figure,
   :func:`analysis.plotting.add_source`), matplotlib measures the line one word longer at a time,
   a quadratic number of shapings of ever longer strings. The line width is monotone in the number
   of words, so the first word count that overflows is found by bisection, with a logarithmic
   number of measurements; the lines are the same (checked against matplotlib's own method).

Upstream: matplotlib#28831 (a metrics cache shared across renderers, open) and #32120 (text speedups,
in no release yet). With another matplotlib version nothing is installed: matplotlib's own code runs.
"""

from __future__ import annotations

import matplotlib
import matplotlib.text as mtext
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.font_manager import fontManager

#: The matplotlib version these replacements were written against and checked with.
MATPLOTLIB_VERSION = "3.11.2"

#: matplotlib's own functions (kept for other renderers, for math text and for the tests).
ORIGINAL_METRICS_FUNCTION = mtext._get_text_metrics_function
ORIGINAL_WRAPPED_TEXT = mtext.Text._get_wrapped_text

#: (string, font files, size in points, dpi, rcParams...) -> (width, height, descent) in pixels.
_AGG_METRICS: dict[tuple, tuple[float, float, float]] = {}
_MAX_ENTRIES = 200_000  # about 60 MB at most; emptied when full


def shared_metrics_function(renderer):
    """What ``matplotlib.text._get_text_metrics_function(renderer)`` returns (a function of
    ``(text, fontprop, ismath, dpi)``), with one cache shared by every Agg renderer."""
    if type(renderer) is not RendererAgg:
        return ORIGINAL_METRICS_FUNCTION(renderer)

    def metrics(text, fontprop, ismath, dpi):
        if ismath:
            return ORIGINAL_METRICS_FUNCTION(renderer)(text, fontprop, ismath, dpi)
        rc = matplotlib.rcParams
        key = (text, tuple(map(str, fontManager._find_fonts_by_props(fontprop))), fontprop.get_size_in_points(),
               dpi, renderer.dpi, rc["text.hinting"], rc["text.hinting_factor"], rc["text.kerning_factor"],
               rc["font.enable_last_resort"])
        value = _AGG_METRICS.get(key)
        if value is None:
            if len(_AGG_METRICS) >= _MAX_ENTRIES:
                _AGG_METRICS.clear()
            value = _AGG_METRICS[key] = renderer.get_text_width_height_descent(text, fontprop, ismath)
        return value

    return metrics


def wrapped_text(self) -> str:
    """``Text._get_wrapped_text`` with the overflowing word found by bisection: the same lines as
    matplotlib's linear scan (each line takes words while ``' '.join(words[:i])`` fits, at least two
    words once a line has two), in O(log n) measurements per line instead of O(n)."""
    if not self.get_wrap() or self.get_usetex():
        return self.get_text()
    line_width = self._get_wrap_line_width()
    wrapped_lines = []
    for unwrapped_line in self.get_text().split("\n"):
        words = unwrapped_line.split(" ")
        while words:
            if len(words) == 1:
                wrapped_lines.append(words.pop(0))
                continue
            # the smallest i in [2, len(words)] whose first i words overflow; len(words) + 1 if none
            low, high = 2, len(words) + 1
            while low < high:
                middle = (low + high) // 2
                if self._get_rendered_text_width(" ".join(words[:middle])) > line_width:
                    high = middle
                else:
                    low = middle + 1
            wrapped_lines.append(" ".join(words[:low - 1]))
            words = words[low - 1:]
    return "\n".join(wrapped_lines)


def install() -> bool:
    """Install both replacements if matplotlib is the version they were checked with; return
    whether they are installed."""
    if matplotlib.__version__ != MATPLOTLIB_VERSION:
        return False
    mtext._get_text_metrics_function = shared_metrics_function
    mtext.Text._get_wrapped_text = wrapped_text
    return True


def uninstall() -> None:
    """Put matplotlib's own functions back (the tests compare both)."""
    mtext._get_text_metrics_function = ORIGINAL_METRICS_FUNCTION
    mtext.Text._get_wrapped_text = ORIGINAL_WRAPPED_TEXT
    _AGG_METRICS.clear()
