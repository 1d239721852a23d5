"""Figures of the variants part (notebook 04): the outcome model's results per variant and the
multi-criteria comparison. Each function takes the part's tables and a language (``"fr"``
default, ``"en"``) and returns a matplotlib Figure; labels come from ``data/i18n/variants.csv``.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from analysis import i18n
from analysis.plotting import add_source
from analysis.variants import Variant, variant_colour

#: Outcomes drawn in the outcomes figure: (outcome, scale factor); title and unit are the i18n
#: keys ``variants.fig.outcomes.<outcome>.title`` / ``.unit``.
FIGURE_OUTCOMES = [
    ("transaction_cost_total_eur", 1e-6),
    ("price_effect_eur", 1e-6),
    ("share_to_suppliers", 100),
    ("coverage_rate", 100),
    ("coverage_gini", 1),
    ("hhi", 1),
    ("sme_share_spend", 100),
    ("continuity_risk", 100),
]


def number_axis(ax, axis: str, lang: str, decimals: int | None = None) -> None:
    """Tick labels of one axis written for the language (decimal comma in French)."""
    from matplotlib.ticker import FuncFormatter

    def label(x, _pos):
        d = decimals if decimals is not None else (0 if float(x).is_integer() else 2 if abs(x) < 1 else 1)
        return i18n.number(x, lang, d)

    getattr(ax, f"{axis}axis").set_major_formatter(FuncFormatter(label))


def variant_name(variant_id: str, lang: str = "fr", fallback: str | None = None) -> str:
    """Name of a variant in the language (``variants.variant.<id>``); the variant file's French
    name when the key is not defined (a variant added without translation)."""
    key = f"variants.variant.{variant_id}"
    return i18n.text(key, lang) if i18n.has(key) else (fallback or variant_id)


def variant_label(variant: Variant, lang: str = "fr") -> str:
    """``V3 — name`` in the language."""
    return f"{variant.id} — {variant_name(variant.id, lang, variant.name_fr)}"


def criterion_name(criterion: str, name_fr: str, lang: str = "fr") -> str:
    """Name of a criterion in the language (``variants.criterion.<id>``, else the French name)."""
    key = f"variants.criterion.{criterion}"
    return i18n.text(key, lang) if i18n.has(key) else name_fr


def outcomes_figure(table: pd.DataFrame, variants_list: list[Variant], source: str, lang: str = "fr"):
    """Small multiples: one panel per outcome, one bar per variant (central value) with the
    Monte Carlo 5-95 % interval (the same draws for every variant)."""
    import matplotlib.pyplot as plt

    i18n.check_language(lang)
    fig, axes = plt.subplots(2, 4, figsize=(15, 7.8))
    ids = [v.id for v in variants_list]
    negotiates = {v.id: v.mechanism["price_negotiation"] for v in variants_list}
    indexed = table.set_index(["variant_id", "outcome"])
    for ax, (outcome, scale) in zip(axes.ravel(), FIGURE_OUTCOMES):
        central = np.array([indexed.loc[(v, outcome), "central"] for v in ids]) * scale
        ax.bar(ids, central, color=[variant_colour(v) for v in ids], width=0.7)
        if "q05" in table.columns:
            low = np.array([indexed.loc[(v, outcome), "q05"] for v in ids]) * scale
            high = np.array([indexed.loc[(v, outcome), "q95"] for v in ids]) * scale
            ax.errorbar(ids, central, yerr=[np.maximum(central - low, 0), np.maximum(high - central, 0)],
                        fmt="none", ecolor="#333333", elinewidth=1, capsize=3)
            top = max(high.max(), central.max())
        else:
            top = central.max()
        ax.set_ylim(0, top * 1.12 if top > 0 else 1)
        if outcome == "price_effect_eur":
            for x, v in enumerate(ids):
                if not negotiates[v]:
                    ax.text(x, top * 0.02, i18n.text("variants.fig.outcomes.no_negotiation", lang), ha="center",
                            va="bottom", fontsize=7.5, color="#555555")
        ax.set_title(i18n.text(f"variants.fig.outcomes.{outcome}.title", lang), fontsize=10)
        ax.set_ylabel(i18n.text(f"variants.fig.outcomes.{outcome}.unit", lang), fontsize=9)
        ax.tick_params(axis="both", labelsize=9)
        ax.grid(axis="x", visible=False)
        number_axis(ax, "y", lang)
    handles = [plt.Rectangle((0, 0), 1, 1, color=variant_colour(v.id)) for v in variants_list]
    fig.legend(handles, [variant_label(v, lang) for v in variants_list], loc="lower center",
               ncol=len(variants_list), frameon=False, fontsize=9, bbox_to_anchor=(0.5, -0.005))
    fig.suptitle(i18n.text("variants.fig.outcomes.title", lang), fontsize=13, fontweight="bold")
    fig.text(0.5, 0.935, i18n.text("variants.fig.outcomes.subtitle", lang), ha="center", fontsize=9, color="#444444")
    fig.tight_layout(rect=(0, 0.05, 1, 0.93))
    add_source(fig, source)
    return fig


_PERFORMANCE_FORMATS = {"coverage_gini": ("variants.fig.heatmap.gini", 3),
                        "cost_per_covered_pupil_eur": ("variants.fig.heatmap.eur_per_pupil", 1),
                        "hhi": ("variants.fig.heatmap.hhi", 0)}


def heatmap_figure(scores: pd.DataFrame, criteria: pd.DataFrame, variant_labels: dict[str, str], source: str,
                   lang: str = "fr"):
    """Criteria x variants, coloured by value (0-1), annotated with the value and, for model
    criteria, the performance in its unit. ``variant_labels``: ``{id: "V3 — name"}``."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    i18n.check_language(lang)
    values = scores.pivot(index="criterion", columns="variant_id", values="value").loc[criteria["criterion"]]
    perf = scores.pivot(index="criterion", columns="variant_id", values="performance").loc[criteria["criterion"]]
    kinds = criteria.set_index("criterion")["kind"]
    indicator = criteria.set_index("criterion")["indicator"]
    annotations = values.copy().astype(object)
    for c in values.index:
        for v in values.columns:
            value = i18n.number(values.loc[c, v], lang, 2)
            p = perf.loc[c, v]
            if kinds[c] == "quantitative":
                if indicator[c] == "continuity_risk":
                    detail = i18n.text("variants.fig.heatmap.risk", lang, value=i18n.percent(100 * p, lang, 0))
                elif indicator[c] in _PERFORMANCE_FORMATS:
                    key, decimals = _PERFORMANCE_FORMATS[indicator[c]]
                    detail = i18n.text(key, lang, value=i18n.number(p, lang, decimals))
                else:
                    detail = i18n.number(p, lang, 2)
            else:
                detail = i18n.text("variants.fig.heatmap.score", lang, value=i18n.number(p, lang, 0))
            annotations.loc[c, v] = f"{value}\n{detail}"
    fig, ax = plt.subplots(figsize=(10.5, 7.5))
    sns.heatmap(values.astype(float), annot=annotations.to_numpy(), fmt="", cmap="viridis", vmin=0, vmax=1,
                linewidths=0.5, linecolor="white",
                cbar_kws={"label": i18n.text("variants.fig.heatmap.colourbar", lang)},
                annot_kws={"fontsize": 8}, ax=ax)
    names = criteria.set_index("criterion")["name_fr"]
    ax.set_yticklabels([f"{criterion_name(c, names[c], lang)} "
                        f"({i18n.text('variants.kind.' + kinds[c], lang)})" for c in values.index],
                       rotation=0, fontsize=9)
    ax.set_xticklabels([v + "\n" + "\n".join(textwrap.wrap(variant_labels[v].split(" — ", 1)[-1], 16))
                        for v in values.columns], rotation=0, fontsize=8.5)
    number_axis(ax.collections[0].colorbar.ax, "y", lang, 1)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(i18n.text("variants.fig.heatmap.title", lang))
    add_source(fig, source)
    return fig


