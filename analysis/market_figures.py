"""Figures of the market sizing: functions that take the part's tables and a language and return a
matplotlib Figure. Labels come from ``data/i18n/market.csv`` (French by default, English on request).
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from analysis import i18n
from analysis.market import BUDGET_QUANTITY, EURO_MARKET_QUANTITIES, GAP_QUANTITIES

APPROACH_COLOURS = {"1": "#29a36a", "2": "#5b6770", "3": "#1f3f99", "4": "#7b4fa3"}


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width))


def _label(quantity: str, lang: str) -> str:
    return i18n.text(f"market.quantity.{quantity}", lang)


def _meur(value_eur: float, lang: str) -> str:
    """An amount in euros written in M€ (one decimal under 10 M€)."""
    millions = value_eur / 1e6
    return i18n.money(millions, lang, 1 if abs(millions) < 10 else 0)


def _beur(value_eur: float, lang: str) -> str:
    return i18n.money(value_eur / 1e9, lang, 1, unit="Md€" if lang == "fr" else "bn€")


def _unit(unit: str, lang: str) -> str:
    key = f"market.unit.{unit}"
    return i18n.text(key, lang) if i18n.has(key) else unit


def _input_number(x: float, lang: str) -> str:
    if abs(x) >= 1e6:
        return i18n.number(x / 1e6, lang, 2) + " M"
    if float(x).is_integer() or abs(x) >= 100:
        return i18n.number(x, lang, 0)
    return i18n.number(x, lang, 2)


def _numeric_ticks(ax, axis: str, lang: str, decimals: int | None = None) -> None:
    from matplotlib.ticker import FuncFormatter

    def fmt(x, _pos=None):
        d = decimals if decimals is not None else (0 if abs(x) >= 10 or float(x).is_integer() else 1)
        return i18n.number(x, lang, d)

    getattr(ax, f"{axis}axis").set_major_formatter(FuncFormatter(fmt))


def approaches_figure(approaches: pd.DataFrame, references: list[tuple[str, float]], funding: pd.DataFrame,
                      source: str, lang: str = "fr"):
    """Left: ranges (low–high bar, central dot) of the euro market sizes, each labelled with the
    quantity it measures, and a reference mark of public digital spending (equipment included).
    Middle: the gap to the OECD average in both forms and both vintages (bn€). Right: funding
    intensity (France's share of world funding against its share of world GDP)."""
    import matplotlib.pyplot as plt

    from analysis.plotting import FRANCE_COLOUR, HIGHLIGHT_COLOUR, OTHER_COLOUR, add_source

    i18n.check_language(lang)
    table = approaches.set_index("quantity")
    euro = table.loc[EURO_MARKET_QUANTITIES].reset_index()
    fig, (ax, ax_gap, ax2) = plt.subplots(1, 3, figsize=(17, 6.8), gridspec_kw={"width_ratios": [2.5, 1.2, 0.9]})
    y = np.arange(len(euro))[::-1]
    for yi, row in zip(y, euro.itertuples()):
        colour = APPROACH_COLOURS[row.approach[0]]
        ax.plot([row.low / 1e6, row.high / 1e6], [yi, yi], color=colour, lw=9, alpha=0.3, solid_capstyle="butt")
        ax.plot(row.central / 1e6, yi, "o", color=colour, ms=9)
        ax.annotate(_meur(row.central, lang), (row.central / 1e6, yi), xytext=(0, 10), textcoords="offset points",
                    ha="center", fontsize=8.5, color=colour, fontweight="bold")
        ax.annotate(f"{_meur(row.low, lang)} – {_meur(row.high, lang)}", (row.high / 1e6, yi), xytext=(6, -3),
                    textcoords="offset points", ha="left", va="center", fontsize=7.5, color="#555555")
    labels = [_wrap(_label(q, lang), 48) + ("\n" + i18n.text("market.fig.approaches.budget_note", lang)
                                             if q == BUDGET_QUANTITY else "")
              for q in euro["quantity"]]
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_ylim(-0.7, len(euro) - 0.3)
    ax.grid(axis="y", visible=False)
    styles = ["--", ":", "-."]
    for k, (label, value) in enumerate(references):
        ax.axvline(value / 1e6, color=HIGHLIGHT_COLOUR, ls=styles[k % 3], lw=1.4,
                   label=_wrap(i18n.text("market.fig.approaches.reference", lang, label=label), 70)
                   + f" : {_meur(value, lang)}")
    upper = max([euro["high"].max()] + [v for _, v in references]) / 1e6
    ax.set_xlim(0, upper * 1.25)
    _numeric_ticks(ax, "x", lang)
    ax.set_xlabel(i18n.text("market.fig.approaches.xlabel", lang), fontsize=9)
    ax.set_title(_wrap(i18n.text("market.fig.approaches.title", lang), 70), fontsize=11)
    if references:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.11), fontsize=8, frameon=False, ncol=1)

    gaps = table.loc[GAP_QUANTITIES]
    keys = {"oecd_gap_gdp_gaag2023_eur": "gdp_2023", "oecd_gap_share_gaag2023_eur": "share_2023",
            "oecd_gap_gdp_gaag2025_eur": "gdp_2025", "oecd_gap_share_gaag2025_eur": "share_2025"}
    yg = np.arange(len(gaps))[::-1]
    colours = [FRANCE_COLOUR if "gdp" in q else OTHER_COLOUR for q in gaps.index]
    ax_gap.barh(yg, gaps["central"] / 1e9, color=colours, height=0.6,
                xerr=[(gaps["central"] - gaps["low"]) / 1e9, (gaps["high"] - gaps["central"]) / 1e9], capsize=3)
    for yi, (q, row) in zip(yg, gaps.iterrows()):
        ax_gap.annotate(_beur(row["central"], lang), (row["high"] / 1e9, yi), xytext=(5, 0), textcoords="offset points",
                        va="center", fontsize=8.5, fontweight="bold")
    ax_gap.set_yticks(yg)
    ax_gap.set_yticklabels([i18n.text(f"market.fig.gaps.{keys[q]}", lang) for q in gaps.index], fontsize=8)
    ax_gap.set_xlim(0, gaps["high"].max() / 1e9 * 1.35)
    _numeric_ticks(ax_gap, "x", lang)
    ax_gap.set_xlabel(i18n.text("market.fig.gaps.xlabel", lang), fontsize=9)
    ax_gap.set_title(i18n.text("market.fig.gaps.title", lang), fontsize=11)
    ax_gap.grid(axis="y", visible=False)

    shares = funding.set_index("measure")
    values = shares.loc[["share_world_funding", "share_world_gdp"]]
    names = [i18n.text("market.fig.funding.world", lang), i18n.text("market.fig.funding.gdp", lang)]
    bars = ax2.bar(names, values["central"], color=[FRANCE_COLOUR, OTHER_COLOUR], width=0.6,
                   yerr=[values["central"] - values["low"], values["high"] - values["central"]], capsize=4)
    for bar, v in zip(bars, values["central"]):
        ax2.annotate(i18n.percent(v, lang, 2 if v < 2 else 1), (bar.get_x() + bar.get_width() / 2, v), xytext=(0, 6),
                     textcoords="offset points", ha="center", fontsize=10, fontweight="bold")
    europe = shares.loc["share_europe_funding"]
    implied = shares.loc["europe_implied_musd"]
    ax2.text(0.5, 0.97, i18n.text("market.fig.funding.box", lang, europe=i18n.percent(europe["central"], lang, 0),
                                  implied=i18n.number(implied["central"], lang), low=i18n.number(implied["low"], lang),
                                  high=i18n.number(implied["high"], lang)),
             transform=ax2.transAxes, ha="center", va="top", fontsize=8,
             bbox={"boxstyle": "round", "facecolor": "#f3f4f7", "edgecolor": "#cccccc"})
    ax2.set_ylabel(i18n.text("market.fig.funding.ylabel", lang))
    ax2.set_ylim(0, values["high"].max() * 1.9)
    _numeric_ticks(ax2, "y", lang, 1)
    ax2.grid(axis="x", visible=False)
    ax2.set_title(i18n.text("market.fig.funding.title", lang), fontsize=11)
    ax2.tick_params(axis="x", labelsize=8)
    fig.tight_layout()
    add_source(fig, source)
    return fig


