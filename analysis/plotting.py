"""The package's one visual style: seaborn's whitegrid theme, one colour-blind-safe palette, France always the
same colour, sequential and diverging scales that are not red–green, language-aware tick labels.

Every figure function of ``analysis/<part>_figures.py`` uses these constants, so a change here
changes every figure of the study at once. The palette is Okabe and Ito's (2008) eight colours,
distinguishable under the common forms of colour-vision deficiency.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # figures are files; notebooks still display them inline via the figure object
import matplotlib.pyplot as plt  # noqa: E402

from analysis import mpl_text  # noqa: E402
from analysis.palette import (  # noqa: E402, F401  (the colours, re-exported: see analysis.palette)
    DIVERGING_CMAP,
    FRANCE_COLOUR,
    GRID_COLOUR,
    HIGHLIGHT_COLOUR,
    OKABE_ITO,
    OTHER_COLOUR,
    PALETTE,
    SEQUENTIAL_CMAP,
    SOURCE_TEXT_COLOUR,
    STATUS_COLOURS,
    VARIANT_COLOURS,
)

mpl_text.install()  # exact speedups of text measurement (same PNG bytes): see analysis.mpl_text


#: What ``seaborn.set_theme(style="whitegrid", context="notebook")`` sets in matplotlib (seaborn
#: 0.13.2, pinned), written out so that the style does not import seaborn, which imports
#: scipy.stats: about a second in every process that draws a figure. The palette is set below.
#: tests/test_plotting.py checks this against seaborn itself.
SEABORN_WHITEGRID_NOTEBOOK = {
    "axes.axisbelow": True,
    "axes.edgecolor": ".8",
    "axes.grid": True,
    "axes.labelcolor": ".15",
    "axes.labelsize": 12.0,
    "axes.linewidth": 1.25,
    "axes.titlesize": 12.0,
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans", "sans-serif"],
    "font.size": 12.0,
    "grid.color": ".8",
    "grid.linewidth": 1.0,
    "image.cmap": "rocket",
    "legend.fontsize": 11.0,
    "legend.title_fontsize": 12.0,
    "lines.solid_capstyle": "round",
    "patch.edgecolor": "w",
    "patch.force_edgecolor": True,
    "text.color": ".15",
    "xtick.bottom": False,
    "xtick.color": ".15",
    "xtick.labelsize": 11.0,
    "xtick.major.size": 6.0,
    "xtick.major.width": 1.25,
    "xtick.minor.size": 4.0,
    "xtick.minor.width": 1.0,
    "ytick.color": ".15",
    "ytick.labelsize": 11.0,
    "ytick.left": False,
    "ytick.major.size": 6.0,
    "ytick.major.width": 1.25,
    "ytick.minor.size": 4.0,
    "ytick.minor.width": 1.0,
}


#: The package's own settings, over the theme.
PACKAGE_STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "font.family": "DejaVu Sans",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "grid.color": GRID_COLOUR,
    "image.cmap": SEQUENTIAL_CMAP,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
}


def set_style() -> None:
    """Apply the package's style (call once per notebook; the report's figures use it too): seaborn's
    whitegrid theme at the notebook scale (:data:`SEABORN_WHITEGRID_NOTEBOOK`), then the package's
    own settings and palette (:data:`PACKAGE_STYLE`)."""
    plt.rcParams.update(SEABORN_WHITEGRID_NOTEBOOK)
    plt.rcParams.update(PACKAGE_STYLE)


def add_source(fig, text: str) -> None:
    """Write the source line under the figure (bottom left), as in a published chart."""
    fig.text(0.01, -0.02, text, ha="left", va="top", fontsize=8, color=SOURCE_TEXT_COLOUR, wrap=True)


def percent_fr(value: float, decimals: int = 1) -> str:
    """Format a percentage the French way: ``12,9 %``."""
    return f"{value:.{decimals}f}".replace(".", ",") + "\u202f%"


def number_fr(value: float, decimals: int = 0) -> str:
    """Format a number the French way: thin-space thousands, comma decimals."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def localised_percent(value: float, lang: str = "fr", decimals: int = 1) -> str:
    """``12,9 %`` (fr) or ``12.9%`` (en); see :func:`analysis.i18n.percent`."""
    from analysis import i18n

    return i18n.percent(value, lang, decimals)