def totals_figure(totals: pd.DataFrame, variant_labels: dict[str, str], colours: dict[str, str], source: str,
                  lang: str = "fr", profile_names: dict[str, str] | None = None):
    """Weighted totals per profile (groups) and variant (bars), rank written on each bar.
    ``profile_names`` overrides the profiles' French names (``profile_fr`` column)."""
    import matplotlib.pyplot as plt

    i18n.check_language(lang)
    profiles = list(dict.fromkeys(totals["profile"]))
    names = dict(zip(totals["profile"], totals["profile_fr"])) | (profile_names or {})
    variant_ids = list(dict.fromkeys(totals["variant_id"]))
    width = 0.8 / len(variant_ids)
    fig, ax = plt.subplots(figsize=(11, 5.5))
    x = np.arange(len(profiles))
    indexed = totals.set_index(["profile", "variant_id"])
    for i, v in enumerate(variant_ids):
        heights = [indexed.loc[(p, v), "total"] for p in profiles]
        rank_labels = [f"{indexed.loc[(p, v), 'rank']}" for p in profiles]
        bars = ax.bar(x - 0.4 + width * (i + 0.5), heights, width, color=colours.get(v, "#7b4fa3"),
                      label=variant_labels[v])
        for bar, label in zip(bars, rank_labels):
            ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height() + 0.01, label, ha="center",
                    va="bottom", fontsize=8, color="#333333")
    ax.set_xticks(x)
    ax.set_xticklabels([names[p] for p in profiles])
    ax.set_ylim(0, 1)
    ax.set_ylabel(i18n.text("variants.fig.totals.ylabel", lang))
    number_axis(ax, "y", lang, 1)
    ax.set_title(i18n.text("variants.fig.totals.title", lang))
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9,
              title=i18n.text("variants.fig.totals.legend", lang))
    fig.tight_layout()
    add_source(fig, source)
    return fig


def mechanism_view(mechanisms: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """The variants' mechanisms for reading: one row per field (its label in the language, key
    ``variants.field.<name>``), one column per variant, values as text (whole numbers without
    decimals, shares with two, yes/no for booleans)."""
    i18n.check_language(lang)

    def shown(value) -> str:
        if isinstance(value, (bool, np.bool_)):
            return i18n.yes_no(bool(value), lang)
        if isinstance(value, (int, float, np.integer, np.floating)):
            if value is None or np.isnan(float(value)):
                return "–"
            return i18n.number(float(value), lang, 0 if float(value).is_integer() else 2)
        key = f"variants.value.{value}"
        return i18n.text(key, lang) if i18n.has(key) else str(value)

    table = mechanisms.set_index("variant_id")
    rows = []
    for field in table.columns:
        key = f"variants.field.{field}"
        rows.append({"field": i18n.text(key, lang) if i18n.has(key) else field,
                     **{v: shown(table.at[v, field]) for v in table.index}})
    return pd.DataFrame(rows)


def significant(value: float, lang: str = "fr", digits: int = 3) -> str:
    """A number rounded to ``digits`` significant digits, written for the language
    (``298 000 000``, ``0,275``); NaN gives an en dash."""
    if value is None or np.isnan(float(value)):
        return "–"
    value = float(value)
    if value == 0:
        return i18n.number(0, lang, 0)
    magnitude = int(np.floor(np.log10(abs(value))))
    decimals = max(0, digits - 1 - magnitude)
    return i18n.number(round(value, digits - 1 - magnitude), lang, decimals)