#: Inputs whose swing is below this share of the central output are not drawn in the tornado.
TORNADO_VISIBLE_SHARE = 0.02


def tornado_figure(tornado_table: pd.DataFrame, quantities: list[str], source: str, top: int = 8, lang: str = "fr"):
    """One panel per quantity: bars from the output at the input's low to the output at its high
    (M€); inputs whose swing is invisible at that scale are counted in a note, not drawn as empty rows."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    from analysis.plotting import FRANCE_COLOUR, HIGHLIGHT_COLOUR, add_source

    i18n.check_language(lang)
    panels = []
    for name in quantities:
        rows = tornado_table[tornado_table["quantity"] == name]
        visible = rows[rows["swing"] >= TORNADO_VISIBLE_SHARE * rows["output_central"].abs()]
        panels.append((name, visible.head(top), len(rows) - len(visible.head(top))))
    counts = [max(1, len(v)) for _, v, _ in panels]
    fig, axes = plt.subplots(len(panels), 1, figsize=(10, 1.8 + 0.75 * sum(counts) + 0.9 * len(panels)),
                             squeeze=False, gridspec_kw={"height_ratios": [c + 0.9 for c in counts]})
    for ax, (name, rows, omitted) in zip(axes[:, 0], panels):
        rows = rows.iloc[::-1]
        all_rows = tornado_table[tornado_table["quantity"] == name]
        middle = all_rows["output_central"].iloc[0] / 1e6
        y = np.arange(len(rows))
        low_out, high_out = rows["output_at_low"] / 1e6, rows["output_at_high"] / 1e6
        ax.barh(y, low_out - middle, left=middle, color=HIGHLIGHT_COLOUR, alpha=0.85, height=0.6)
        ax.barh(y, high_out - middle, left=middle, color=FRANCE_COLOUR, alpha=0.85, height=0.6)
        for yi, lo, hi in zip(y, low_out, high_out):
            for value in (lo, hi):
                if abs(value - middle) > 0.02 * abs(middle):
                    ax.annotate(_meur(value * 1e6, lang), (value, yi),
                                xytext=(4 if value > middle else -4, 0), textcoords="offset points",
                                ha="left" if value > middle else "right", va="center", fontsize=7.5)
        ax.axvline(middle, color="#333333", lw=1)
        ax.set_yticks(y)
        ax.set_yticklabels([f"{_wrap(r.label_fr if lang == 'fr' else r.input_id, 42)}\n"
                            f"[{_input_number(r.input_low, lang)} – {_input_number(r.input_high, lang)} {_unit(r.unit, lang)}]"
                            for r in rows.itertuples()], fontsize=8)
        ax.set_ylim(-0.6, max(len(rows), 1) - 0.4)
        ax.grid(axis="y", visible=False)
        lo_all = min(low_out.min() if len(rows) else middle, middle)
        hi_all = max(high_out.max() if len(rows) else middle, middle)
        pad = 0.15 * (hi_all - lo_all) if hi_all > lo_all else 0.1 * abs(middle)
        ax.set_xlim(lo_all - pad, hi_all + pad)
        _numeric_ticks(ax, "x", lang)
        ax.set_title(i18n.text("market.fig.tornado.panel", lang, label=_wrap(_label(name, lang), 90),
                               value=_meur(middle * 1e6, lang)), fontsize=10)
        xlabel = i18n.text("market.fig.tornado.xlabel", lang)
        if omitted:
            xlabel += "\n" + i18n.text("market.fig.tornado.omitted", lang, count=omitted)
        ax.set_xlabel(xlabel, fontsize=9)
    axes[0, 0].legend(handles=[Patch(color=HIGHLIGHT_COLOUR, label=i18n.text("market.fig.tornado.low", lang)),
                               Patch(color=FRANCE_COLOUR, label=i18n.text("market.fig.tornado.high", lang))],
                      loc="lower right", fontsize=8)
    fig.suptitle(i18n.text("market.fig.tornado.title", lang), fontweight="bold", fontsize=11)
    fig.tight_layout()
    add_source(fig, source)
    return fig


def monte_carlo_figure(draws: pd.DataFrame, summary: pd.DataFrame, central_values: dict[str, float],
                       quantities: list[str], source: str, seed: int, lang: str = "fr"):
    """One histogram per quantity, each on its own axis (M€): the P5–P95 interval shaded, the median
    and the value at central inputs as lines, and the figures in a box (no label on the lines, so
    nothing overlaps)."""
    import matplotlib.pyplot as plt

    from analysis.plotting import FRANCE_COLOUR, PALETTE, add_source

    i18n.check_language(lang)
    stats_table = summary.set_index("quantity")
    colours = [FRANCE_COLOUR, PALETTE[5], PALETTE[2], PALETTE[4]]
    fig, axes = plt.subplots(len(quantities), 1, figsize=(10, 1.6 + 2.7 * len(quantities)), squeeze=False)
    for ax, colour, name in zip(axes[:, 0], colours, quantities):
        values = draws[name].to_numpy() / 1e6
        upper = float(np.percentile(values, 99.5)) * 1.05
        beyond = float((values > upper).mean())
        bins = np.linspace(0, upper, 70)
        ax.hist(np.clip(values, None, upper), bins=bins, color=colour, alpha=0.5)
        p05, p50, p95 = (stats_table.at[name, q] / 1e6 for q in ("p05", "p50", "p95"))
        middle = central_values[name] / 1e6
        ax.axvspan(p05, p95, color=colour, alpha=0.08, label=i18n.text("market.fig.mc.interval", lang))
        ax.axvline(p50, color=colour, lw=1.8, label=i18n.text("market.fig.mc.median", lang))
        ax.axvline(middle, color="#333333", lw=1.3, ls="--", label=i18n.text("market.fig.mc.central", lang))
        below = float((values < middle).mean())
        ax.text(0.99, 0.95, i18n.text("market.fig.mc.stats", lang, p05=_meur(p05 * 1e6, lang), p50=_meur(p50 * 1e6, lang),
                                      p95=_meur(p95 * 1e6, lang), central=_meur(middle * 1e6, lang),
                                      below=i18n.percent(100 * below, lang, 0)),
                transform=ax.transAxes, ha="right", va="top", fontsize=8,
                bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "#cccccc", "alpha": 0.9})
        title = _label(name, lang)
        if beyond > 0:
            title += " (" + i18n.text("market.fig.mc.beyond", lang, share=i18n.percent(100 * beyond, lang, 1),
                                      upper=_meur(upper * 1e6, lang)) + ")"
        ax.set_title(_wrap(title, 100), fontsize=10)
        ax.set_ylabel(i18n.text("market.fig.mc.ylabel", lang), fontsize=9)
        ax.set_xlabel(i18n.text("market.fig.mc.xlabel", lang), fontsize=9)
        ax.set_xlim(0, upper)
        _numeric_ticks(ax, "x", lang)
        _numeric_ticks(ax, "y", lang, 0)
        ax.grid(axis="x", visible=False)
        ax.legend(loc="upper left", fontsize=8, frameon=False)
    n = int(stats_table.at[quantities[0], "n"])
    fig.suptitle(i18n.text("market.fig.mc.title", lang, n=i18n.number(n, lang), seed=seed), fontweight="bold")
    fig.tight_layout()
    add_source(fig, source)
    return fig


def reader_table(frame: pd.DataFrame, columns: dict[str, str], lang: str = "fr",
                 decimals: dict[str, int] | None = None, scale: dict[str, float] | None = None):
    """A table for reading: the ``columns`` kept and renamed (``{column: header}``), numbers
    rounded (``decimals`` per column, default 0) and written for the language (``scale`` divides a
    column first, e.g. 1e6 for M€), empty values as a dash, booleans as words, no index column.
    Returns a pandas Styler (rendered as HTML in a notebook)."""
    i18n.check_language(lang)
    decimals, scale = decimals or {}, scale or {}
    out = pd.DataFrame(index=frame.index)
    for column, header in columns.items():
        values = frame[column]

        def fmt(v, column=column):
            if v is None or (isinstance(v, float) and np.isnan(v)):
                return "–"
            if isinstance(v, (bool, np.bool_)):
                return i18n.yes_no(bool(v), lang)
            if isinstance(v, (int, float, np.integer, np.floating)):
                return i18n.number(float(v) / scale.get(column, 1.0), lang, decimals.get(column, 0))
            return str(v)

        out[header] = [fmt(v) for v in values]
    return out.reset_index(drop=True).style.hide(axis="index")
