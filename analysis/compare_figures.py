"""Figures of the comparison of the baseline with scenarios (analysis.compare), side by side.

Each function takes the comparison's tables and a language and returns a matplotlib Figure:

* :func:`headline_comparison`: one small panel per headline output (market size, the recommended
  variant's lead, its probability of ranking first, the probability that the runner-up overtakes
  it, the diagnostic's non-EU share), one bar per folder, the baseline's bar grey with its value as
  a dashed line, each scenario's value with its difference from the baseline; a stale scenario's
  bar is hatched and its name says so.
* :func:`first_rank_comparison`: per weight profile, the probability of ranking first of every
  variant (rows: the baseline and each scenario), the first variant on the weighted total framed:
  one sees at a glance whether the recommendation moves.

Every number is read from the tables (headline_comparison.csv, scenario_status.csv,
first_rank_comparison.csv); the functions choose which rows to draw, not their values.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis import i18n, palette
from analysis.compare import as_number
from analysis.report_format import format_value

# matplotlib (analysis.plotting) is imported by the functions that draw: the report reads this
# module's formatting helpers (format_headline, format_delta, _select_rows) without drawing.

#: The headline rows drawn by :func:`headline_comparison`: (part, indicator); an indicator ending
#: with ":" takes the first row of the part that starts with it and ends with the rest (e.g. the
#: first authority of the diagnostic). ``annotate``: the row whose value is written beside the bar.
FIGURE_HEADLINES = [
    {"part": "market", "indicator": "annual_public_digital_resources_budget_eur (central)"},
    {"part": "market", "indicator": "topdown_digital_of_education_expenditure_eur (central)"},
    {"part": "sensitivity", "indicator": "gap_central", "annotate": ("sensitivity", "recommended_variant")},
    {"part": "sensitivity", "indicator": "smaa_first_rank_recommended",
     "annotate": ("sensitivity", "recommended_variant")},
    {"part": "sensitivity", "indicator": "gap_share_negative", "annotate": ("sensitivity", "runner_up")},
    {"part": "diagnostic", "indicator_suffix": ": non_eu_share"},
]
#: Unit of a headline row -> format of analysis.report_format.format_value.
UNIT_FORMATS = {"EUR": "meur", "share": "share", "points": "num3", "count": "int", "text": "text", "%": "pct",
                "pupils": "int", "schools": "int", "firms": "int"}
BASELINE_COLOUR = "#7F7F7F"
SCENARIO_COLOURS = [palette.OKABE_ITO[n] for n in ("blue", "orange", "bluish_green", "reddish_purple", "vermillion",
                                                    "sky_blue")]
MAX_FOLDERS = 24   # more folders (a sweep) are cut, with a note


def close(fig) -> None:
    import matplotlib.pyplot as plt

    plt.close(fig)


# --- formatting ------------------------------------------------------------------------------------

def format_headline(value, unit: str, lang: str = "fr") -> str:
    """A headline value for a reader, by its unit (M€, %, points...)."""
    unit = "" if unit is None or (isinstance(unit, float) and math.isnan(unit)) else str(unit)
    if unit == "text":  # as written (a year stays 2021, a seed 20260113)
        number = as_number(value)
        return str(int(number)) if number is not None and number.is_integer() else str(value)
    return format_value(value, UNIT_FORMATS.get(unit, "auto"), lang)


def format_delta(delta, unit: str, lang: str = "fr") -> str:
    """A difference from the baseline, signed: shares and percentages in points; text as
    « identique » / « modifié »; empty when there is none."""
    if delta is None or (isinstance(delta, float) and math.isnan(delta)) or delta == "":
        return ""
    number = as_number(delta)
    if number is None:
        key = f"compare.delta.{delta}"
        return i18n.text(key, lang) if i18n.has(key) else str(delta)
    unit = "" if unit is None or (isinstance(unit, float) and math.isnan(unit)) else str(unit)
    if unit == "text":  # a setting written as a number (a year, a seed): equal or not
        return i18n.text("compare.delta.same" if number == 0 else "compare.delta.changed", lang)
    sign = "+" if number > 0 else ("−" if number < 0 else "±")
    if unit in ("share", "%"):
        points = abs(number) * (100 if unit == "share" else 1)
        return f"{sign}{i18n.number(points, lang, 1)} {i18n.text('compare.fig.points', lang)}"
    return sign + format_headline(abs(number), unit, lang)


def folder_label(row: dict | pd.Series, lang: str) -> str:
    """The name of a folder on a figure: « Référence », or the scenario's name, flagged when it is
    stale or not built."""
    name = str(row["scenario"])
    if name == "baseline":
        label = i18n.text("compare.fig.baseline", lang)
    else:
        label = name
    if not _truth(row.get("built", True)):
        return i18n.text("compare.fig.not_built", lang, name=label)
    if _truth(row.get("stale", False)):
        return i18n.text("compare.fig.stale", lang, name=label)
    return label


def _truth(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value) and not (isinstance(value, float) and math.isnan(value))


def _folders(status: pd.DataFrame, columns: list[str]) -> list[dict]:
    """The folders to draw, in the status table's order (baseline first), those of ``columns``."""
    if status is None or status.empty:
        return [{"scenario": c, "built": True, "stale": False} for c in columns]
    rows = [dict(r) for r in status.to_dict("records") if str(r["scenario"]) in columns]
    known = {str(r["scenario"]) for r in rows}
    rows += [{"scenario": c, "built": True, "stale": False} for c in columns if c not in known]
    return rows


