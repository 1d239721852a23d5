"""Figures of the OECD part: each function takes tables and ``lang`` ("fr" default, "en") and returns
a matplotlib Figure (labels from data/i18n/oecd.csv, France highlighted, source under each chart)."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator
import numpy as np
import pandas as pd
from scipy import stats

from analysis import i18n
from analysis.plotting import FRANCE_COLOUR, HIGHLIGHT_COLOUR, OTHER_COLOUR, add_source, french_ticks

HOLDS_COLOUR = "#1b9e77"    # colour-blind-safe pair (teal / orange) for holds / fails
FAILS_COLOUR = "#d95f02"


def _t(key: str, lang: str, **values) -> str:
    return i18n.text(f"oecd.fig.{key}", lang, **values)


def _pct(value: float, lang: str, decimals: int = 1) -> str:
    return i18n.percent(value, lang, decimals)


def _ticks(fig, lang: str) -> None:
    if lang == "fr":
        french_ticks(fig)


def _name(row, lang: str) -> str:
    return row["name_fr"] if lang == "fr" or "name_en" not in row else row["name_en"]


def ranking_bars(ranking: pd.DataFrame, aggregates: pd.Series, year: int, measure: str, lang: str = "fr"):
    """Sorted horizontal bars, France highlighted, OECD and OECD-EU averages as lines."""
    data = ranking.sort_values("value")
    labels = [_name(row, lang) for _, row in data.iterrows()]
    fig, ax = plt.subplots(figsize=(8, 0.24 * len(data) + 1.6))
    colours = [FRANCE_COLOUR if code == "FRA" else OTHER_COLOUR for code in data["code"]]
    ax.barh(labels, data["value"], color=colours)
    styles = {"OECD": ("oecd", "-"), "EUOECD": ("euoecd", "--")}
    for code, (key, style) in styles.items():
        if code in aggregates:
            ax.axvline(aggregates[code], color=HIGHLIGHT_COLOUR, linestyle=style, linewidth=1.4,
                       label=f"{_t(key, lang)} : {_pct(aggregates[code], lang)}" if lang == "fr"
                       else f"{_t(key, lang)}: {_pct(aggregates[code], lang)}")
    france = data[data["code"] == "FRA"]
    if len(france):
        value = float(france["value"].iloc[0])
        ax.text(value + 0.2, labels[list(data["code"]).index("FRA")], _pct(value, lang), va="center",
                color=FRANCE_COLOUR, fontweight="bold", fontsize=9)
    ax.set_xlabel(_t(f"unit.{measure}", lang))
    ax.set_ylabel("")
    ax.tick_params(axis="y", labelsize=8)
    ax.set_title(_t(f"ranking.title.{measure}", lang, year=year))
    ax.legend(loc="lower right", fontsize=9, frameon=True)
    ax.margins(y=0.01)
    add_source(fig, _t("source.oecd2025", lang))
    _ticks(fig, lang)
    fig.tight_layout()
    return fig


def france_timeseries(series: dict[str, pd.DataFrame], lang: str = "fr"):
    """France against the OECD and OECD-EU, one panel per measure; the three series labelled at
    their last point (no legend box over the lines)."""
    fig, axes = plt.subplots(1, len(series), figsize=(11.5, 4.2), sharex=True)
    axes = np.atleast_1d(axes)
    lines = {"FRA": ("france", FRANCE_COLOUR, "-", 2.4), "OECD": ("oecd", HIGHLIGHT_COLOUR, "-", 1.6),
             "EUOECD": ("euoecd", HIGHLIGHT_COLOUR, "--", 1.6)}
    for ax, (measure, wide) in zip(axes, series.items()):
        ends = []
        for code, (key, colour, style, width) in lines.items():
            data = wide[["year", code]].dropna()
            ax.plot(data["year"], data[code], color=colour, linestyle=style, linewidth=width,
                    marker="o" if code == "FRA" else None, markersize=3)
            ends.append([float(data[code].iloc[-1]), int(data["year"].iloc[-1]), _t(key, lang), colour])
        # spread the end labels vertically so that they never overlap
        low, high = ax.get_ylim()
        gap = 0.06 * (high - low)
        ends.sort(key=lambda e: e[0])
        for i in range(1, len(ends)):
            ends[i][0] = max(ends[i][0], ends[i - 1][0] + gap)
        for y, x, text, colour in ends:
            ax.text(x + 0.3, y, text, color=colour, fontsize=9, va="center", fontweight="bold")
        ax.set_xlim(wide["year"].min() - 0.5, wide["year"].max() + 3)
        ax.set_title(_t("timeseries.panel", lang, unit=_t(f"unit.{measure}", lang)))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(_t("year", lang))
        ax.set_ylabel("%")
    first, last = int(min(w["year"].min() for w in series.values())), int(max(w["year"].max() for w in series.values()))
    fig.suptitle(_t("timeseries.title", lang, first=first, last=last), fontweight="bold")
    add_source(fig, _t("source.oecd2025", lang) + " " + _t("timeseries.note", lang))
    _ticks(fig, lang)
    fig.tight_layout()
    return fig


def vintage_audit_bars(audit: pd.DataFrame, lang: str = "fr"):
    """Slides' figures (Government at a Glance 2023) against the 2025 release; value labels set
    inside the bars' tops with one decimal more for small values, staggered when close."""
    keys_total = [("OECD", "procurement_pct_gdp"), ("EUOECD", "procurement_pct_gdp"), ("FRA", "procurement_pct_gdp")]
    keys_edu = [("OECD", "education_pct_gdp"), ("FRA", "education_pct_gdp")]
    names = {"OECD": _t("oecd", lang), "EUOECD": _t("euoecd", lang), "FRA": _t("france", lang)}
    rows = audit.set_index(["code", "quantity"])
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.4), gridspec_kw={"width_ratios": [3, 2]})
    for ax, keys, title in zip(axes, [keys_total, keys_edu], [_t("vintage.total", lang), _t("vintage.education", lang)]):
        x = np.arange(len(keys))
        old = [rows.loc[k, "gaag2023"] for k in keys]
        new = [rows.loc[k, "gaag2025"] for k in keys]
        ax.bar(x - 0.2, old, width=0.38, color=OTHER_COLOUR, label=_t("vintage.2023", lang))
        ax.bar(x + 0.2, new, width=0.38, color=FRANCE_COLOUR, label=_t("vintage.2025", lang))
        top = max(old + new)
        for xi, (a, b) in enumerate(zip(old, new)):
            for offset, value, colour in ((-0.2, a, "#222222"), (0.2, b, "white")):
                ax.text(xi + offset, value - 0.03 * top, _pct(value, lang, 2 if value < 5 else 1), ha="center",
                        va="top", fontsize=8, color=colour, rotation=90)
        ax.set_xticks(x, [names[k[0]] + ("*" if k == ("FRA", "procurement_pct_gdp") else "") for k in keys], fontsize=9)
        ax.set_title(title)
        ax.set_ylabel(_t("unit.pct_gdp", lang))
        ax.set_ylim(0, top * 1.08)
    axes[0].legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
    add_source(fig, _t("source.vintage", lang))
    _ticks(fig, lang)
    fig.tight_layout()
    return fig


