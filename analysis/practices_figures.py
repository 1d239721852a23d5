"""Figures of the practices part (Table 12.1): each function takes tables and ``lang`` ("fr"
default, "en") and returns a matplotlib Figure; labels come from data/i18n/practices.csv."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch, Rectangle
from scipy.cluster import hierarchy

from analysis import i18n, plotting
from analysis.practices import FRANCE, Definitions, definitions, identical_profiles, linkage, practice_matrix, systems

#: Family colours: no blue, which is France's colour (plotting.FRANCE_COLOUR).
FAMILY_COLOURS = ["#7b4fa3", "#29a36a", "#f2a541"]


def _t(key: str, lang: str, **values) -> str:
    return i18n.text(f"practices.fig.{key}", lang, **values)


def practice_label(practice: str, lang: str) -> str:
    return i18n.text(f"practices.practice.{practice}", lang)


def family_label(family: str, lang: str) -> str:
    return i18n.text(f"practices.family.{family}", lang)


def system_label(code: str, lang: str) -> str:
    table = systems().set_index("code")
    return table.at[code, "name_fr" if lang == "fr" else "name_en"]


def heatmap_figure(raw: pd.DataFrame, order: list[str] | None = None, defs: Definitions | None = None,
                   lang: str = "fr"):
    """Systems x practices: a filled cell = practice present, colour = family; asterisks and the
    binding criteria's initials written in the cells; France highlighted."""
    defs = defs or definitions()
    matrix = practice_matrix(raw, defs)
    order = order or list(matrix.index)
    matrix = matrix.loc[order]
    families = defs.families["id"].tolist()
    colour_of_family = dict(zip(families, FAMILY_COLOURS))
    initials = {c: i18n.text(f"practices.criterion_initial.{c}", lang) for c in defs.criteria["id"]}
    cells = raw.set_index(["system_code", "practice"])
    n_rows, n_cols = matrix.shape
    fig, ax = plt.subplots(figsize=(10.5, 0.34 * n_rows + 3.0))
    for i, code in enumerate(matrix.index):
        for j, practice in enumerate(defs.practice_ids):
            yes = matrix.at[code, practice] == 1
            colour = colour_of_family[defs.family_of[practice]] if yes else "#f1f2f4"
            ax.add_patch(Rectangle((j, i), 1, 1, facecolor=colour, edgecolor="white", linewidth=1.5))
            if yes:
                cell = cells.loc[(code, practice)]
                text = ""
                if practice == "binding_criteria" and isinstance(cell["criteria"], str):
                    text = " ".join(initials[c] for c in cell["criteria"].split("|"))
                if cell["asterisk"]:
                    text += "*"
                if text:
                    ax.text(j + 0.5, i + 0.52, text, ha="center", va="center", fontsize=8, color="white",
                            fontweight="bold")
    if FRANCE in matrix.index:
        k = list(matrix.index).index(FRANCE)
        ax.add_patch(Rectangle((-0.02, k), n_cols + 0.04, 1, fill=False, edgecolor=plotting.FRANCE_COLOUR,
                               linewidth=2.2, clip_on=False))
    bounds = []
    for family in families:
        cols = [j for j, p in enumerate(defs.practice_ids) if defs.family_of[p] == family]
        bounds.append((family, min(cols), max(cols) + 1))
    for family, start, end in bounds[1:]:
        ax.axvline(start, color="#333333", linewidth=1.2)
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    ax.set_yticks(np.arange(n_rows) + 0.5)
    ax.set_yticklabels([system_label(c, lang) for c in matrix.index], fontsize=9)
    for label, code in zip(ax.get_yticklabels(), matrix.index):
        if code == FRANCE:
            label.set_color(plotting.FRANCE_COLOUR)
            label.set_fontweight("bold")
    ax.set_xticks(np.arange(n_cols) + 0.5)
    ax.set_xticklabels([practice_label(p, lang) for p in defs.practice_ids], rotation=30, ha="left", fontsize=9)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    for family, start, end in bounds:
        y = n_rows + 0.35
        ax.plot([start + 0.08, end - 0.08], [y, y], color=colour_of_family[family], linewidth=3,
                clip_on=False, solid_capstyle="butt")
        ax.text((start + end) / 2, y + 0.3, family_label(family, lang), ha="center", va="top", fontsize=9.5,
                color=colour_of_family[family], fontweight="bold")
    ax.set_title(_t("heatmap.title", lang), pad=95, loc="left")
    plotting.add_source(fig, _t("heatmap.legend", lang) + " " + _t("source", lang))
    fig.tight_layout()
    return fig