def _scenario_colour(index: int) -> str:
    return SCENARIO_COLOURS[index % len(SCENARIO_COLOURS)]


def _empty(lang: str, title_key: str):
    import matplotlib.pyplot as plt

    from analysis import plotting

    plotting.set_style()
    fig, ax = plt.subplots(figsize=(8, 2))
    ax.axis("off")
    ax.text(0.5, 0.5, i18n.text("compare.fig.empty", lang), ha="center", va="center", fontsize=11)
    fig.suptitle(i18n.text(title_key, lang), fontsize=12, fontweight="bold")
    return fig


# --- (a) the headlines, side by side -----------------------------------------------------------------

def _select_rows(table: pd.DataFrame) -> list[tuple[dict, dict]]:
    """(row of the table, its FIGURE_HEADLINES entry) for every headline drawn that the table has."""
    selected = []
    for spec in FIGURE_HEADLINES:
        part = table[table["part"] == spec["part"]]
        if "indicator" in spec:
            rows = part[part["indicator"] == spec["indicator"]]
        else:
            rows = part[part["indicator"].astype(str).str.endswith(spec["indicator_suffix"])]
        if len(rows):
            selected.append((rows.iloc[0].to_dict(), spec))
    return selected


def headline_comparison(table: pd.DataFrame, status: pd.DataFrame | None = None, lang: str = "fr"):
    """One panel per headline output: a bar per folder (the baseline grey, with a dashed line at its
    value), each scenario's value and its difference from the baseline beside its bar, stale
    scenarios hatched and named so."""
    import matplotlib.pyplot as plt

    from analysis import plotting

    i18n.check_language(lang)
    title_key = "compare.fig.headline.title"
    if table is None or table.empty or "baseline" not in table.columns:
        return _empty(lang, title_key)
    scenarios = [c for c in table.columns if c not in ("part", "indicator", "label_fr", "label_en", "unit", "baseline")
                 and not str(c).endswith(" delta")]
    folders = _folders(status, ["baseline", *scenarios])
    cut = len(folders) > MAX_FOLDERS
    folders = folders[:MAX_FOLDERS]
    rows = [(row, spec) for row, spec in _select_rows(table)
            if any(as_number(row.get(f["scenario"])) is not None for f in folders)]
    if not rows:
        return _empty(lang, title_key)
    plotting.set_style()
    ncols = min(3, len(rows))
    nrows = math.ceil(len(rows) / ncols)
    height_per_row = 0.9 + 0.42 * len(folders)
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.2 * ncols, height_per_row * nrows + 0.9), squeeze=False)
    labels = [folder_label(f, lang) for f in folders]
    by_indicator = {(r["part"], r["indicator"]): r for r in table.to_dict("records")}
    any_stale = False
    for ax, (row, spec) in zip(axes.flat, rows):
        unit = row.get("unit")
        scale = 1e6 if unit == "EUR" else (0.01 if unit == "share" else 1)  # M€, % points
        base = as_number(row.get("baseline"))
        positions = np.arange(len(folders))
        values = [as_number(row.get(f["scenario"])) for f in folders]
        finite = [v for v in values if v is not None]
        span = (max(finite + [0]) - min(finite + [0])) / scale or 1.0
        for i, (folder, value) in enumerate(zip(folders, values)):
            name = str(folder["scenario"])
            is_base = name == "baseline"
            stale = _truth(folder.get("stale", False)) or not _truth(folder.get("built", True))
            any_stale |= stale and not is_base
            if value is None:
                ax.text(0, i, " " + i18n.text("compare.fig.missing", lang), va="center", ha="left", fontsize=8,
                        color=plotting.SOURCE_TEXT_COLOUR, style="italic")
                continue
            colour = BASELINE_COLOUR if is_base else _scenario_colour(i - 1)
            ax.barh(i, value / scale, color=colour, height=0.62, hatch="///" if stale and not is_base else None,
                    edgecolor="white" if not stale else "#333333", linewidth=0.6)
            text = format_headline(value, unit, lang)
            note = spec.get("annotate")
            if note and (note[0], note[1]) in by_indicator:
                tag = by_indicator[(note[0], note[1])].get(name)
                if tag is not None and not (isinstance(tag, float) and math.isnan(tag)):
                    text = f"{tag} · {text}"
            if not is_base:
                delta = format_delta(row.get(f"{name} delta"), unit, lang)
                if delta:
                    text += f" ({delta})"
            ax.text(value / scale + 0.02 * span * (1 if value >= 0 else -1), i, text, va="center",
                    ha="left" if value >= 0 else "right", fontsize=8)
        if base is not None:
            ax.axvline(base / scale, color="#333333", linestyle="--", linewidth=0.9)
        ax.set_yticks(positions, labels, fontsize=8.5)
        ax.invert_yaxis()
        label = str(row.get(f"label_{lang}") or row["indicator"])
        ax.set_title("\n".join(_wrap(label, 46)), fontsize=9.5, loc="left")
        unit_key = f"compare.fig.unit.{unit}"
        if i18n.has(unit_key):
            ax.set_xlabel(i18n.text(unit_key, lang), fontsize=8.5)
        low = min(finite + [0]) / scale
        high = max(finite + [0]) / scale
        ax.set_xlim(low - (0.05 * span if low < 0 else 0), high + 0.75 * span)
        plotting.localise_axis(ax, "x", lang)
        ax.grid(axis="y", visible=False)
    for ax in list(axes.flat)[len(rows):]:
        ax.axis("off")
    fig.suptitle(i18n.text(title_key, lang), fontsize=12, fontweight="bold", x=0.01, ha="left")
    notes = [i18n.text("compare.fig.delta_note", lang)]
    if any_stale:
        notes.append(i18n.text("compare.fig.stale_bars", lang) + " " + i18n.text("compare.fig.stale_note", lang))
    if cut:
        notes.append(i18n.text("compare.fig.more", lang, shown=MAX_FOLDERS, total=len(_folders(status, ["baseline", *scenarios]))))
    notes.append(i18n.text("compare.fig.source", lang))
    fig.tight_layout(rect=(0, 0.02, 1, 0.97))
    plotting.add_source(fig, " ".join(notes))
    return fig


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [text]