def education_bars(cross_section: pd.DataFrame, year: int, lang: str = "fr"):
    """Eurostat proxy: education procurement as % of GDP by country, France highlighted."""
    data = cross_section.sort_values("education_pct_gdp")
    fig, ax = plt.subplots(figsize=(8, 0.24 * len(data) + 1.6))
    colours = [FRANCE_COLOUR if code == "FRA" else OTHER_COLOUR for code in data["code"]]
    labels = [_name(row, lang) for _, row in data.iterrows()]
    ax.barh(labels, data["education_pct_gdp"], color=colours)
    median = float(data["education_pct_gdp"].median())
    ax.axvline(median, color=HIGHLIGHT_COLOUR, linestyle="--", label=_t("median", lang, value=_pct(median, lang, 2)))
    ax.set_xlabel(_t("unit.pct_gdp", lang))
    ax.tick_params(axis="y", labelsize=8)
    ax.set_title(_t("education.title", lang, year=year))
    ax.legend(loc="lower right", fontsize=9)
    ax.margins(y=0.01)
    add_source(fig, _t("source.eurostat", lang))
    _ticks(fig, lang)
    fig.tight_layout()
    return fig


def regression_figure(prediction, cross_section: pd.DataFrame, year: int, lang: str = "fr"):
    """Education against non-education procurement (log scales: the model is linear in logs), the
    fit without France and its prediction band (positive by construction), France labelled, and
    the residual diagnostics (residuals vs fitted, normal Q-Q)."""
    model = prediction.model
    others = prediction.data
    fig, axes = plt.subplots(1, 3, figsize=(13.5, 4.6), gridspec_kw={"width_ratios": [2.2, 1, 1]})
    ax = axes[0]
    ax.scatter(others["non_education_pct_gdp"], others["education_pct_gdp"], color=OTHER_COLOUR,
               edgecolor="#555555", s=28, label=_t("regression.others", lang, n=len(others)), zorder=3)
    influential = set(prediction.influence.loc[prediction.influence["influential"], "code"])
    for row in others.itertuples():
        ax.annotate(row.code, (row.non_education_pct_gdp, row.education_pct_gdp), fontsize=6.5,
                    xytext=(3, -3) if row.code not in influential else (3, 3), textcoords="offset points",
                    color="#333333" if row.code in influential else "#666666", zorder=6,
                    fontweight="bold" if row.code in influential else "normal")
    x_all = np.concatenate([others["non_education_pct_gdp"], [prediction.france_non_education]])
    grid = np.linspace(np.log(x_all.min()) - 0.1, np.log(x_all.max()) + 0.1, 100)
    frame = model.get_prediction(np.column_stack([np.ones_like(grid), grid])).summary_frame(alpha=prediction.alpha)
    ax.plot(np.exp(grid), np.exp(frame["mean"]), color=HIGHLIGHT_COLOUR, label=_t("regression.fit", lang))
    level = int(round(100 * (1 - prediction.alpha)))
    ax.fill_between(np.exp(grid), np.exp(frame["obs_ci_lower"]), np.exp(frame["obs_ci_upper"]), color=HIGHLIGHT_COLOUR,
                    alpha=0.12, label=_t("regression.band", lang, level=level))
    ax.scatter([prediction.france_non_education], [prediction.france_observed], facecolor="none",
               edgecolor=FRANCE_COLOUR, linewidth=2, s=90, zorder=5)
    ax.annotate(_t("regression.france", lang, observed=_pct(prediction.france_observed, lang, 2),
                   predicted=_pct(prediction.france_predicted, lang, 2)),
                (prediction.france_non_education, prediction.france_observed), xytext=(25, -38),
                textcoords="offset points", color=FRANCE_COLOUR, fontweight="bold", fontsize=9,
                arrowprops={"arrowstyle": "-", "color": FRANCE_COLOUR}, zorder=7)
    ax.set_xscale("log")
    ax.set_yscale("log")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(plt.FuncFormatter(lambda v, _: i18n.number(v, lang, 1)))
        axis.set_minor_formatter(plt.NullFormatter())
    ax.set_xticks([2, 4, 6, 8, 12])
    ax.set_yticks([0.3, 0.5, 1, 2, 3])
    ax.set_xlabel(_t("regression.x", lang))
    ax.set_ylabel(_t("regression.y", lang))
    ax.set_title(_t("regression.title", lang, year=year, set=_t(f"set.{prediction.country_set}", lang)))
    ax.legend(fontsize=7, loc="upper left")
    axes[1].scatter(model.fittedvalues, model.resid, color=OTHER_COLOUR, edgecolor="#555555", s=20)
    axes[1].axhline(0, color="#333333", linewidth=0.8)
    axes[1].set_xlabel(_t("regression.fitted", lang))
    axes[1].set_ylabel(_t("regression.residuals", lang))
    axes[1].set_title(_t("regression.residuals_title", lang))
    (osm, osr), (slope, intercept, _) = stats.probplot(model.resid, dist="norm")
    axes[2].scatter(osm, osr, color=OTHER_COLOUR, edgecolor="#555555", s=20)
    axes[2].plot(osm, slope * np.asarray(osm) + intercept, color=HIGHLIGHT_COLOUR)
    axes[2].set_xlabel(_t("regression.theoretical", lang))
    axes[2].set_ylabel(_t("regression.sample", lang))
    axes[2].set_title(_t("regression.qq", lang))
    add_source(fig, _t("source.eurostat", lang) + " " + _t("regression.source", lang,
               shortfall=_pct(prediction.minimum_detectable_shortfall_pct, lang, 0)))
    for other in axes[1:]:
        if lang == "fr":
            from analysis.plotting import french_axis
            french_axis(other, "x")
            french_axis(other, "y")
    fig.tight_layout()
    return fig