def frequency_figure(counts: pd.DataFrame, defs: Definitions | None = None, lang: str = "fr"):
    """Horizontal bars: systems per practice, grouped and coloured by family; France's practices marked."""
    defs = defs or definitions()
    rows = counts[counts["level"] == "pratique"].reset_index(drop=True)
    families = defs.families["id"].tolist()
    colour_of_family = dict(zip(families, FAMILY_COLOURS))
    n = int(rows["n_systems"].iloc[0])
    fig, ax = plt.subplots(figsize=(9, 4.8))
    y = np.arange(len(rows))[::-1]
    ax.barh(y, rows["n_systems_yes"], color=[colour_of_family[f] for f in rows["family"]], height=0.65)
    for yi, row in zip(y, rows.itertuples()):
        ax.text(row.n_systems_yes + 0.3, yi, f"{row.n_systems_yes} ({i18n.percent(100 * row.share, lang, 0)})",
                va="center", fontsize=9)
        ax.text(1.03, yi, i18n.yes_no(bool(row.france), lang), transform=ax.get_yaxis_transform(), va="center",
                ha="center", fontsize=9, color=plotting.FRANCE_COLOUR if row.france else "#777777",
                fontweight="bold" if row.france else "normal")
    ax.text(1.03, len(rows) - 0.4, i18n.text("common.france", lang), transform=ax.get_yaxis_transform(),
            ha="center", va="bottom", fontsize=9, color=plotting.FRANCE_COLOUR, fontweight="bold")
    ax.set_yticks(y)
    ax.set_yticklabels([practice_label(p, lang) for p in rows["practice"]])
    ax.set_xlim(0, n)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlabel(_t("frequency.x", lang, n=n))
    ax.grid(axis="y", visible=False)
    ax.legend(handles=[Patch(facecolor=colour_of_family[f], label=family_label(f, lang)) for f in families],
              loc="upper center", bbox_to_anchor=(0.45, -0.16), ncol=3, frameon=False, fontsize=9)
    ax.set_title(_t("frequency.title", lang), loc="left", pad=20)
    plotting.add_source(fig, _t("source", lang))
    fig.tight_layout()
    return fig


def dendrogram_figure(distances: pd.DataFrame, method: str = "average", n_clusters: int | None = None,
                      lang: str = "fr", cophenetic: float | None = None):
    """Dendrogram of the clustering, France's label highlighted; the cut into ``n_clusters`` drawn."""
    tree = linkage(distances, method)
    labels = [system_label(c, lang) for c in distances.index]
    fig, ax = plt.subplots(figsize=(9, 7.5))
    threshold = None
    if n_clusters and n_clusters > 1:
        heights = np.sort(tree[:, 2])
        threshold = (heights[-n_clusters] + heights[-n_clusters + 1]) / 2 if n_clusters < len(heights) + 1 else None
    hierarchy.set_link_color_palette(["#e4572e", "#1b9e9e", "#8c6d31", "#d45087", "#5b6770"])
    try:
        hierarchy.dendrogram(tree, labels=labels, orientation="right", ax=ax, leaf_font_size=9,
                             color_threshold=threshold if threshold is not None else 0,
                             above_threshold_color="#888888")
    finally:
        hierarchy.set_link_color_palette(None)
    ax.set_xlim(-0.02, 1.05)
    ax.xaxis.set_major_formatter(plotting.tick_formatter(lang, 1))
    for label in ax.get_yticklabels():
        if label.get_text() == system_label(FRANCE, lang):
            label.set_color(plotting.FRANCE_COLOUR)
            label.set_fontweight("bold")
    if threshold is not None:
        ax.axvline(threshold, color="#444444", linestyle="--", linewidth=1)
        ax.text(threshold, ax.get_ylim()[1], " " + _t("dendrogram.cut", lang, n=n_clusters), color="#444444",
                fontsize=8, va="top")
    method_label = i18n.text(f"practices.linkage.{method}", lang) if i18n.has(f"practices.linkage.{method}") else method
    ax.set_xlabel(_t("dendrogram.x", lang, method=method_label))
    ax.grid(axis="y", visible=False)
    ax.set_title(_t("dendrogram.title", lang), loc="left")
    groups = identical_profiles(distances)
    identical = " ; ".join(", ".join(system_label(c, lang) for c in group) for group in groups)
    note = _t("dendrogram.identical", lang, systems=identical) + " " if identical else ""
    if cophenetic is not None:
        note += _t("dendrogram.cophenetic", lang, value=i18n.number(cophenetic, lang, 2)) + " "
    plotting.add_source(fig, note + _t("dendrogram.empty", lang) + " " + _t("source", lang))
    fig.tight_layout()
    return fig