# --- (b) the probability of ranking first, per variant ---------------------------------------------------

PROFILES_PER_ROW = 3


def first_rank_comparison(first: pd.DataFrame, status: pd.DataFrame | None = None, lang: str = "fr"):
    """Per weight profile (one panel each), a row per folder and a column per variant: the share of
    SMAA draws in which the variant ranks first (colour and number); the variant first on the
    weighted total is framed."""
    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from analysis import plotting

    i18n.check_language(lang)
    title_key = "compare.fig.first_rank.title"
    if first is None or first.empty:
        return _empty(lang, title_key)
    names = list(dict.fromkeys(str(s) for s in first["scenario"]))
    folders = _folders(status, names)
    folders = [f for f in folders if str(f["scenario"]) in names]
    cut = len(folders) > MAX_FOLDERS
    folders = folders[:MAX_FOLDERS]
    profiles = list(dict.fromkeys(str(p) for p in first["profile"]))
    profile_names = {str(p): str(n) for p, n in zip(first["profile"], first.get("profile_fr", first["profile"]))}
    variants = sorted(dict.fromkeys(str(v) for v in first["variant_id"]))
    plotting.set_style()
    width = max(3.2, 0.62 * len(variants) + 0.6)
    height = 1.6 + 0.42 * len(folders)
    columns = min(PROFILES_PER_ROW, len(profiles))   # rows of at most 3 panels: readable on an A4 page
    rows = math.ceil(len(profiles) / columns)
    fig, grid = plt.subplots(rows, columns, figsize=(width * columns + 2.2, height * rows), squeeze=False,
                             layout="constrained")
    for ax in grid.flat[len(profiles):]:
        ax.remove()
    axes = [list(grid.flat[:len(profiles)])]
    first_column = {id(grid[r][0]) for r in range(rows)}
    cmap = plt.get_cmap(plotting.SEQUENTIAL_CMAP)
    image = None
    indexed = first.assign(scenario=first["scenario"].astype(str), profile=first["profile"].astype(str),
                           variant_id=first["variant_id"].astype(str)).set_index(["scenario", "profile", "variant_id"])
    for ax, profile in zip(axes[0], profiles):
        matrix = np.full((len(folders), len(variants)), np.nan)
        framed = []
        for i, folder in enumerate(folders):
            for j, variant in enumerate(variants):
                key = (str(folder["scenario"]), profile, variant)
                if key not in indexed.index:
                    continue
                entry = indexed.loc[key]
                share = as_number(entry["first_rank_share"])
                if share is not None:
                    matrix[i, j] = share
                if as_number(entry["rank"]) == 1:
                    framed.append((i, j))
        image = ax.imshow(np.ma.masked_invalid(matrix), cmap=cmap, vmin=0, vmax=1, aspect="auto")
        ax.set_facecolor("#EEEEEE")
        for i in range(len(folders)):
            for j in range(len(variants)):
                value = matrix[i, j]
                if math.isnan(value):
                    ax.text(j, i, "–", ha="center", va="center", fontsize=8, color="#555555")
                    continue
                ax.text(j, i, i18n.percent(100 * value, lang, 0), ha="center", va="center", fontsize=7.5,
                        color="white" if value < 0.55 else "black")
        for i, j in framed:
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor=plotting.HIGHLIGHT_COLOUR,
                                   linewidth=2.2))
        ax.set_xticks(range(len(variants)), variants, fontsize=8.5)
        ax.set_yticks(range(len(folders)), [folder_label(f, lang) for f in folders] if id(ax) in first_column else [],
                      fontsize=8.5)
        ax.set_title("\n".join(_wrap(profile_names.get(profile, profile), 24)), fontsize=9.5)
        ax.set_xlabel(i18n.text("compare.fig.first_rank.variant", lang), fontsize=8.5)
        ax.grid(False)
        ax.axhline(0.5, color="white", linewidth=2.5)  # the baseline's row apart
    colourbar = fig.colorbar(image, ax=list(axes[0]), fraction=0.025, pad=0.02)
    colourbar.set_label(i18n.text("compare.fig.first_rank.colorbar", lang), fontsize=8.5)
    colourbar.ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(
        lambda x, _pos: i18n.percent(100 * x, lang, 0)))
    fig.suptitle(i18n.text(title_key, lang), fontsize=12, fontweight="bold", x=0.01, ha="left")
    notes = [i18n.text("compare.fig.first_rank.note", lang)]
    if any(_truth(f.get("stale", False)) for f in folders):
        notes.append(i18n.text("compare.fig.stale_note", lang))
    if cut:
        notes.append(i18n.text("compare.fig.more", lang, shown=MAX_FOLDERS, total=len(names)))
    notes.append(i18n.text("compare.fig.source", lang))
    plotting.add_source(fig, " ".join(notes))
    return fig
