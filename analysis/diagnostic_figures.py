"""Figures of the self-diagnostic: functions of tables returning a matplotlib Figure, labels in
French by default (``lang="fr"``) or English (``lang="en"``), looked up in ``data/i18n/diagnostic.csv``.

Each figure takes its ``source`` line: the slides for the slides' example authority, the
authority's own file for any other (:func:`analysis.diagnostic.source_line`).
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd

from analysis import i18n
from analysis.plotting import OKABE_ITO
from analysis.diagnostic import CRITICALITY_LEVELS, Method, dependency_totals

EU_COLOUR = OKABE_ITO["blue"]             # spend with EU suppliers
NON_EU_COLOUR = OKABE_ITO["vermillion"]   # spend outside the EU (the dependency)
UNKNOWN_COLOUR = "#9e9e9e"   # grey: jurisdiction unknown (never guessed)
# colour-blind-safe (Okabe-Ito), not red-green: low capacity vermillion, medium orange, high blue
CAPACITY_COLOURS = {"faible": OKABE_ITO["vermillion"], "moyenne": OKABE_ITO["orange"], "forte": OKABE_ITO["blue"]}
PRIORITY_COLOURS = {"p1": "#b2182b", "p2": "#ef8a62", "p3": "#fddbc7", "veille": "#d9d9d9"}


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width))


def eur(x: float, lang: str = "fr") -> str:
    """``11,63 M€`` / ``57 k€`` (fr) or ``11.63 M€`` / ``57 k€`` (en)."""
    if abs(x) >= 1e6:
        return i18n.money(x / 1e6, lang, 2, "M€")
    return i18n.money(x / 1e3, lang, 0, "k€")


def _t(key, lang, **fields):
    return i18n.text(f"diagnostic.{key}", lang, **fields)


def spending_split_figure(diagnosis: pd.DataFrame, name: str, note: str, source: str, lang: str = "fr"):
    """Spending by category, EU / non-EU / unknown jurisdiction, horizontal stacked bars sorted by
    amount (largest on top)."""
    import matplotlib.pyplot as plt

    from analysis.plotting import add_source, tick_formatter

    rows = diagnosis.sort_values(["amount_eur", "category"], ascending=[True, False], kind="mergesort")
    totals = dependency_totals(diagnosis)
    fig, ax = plt.subplots(figsize=(11, 0.42 * len(rows) + 2.2))
    y = np.arange(len(rows))
    eu, non_eu = rows["eu_eur"] / 1e6, rows["non_eu_eur"] / 1e6
    unknown = rows["unknown_eur"] / 1e6 if "unknown_eur" in rows else 0 * eu
    for key, values, left, colour in (("eu", eu, 0, EU_COLOUR), ("non_eu", non_eu, eu, NON_EU_COLOUR),
                                      ("unknown", unknown, eu + non_eu, UNKNOWN_COLOUR)):
        if key == "unknown" and totals["unknown_eur"] == 0:
            continue
        ax.barh(y, values, left=left, color=colour, height=0.65,
                label=f"{_t('zone.' + key, lang)} : {eur(totals[key + '_eur'], lang)} "
                      f"({i18n.percent(100 * totals[key + '_share'], lang, 1)})" if lang == "fr" else
                      f"{_t('zone.' + key, lang)}: {eur(totals[key + '_eur'], lang)} "
                      f"({i18n.percent(100 * totals[key + '_share'], lang, 1)})")
    top = float(rows["amount_eur"].max()) / 1e6
    for yi, r in zip(y, rows.itertuples()):
        ax.annotate(_t("fig.split.bar", lang, amount=eur(r.amount_eur, lang),
                       share=i18n.percent(100 * r.non_eu_share, lang, 0)),
                    (r.amount_eur / 1e6, yi), xytext=(5, 0), textcoords="offset points", va="center", fontsize=8.5,
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"})
    ax.set_yticks(y)
    ax.set_yticklabels(rows["label_fr"], fontsize=9)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(0, top * 1.32)
    ax.xaxis.set_major_formatter(tick_formatter(lang, 1 if top < 20 else 0))
    ax.set_xlabel(_t("fig.split.xlabel", lang))
    ax.grid(axis="y", visible=False)
    note_lines = _wrap(note, 120)
    ax.set_title(_wrap(_t("fig.split.title", lang, name=name, total=eur(totals["total_eur"], lang)), 90),
                 fontsize=11.5, pad=10 + 11 * (note_lines.count("\n") + 1))
    ax.text(0.5, 1.012, note_lines, transform=ax.transAxes, ha="center", va="bottom", fontsize=8.5,
            style="italic", color="#333333")
    ax.legend(loc="lower right", fontsize=9, frameon=True)
    fig.tight_layout()
    add_source(fig, _wrap(source, 170))
    return fig


def _spread(values: np.ndarray, min_gap: float) -> np.ndarray:
    """Vertical offsets that keep points of one row apart when their x values are close."""
    offsets = np.zeros(len(values))
    order = np.argsort(values, kind="mergesort")
    pattern = [0.0, 0.24, -0.24, 0.12, -0.12]
    run = 0
    for k in range(1, len(order)):
        close = values[order[k]] - values[order[k - 1]] < min_gap
        run = run + 1 if close else 0
        offsets[order[k]] = pattern[run % len(pattern)]
    return offsets


def priority_matrix_figure(diagnosis: pd.DataFrame, name: str, method: Method, source: str, lang: str = "fr"):
    """Non-EU share (x) against criticality (y); bubble area = spend; colour = capacity to act; the
    number is the priority rank. On the right: the priority ranking and, beside it, the quick wins
    (high risk the authority can leave soon), so that a low priority score never hides a high risk."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from analysis.plotting import add_source, tick_formatter

    fig, (ax, side) = plt.subplots(1, 2, figsize=(14.5, 7.6), gridspec_kw={"width_ratios": [2.4, 1.15]})
    x = 100 * diagnosis["non_eu_share"].to_numpy()
    y = diagnosis["criticality"].to_numpy().astype(float)
    for level in np.unique(y):
        mask = y == level
        y[mask] += _spread(x[mask], 9.0)
    biggest = float(diagnosis["amount_eur"].max())

    def area(amount):
        return 120 + 2400 * np.asarray(amount, dtype=float) / biggest

    sizes = area(diagnosis["amount_eur"])
    colours = [CAPACITY_COLOURS.get(c, "#888888") for c in diagnosis["capacity_class"]]
    grid = np.linspace(1, 100, 300)
    for c in method.risk_classes[1:]:
        level = c["min"]
        ax.plot(grid, 5 * level / (grid / 100), color="#9a9a9a", ls="--", lw=0.9, zorder=0)
        ax.annotate(_t("fig.matrix.iso_risk", lang, level=i18n.number(level, lang, 1)), (100 * 5 * level / 5.5, 5.5),
                    xytext=(0, 3), textcoords="offset points", fontsize=7.5, color="#666666", ha="center",
                    va="bottom", annotation_clip=False)
    edges = ["#1a1a1a" if q else "white" for q in diagnosis["quick_win"]]
    ax.scatter(x, y, s=sizes, c=colours, alpha=0.8, edgecolors=edges, linewidths=1.2, zorder=2)
    for xi, yi, size, r in zip(x, y, sizes, diagnosis.itertuples()):
        diameter = math.sqrt(size)
        if diameter >= 24:
            ax.annotate(str(r.priority_rank), (xi, yi), ha="center", va="center", fontsize=9, fontweight="bold",
                        color="#1a1a1a", zorder=3)
        else:
            ax.annotate(str(r.priority_rank), (xi, yi), xytext=(diameter / 2 + 2, diameter / 2 - 1),
                        textcoords="offset points", ha="left", va="center", fontsize=8.5, fontweight="bold",
                        color="#1a1a1a", zorder=3)
    ax.set_xlim(-4, 110)
    ax.set_ylim(0.5, 5.5)
    ax.set_yticks(list(CRITICALITY_LEVELS))
    ax.set_yticklabels([f"{lv} – {method.criticality_labels[lv]}" for lv in CRITICALITY_LEVELS])
    ax.xaxis.set_major_formatter(tick_formatter(lang, 0))
    ax.set_xlabel(_t("fig.matrix.xlabel", lang))
    ax.set_ylabel(_t("fig.matrix.ylabel", lang))
    ax.set_title(_wrap(_t("fig.matrix.title", lang, name=name), 80), fontsize=11.5, pad=18)
    handles = [Line2D([], [], marker="o", ls="", markersize=10, markerfacecolor=CAPACITY_COLOURS[c["id"]],
                      markeredgecolor="white", label=_t("fig.matrix.capacity", lang, label=c["label_fr"]))
               for c in method.capacity_classes if c["id"] in CAPACITY_COLOURS]
    handles.append(Line2D([], [], marker="o", ls="", markersize=10, markerfacecolor="#eeeeee",
                          markeredgecolor="#1a1a1a", label=method.quick_win["label_fr"] if lang == "fr" else "quick win"))
    for amount in (1e5, 1e6):
        if amount <= biggest:
            handles.append(Line2D([], [], marker="o", ls="", color="#bbbbbb", markersize=math.sqrt(area(amount)),
                                  label=_t("fig.matrix.spent", lang, amount=eur(amount, lang))))
    handles.append(Line2D([], [], color="#9a9a9a", ls="--", label=_t("fig.matrix.iso_legend", lang)))
    ax.legend(handles=handles, loc="lower left", fontsize=8, frameon=True, labelspacing=1.2, borderpad=0.9,
              handlelength=2.6, handletextpad=1.4)

    side.axis("off")
    ranked = diagnosis.sort_values("priority_rank")
    quick_label = method.quick_win["label_fr"] if lang == "fr" else "quick win"
    lines = [f"{r.priority_rank:>2}. {r.label_fr} — {i18n.number(r.priority_score, lang, 2)} ({r.priority_label}"
             + (f" ; {quick_label} n° {r.quick_win_rank})" if r.quick_win else ")") for r in ranked.itertuples()]
    side.text(0.0, 1.0, _t("fig.matrix.ranking", lang), transform=side.transAxes, va="top", fontsize=9.5,
              fontweight="bold")
    side.text(0.0, 0.955, "\n".join(lines), transform=side.transAxes, va="top", fontsize=8.5, linespacing=1.5)
    quick = diagnosis[diagnosis["quick_win"]].sort_values("quick_win_rank")
    quick_lines = [f"{r.quick_win_rank}. {r.label_fr} — {i18n.number(r.quick_win_score, lang, 2)} "
                   f"(n° {r.priority_rank})" for r in quick.itertuples()] or [_wrap(_t("fig.matrix.no_quick", lang), 50)]
    side.text(0.0, 0.31, _t("fig.matrix.quick", lang), transform=side.transAxes, va="top", fontsize=9.5,
              fontweight="bold")
    side.text(0.0, 0.265, "\n".join(quick_lines), transform=side.transAxes, va="top", fontsize=8.5, linespacing=1.5)
    fig.tight_layout()
    add_source(fig, _wrap(source, 190))
    return fig