def claim_readings_figure(readings: dict[str, pd.DataFrame], labels: dict[str, str], lang: str = "fr"):
    """One row per verbal claim: every reading as a dot (teal = the statement holds, orange = it
    fails), the main reading circled, the share of readings that hold written on the right."""
    ids = list(readings)
    fig, ax = plt.subplots(figsize=(10, 0.6 * len(ids) + 1.6))
    for i, claim_id in enumerate(ids):
        table = readings[claim_id].reset_index(drop=True)
        y = len(ids) - 1 - i
        n = len(table)
        xs = (np.arange(n) + 0.5) / n
        colours = [HOLDS_COLOUR if h else FAILS_COLOUR for h in table["holds"]]
        ax.scatter(xs, np.full(n, y), c=colours, s=max(8, 260 / max(n, 1) ** 0.8), marker="s", linewidths=0)
        main = table.index[table["main"]]
        if len(main):
            ax.scatter(xs[main], [y] * len(main), s=120, facecolor="none", edgecolor="#222222", linewidth=1.3)
        share = float(table["holds"].mean())
        ax.text(1.02, y, i18n.percent(100 * share, lang, 0), va="center", fontsize=9)
    ax.set_yticks(range(len(ids)))
    ax.set_yticklabels([labels.get(c, c) for c in ids][::-1], fontsize=8.5)
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.7, len(ids) - 0.3)
    ax.set_xticks([])
    ax.grid(False)
    ax.text(1.02, len(ids) - 0.45, _t("readings.share", lang), fontsize=8, va="bottom")
    ax.set_xlabel(_t("readings.x", lang))
    ax.set_title(_t("readings.title", lang), loc="left")
    from matplotlib.lines import Line2D
    ax.legend(handles=[Line2D([], [], marker="s", color=HOLDS_COLOUR, linestyle="", label=_t("readings.holds", lang)),
                       Line2D([], [], marker="s", color=FAILS_COLOUR, linestyle="", label=_t("readings.fails", lang)),
                       Line2D([], [], marker="o", markerfacecolor="none", color="#222222", linestyle="",
                              label=_t("readings.main", lang))],
              loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3, frameon=False, fontsize=8)
    add_source(fig, _t("source.readings", lang))
    fig.tight_layout()
    return fig