def _tick(lang: str):
    """Tick label as matplotlib would write it (``%g``), in the language's number format."""
    from analysis import i18n

    def fmt(x, _pos=None):
        if abs(x) >= 10_000:
            return i18n.number(x, lang, 0)
        text = f"{x:g}".replace("-", "\u2212")
        return text.replace(".", ",") if lang == "fr" else text
    return fmt


def localise_axis(ax, axis: str = "y", lang: str = "fr", decimals: int | None = None) -> None:
    """Tick labels of one axis in the language's number format (decimal comma and thin-space
    thousands from 10 000 in French, so that years stay as written); with ``decimals``, at least
    that many on every label (:func:`tick_formatter`)."""
    from matplotlib.ticker import FuncFormatter

    formatter = tick_formatter(lang, decimals) if decimals is not None else FuncFormatter(_tick(lang))
    getattr(ax, f"{axis}axis").set_major_formatter(formatter)


def tick_formatter(lang: str = "fr", decimals: int = 0):
    """A matplotlib formatter writing every tick label of an axis in the language's number format
    with at least ``decimals`` decimals, and as many more as the axis's ticks need to be written
    exactly (ticks 0, 0.05, 0.1 at one decimal would read 0,0 / 0,1 / 0,1): the same number of
    decimals on every label of the axis."""
    from matplotlib.ticker import Formatter

    from analysis import i18n

    class ExactDecimals(Formatter):
        def _decimals(self, values) -> int:
            for extra in range(7):
                places = decimals + extra
                if all(abs(v - round(v, places)) <= 1e-9 * max(1.0, abs(v)) for v in values):
                    return places
            return decimals + 6

        def format_ticks(self, values):
            places = self._decimals(values)
            return [i18n.number(v, lang, places) for v in values]

        def __call__(self, x, pos=None):
            return i18n.number(x, lang, self._decimals(list(self.locs) or [x]))

    return ExactDecimals()


def french_axis(ax, axis: str = "y", decimals: int | None = None) -> None:
    """:func:`localise_axis` in French (kept for the figure functions that call it)."""
    localise_axis(ax, axis, "fr", decimals)


def localise_ticks(fig, lang: str = "fr") -> None:
    """Tick labels in the language's number format on every numeric axis of ``fig`` (axes whose
    labels matplotlib computes; axes labelled with categories, dates or a log scale are left as
    they are)."""
    from matplotlib.ticker import FuncFormatter, ScalarFormatter

    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is ScalarFormatter:
                axis.set_major_formatter(FuncFormatter(_tick(lang)))


def french_ticks(fig) -> None:
    """:func:`localise_ticks` in French (kept for the figure functions that call it)."""
    localise_ticks(fig, "fr")


#: Resolution of a figure shown inline (notebooks and their HTML pages).
SHOWN_DPI = 110


def show(fig, close: bool = True) -> None:
    """Display ``fig`` inline in a notebook (as a PNG), whatever matplotlib backend is active.

    The package forces the Agg backend so that figures are files; a notebook cell that ends with
    ``save_figure(...)`` would otherwise show only a path. Call ``show(fig)`` after saving: the
    PNG :func:`analysis.io.save_figure` wrote is shown (at the size of a :data:`SHOWN_DPI` image,
    sharper), rather than drawing the figure a second time. A figure never saved is drawn at
    :data:`SHOWN_DPI`.
    """
    import io

    from IPython.display import Image, display

    from analysis.io import SAVED_PNG_ATTRIBUTE

    saved = getattr(fig, SAVED_PNG_ATTRIBUTE, None)
    if saved is not None:
        data, dpi = saved
        width = int.from_bytes(data[16:20], "big")          # the PNG's IHDR chunk: width in pixels
        display(Image(data=data, format="png", width=round(width * SHOWN_DPI / dpi)))
    else:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=SHOWN_DPI, bbox_inches="tight", metadata={"Software": None})
        display(Image(data=buffer.getvalue(), format="png"))
    if close:
        plt.close(fig)