def batch_summary_figure(summary: pd.DataFrame, tidy: pd.DataFrame, method: Method, source: str, lang: str = "fr"):
    """Per authority: shares of spend EU / non-EU / unknown (left), share of spend by priority class (right)."""
    import matplotlib.pyplot as plt

    from analysis.plotting import add_source, tick_formatter

    rows = summary.iloc[::-1].reset_index(drop=True)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(14, 0.75 * len(rows) + 2.6), sharey=True)
    y = np.arange(len(rows))
    left = np.zeros(len(rows))
    for key, colour in (("eu", EU_COLOUR), ("non_eu", NON_EU_COLOUR), ("unknown", UNKNOWN_COLOUR)):
        shares = 100 * rows[f"{key}_share"].to_numpy()
        if key == "unknown" and not shares.any():
            continue
        ax.barh(y, shares, left=left, color=colour, height=0.6, label=_t(f"zone.{key}", lang))
        for yi, lo, s in zip(y, left, shares):
            if s >= 7:
                ax.annotate(i18n.percent(s, lang, 1), (lo + s / 2, yi), ha="center", va="center", fontsize=8.5,
                            color="white", fontweight="bold")
        left += shares
    ax.set_yticks(y)
    ax.set_yticklabels([f"{r.name_fr}\n" + _t("fig.batch.ylabel", lang, amount=eur(r.total_eur, lang), n=r.n_categories)
                        for r in rows.itertuples()], fontsize=8.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel(_t("fig.batch.xlabel", lang))
    ax.set_title(_t("fig.batch.left", lang), fontsize=11)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1 - 0.3 / len(rows)), ncol=3, fontsize=8.5, frameon=False)
    ax.grid(axis="y", visible=False)

    shares_by_class = (tidy.pivot_table(index="authority_id", columns="priority_class", values="amount_eur",
                                        aggfunc="sum", fill_value=0.0)
                       .div(tidy.groupby("authority_id")["amount_eur"].sum(), axis=0) * 100)
    left = np.zeros(len(rows))
    for c in reversed(method.priority_classes):
        shares = (shares_by_class[c["id"]] if c["id"] in shares_by_class else pd.Series(dtype=float))
        shares = shares.reindex(rows["authority_id"]).fillna(0.0).to_numpy()
        ax2.barh(y, shares, left=left, color=PRIORITY_COLOURS.get(c["id"], "#999999"), height=0.6, label=c["label_fr"])
        for yi, lo, s in zip(y, left, shares):
            if s >= 6:
                ax2.annotate(i18n.percent(s, lang, 0), (lo + s / 2, yi), ha="center", va="center", fontsize=8.5,
                             color="white" if c["id"] in ("p1", "p2") else "#333333")
        left += shares
    ax2.set_xlim(0, 100)
    ax2.set_xlabel(_t("fig.batch.xlabel", lang))
    ax2.set_title(_t("fig.batch.right", lang), fontsize=11)
    ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1 - 0.3 / len(rows)), ncol=4, fontsize=8.5, frameon=False)
    ax2.grid(axis="y", visible=False)
    for axis in (ax, ax2):
        axis.xaxis.set_major_formatter(tick_formatter(lang, 0))
    fig.suptitle(_t("fig.batch.title", lang), fontweight="bold", fontsize=12)
    fig.tight_layout(w_pad=3)
    add_source(fig, _wrap(source, 170))
    return fig