def readable_table(frame: pd.DataFrame, columns: dict[str, str], lang: str = "fr", decimals: int | dict = 2,
                   index: str | None = None) -> pd.DataFrame:
    """A table for a reader: the ``columns`` kept (``{column: i18n key}``, headers in ``lang``),
    numbers rounded and formatted for the language, booleans as yes/no, missing values as a dash."""
    out = pd.DataFrame(index=frame.index)
    for column, key in columns.items():
        values = frame[column]
        places = decimals.get(column, 2) if isinstance(decimals, dict) else decimals
        if values.dtype == bool or set(pd.unique(values.dropna())) <= {True, False} and values.dtype == object:
            shown = [i18n.yes_no(bool(v), lang) if pd.notna(v) else "–" for v in values]
        elif pd.api.types.is_integer_dtype(values):
            shown = [i18n.number(float(v), lang, 0) for v in values]
        elif pd.api.types.is_float_dtype(values):
            shown = [i18n.number(float(v), lang, places) for v in values]
        else:
            shown = ["–" if pd.isna(v) else str(v) for v in values]
        out[i18n.text(key, lang)] = shown
    if index:
        out = out.set_index(i18n.text(columns[index], lang) if index in columns else index)
    else:
        out = out.reset_index(drop=True)
        out.index = [""] * len(out)
    return out
