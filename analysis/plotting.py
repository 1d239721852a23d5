"""Shared figure style: French labels by default, France highlighted, the source in a caption."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # figures are files; notebooks still display them inline via the figure object
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

FRANCE_COLOUR = "#1f3f99"      # blue: France
HIGHLIGHT_COLOUR = "#e4572e"   # orange-red: reference lines and second highlight
OTHER_COLOUR = "#b8bcc6"       # grey: other countries
PALETTE = ["#1f3f99", "#e4572e", "#29a36a", "#f2a541", "#7b4fa3", "#5b6770"]


def set_style() -> None:
    """Apply the package's style (call once per notebook)."""
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE)
    plt.rcParams.update({
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "axes.titlesize": 12,
        "axes.titleweight": "bold",
        "axes.labelsize": 10,
        "font.family": "DejaVu Sans",
        "axes.spines.top": False,
        "axes.spines.right": False,
    })


def add_source(fig, text: str) -> None:
    """Write the source line under the figure (bottom left), as in a published chart."""
    fig.text(0.01, -0.02, text, ha="left", va="top", fontsize=8, color="#444444", wrap=True)


def percent_fr(value: float, decimals: int = 1) -> str:
    """Format a percentage the French way: ``12,9 %``."""
    return f"{value:.{decimals}f}".replace(".", ",") + "\u202f%"


def number_fr(value: float, decimals: int = 0) -> str:
    """Format a number the French way: thin-space thousands, comma decimals."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def _tick_fr(decimals: int | None):
    def fmt(x, _pos=None):
        if decimals is not None:
            return number_fr(x, decimals)
        if abs(x) >= 10_000:
            return number_fr(x, 0)
        return f"{x:g}".replace(".", ",").replace("-", "\u2212")
    return fmt


def french_axis(ax, axis: str = "y", decimals: int | None = None) -> None:
    """Tick labels of one axis with French decimal commas (and thin-space thousands from 10 000,
    so that years stay as written)."""
    from matplotlib.ticker import FuncFormatter

    getattr(ax, f"{axis}axis").set_major_formatter(FuncFormatter(_tick_fr(decimals)))


def french_ticks(fig) -> None:
    """French tick labels on every numeric axis of ``fig`` (axes whose labels matplotlib computes;
    axes labelled with categories, dates or a log scale are left as they are)."""
    from matplotlib.ticker import FuncFormatter, ScalarFormatter

    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is ScalarFormatter:
                axis.set_major_formatter(FuncFormatter(_tick_fr(None)))


def show(fig, close: bool = True) -> None:
    """Display ``fig`` inline in a notebook (as a PNG), whatever matplotlib backend is active.

    The package forces the Agg backend so that figures are files; a notebook cell that ends with
    ``save_figure(...)`` would otherwise show only a path. Call ``show(fig)`` after saving.
    """
    import io

    from IPython.display import Image, display

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    display(Image(data=buffer.getvalue(), format="png"))
    if close:
        plt.close(fig)
