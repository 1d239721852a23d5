"""Figures of the OECD part (labels in French, France highlighted, source under each chart)."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator
import numpy as np
import pandas as pd
from scipy import stats

from analysis.plotting import (FRANCE_COLOUR, HIGHLIGHT_COLOUR, OTHER_COLOUR, add_source, french_ticks,
                               percent_fr)

SOURCE_OECD_2025 = ("Source : OCDE, Panorama des administrations publiques 2025, dépenses de marchés "
                    "publics (DSD_GOV@DF_GOV_PPROC_2025).")
SOURCE_EUROSTAT = ("Source : Eurostat gov_10a_exp (COFOG, P2 + P51G, hors D632) et namq_10_gdp ; "
                   "approximation des marchés publics, inférieure à la définition de l'OCDE.")

MEASURE_LABELS = {"pct_gdp": "% du PIB", "pct_gov_exp": "% des dépenses publiques totales"}


def ranking_bars(ranking: pd.DataFrame, aggregates: pd.Series, year: int, measure: str):
    """Sorted horizontal bars, France highlighted, OECD and OECD-EU averages as lines."""
    data = ranking.sort_values("value")
    fig, ax = plt.subplots(figsize=(8, 0.24 * len(data) + 1.6))
    colours = [FRANCE_COLOUR if code == "FRA" else OTHER_COLOUR for code in data["code"]]
    ax.barh(data["name_fr"], data["value"], color=colours)
    styles = {"OECD": ("OCDE", "-"), "EUOECD": ("OCDE-UE", "--")}
    for code, (label, style) in styles.items():
        if code in aggregates:
            ax.axvline(aggregates[code], color=HIGHLIGHT_COLOUR, linestyle=style, linewidth=1.4,
                       label=f"{label} : {percent_fr(aggregates[code])}")
    france = data[data["code"] == "FRA"]
    if len(france):
        value = float(france["value"].iloc[0])
        ax.text(value + 0.2, france["name_fr"].iloc[0], percent_fr(value), va="center",
                color=FRANCE_COLOUR, fontweight="bold", fontsize=9)
    ax.set_xlabel(MEASURE_LABELS[measure])
    ax.set_ylabel("")
    ax.tick_params(axis="y", labelsize=8)
    title = {"pct_gdp": "Dépenses de marchés publics en % du PIB",
             "pct_gov_exp": "Dépenses de marchés publics en % des dépenses publiques"}[measure]
    ax.set_title(f"{title} ({year})")
    ax.legend(loc="lower right", fontsize=9, frameon=True)
    ax.margins(y=0.01)
    add_source(fig, SOURCE_OECD_2025)
    french_ticks(fig)
    fig.tight_layout()
    return fig


def france_timeseries(series: dict[str, pd.DataFrame]):
    """France against the OECD and OECD-EU, one panel per measure."""
    fig, axes = plt.subplots(1, len(series), figsize=(11, 4.2), sharex=True)
    axes = np.atleast_1d(axes)
    lines = {"FRA": ("France", FRANCE_COLOUR, "-", 2.4), "OECD": ("OCDE", HIGHLIGHT_COLOUR, "-", 1.6),
             "EUOECD": ("OCDE-UE", HIGHLIGHT_COLOUR, "--", 1.6)}
    for ax, (measure, wide) in zip(axes, series.items()):
        for code, (label, colour, style, width) in lines.items():
            ax.plot(wide["year"], wide[code], label=label, color=colour, linestyle=style, linewidth=width,
                    marker="o" if code == "FRA" else None, markersize=3)
        ax.set_title(f"En {MEASURE_LABELS[measure]}")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("Année")
        ax.set_ylabel("%")
    axes[0].legend(loc="best", fontsize=9)
    fig.suptitle("Dépenses de marchés publics : la France face à l'OCDE, 2007-2024", fontweight="bold")
    add_source(fig, SOURCE_OECD_2025 + " Moyenne OCDE 2024 non publiée dans cette édition.")
    french_ticks(fig)
    fig.tight_layout()
    return fig


def vintage_audit_bars(audit: pd.DataFrame):
    """Slides' figures (Government at a Glance 2023) against the 2025 release."""
    labels = {("OECD", "procurement_pct_gdp"): "OCDE\nmarchés publics",
              ("EUOECD", "procurement_pct_gdp"): "OCDE-UE\nmarchés publics",
              ("FRA", "procurement_pct_gdp"): "France\nmarchés publics*",
              ("OECD", "education_pct_gdp"): "OCDE\néducation",
              ("FRA", "education_pct_gdp"): "France\néducation"}
    rows = audit.set_index(["code", "quantity"])
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [3, 2]})
    groups = [[k for k in labels if k[1] == "procurement_pct_gdp"], [k for k in labels if k[1] == "education_pct_gdp"]]
    titles = ["Marchés publics totaux, % du PIB (2021)", "Marchés publics d'éducation, % du PIB (2021)"]
    for ax, keys, title in zip(axes, groups, titles):
        x = np.arange(len(keys))
        old = [rows.loc[k, "gaag2023"] for k in keys]
        new = [rows.loc[k, "gaag2025"] for k in keys]
        ax.bar(x - 0.2, old, width=0.4, color=OTHER_COLOUR, label="Édition 2023 (diapositives)")
        ax.bar(x + 0.2, new, width=0.4, color=FRANCE_COLOUR, label="Édition 2025 (données actuelles)")
        for xi, (a, b) in enumerate(zip(old, new)):
            ax.text(xi - 0.2, a, percent_fr(a, 2 if a < 5 else 1), ha="center", va="bottom", fontsize=8)
            ax.text(xi + 0.2, b, percent_fr(b, 2 if b < 5 else 1), ha="center", va="bottom", fontsize=8)
        ax.set_xticks(x, [labels[k] for k in keys], fontsize=9)
        ax.set_title(title)
        ax.set_ylabel("% du PIB")
    axes[0].legend(fontsize=8, loc="lower right")
    add_source(fig, "Sources : diapositives du 13/01/2026 (OCDE, Panorama 2023) ; OCDE, Panorama 2025. "
                    "* France 2023 : valeur implicite 0,9 / 5,9. Éducation = total × part de l'éducation "
                    "(10,7 % OCDE, 5,9 % France, édition 2023).")
    french_ticks(fig)
    fig.tight_layout()
    return fig


def education_bars(cross_section: pd.DataFrame, year: int):
    """Eurostat proxy: education procurement as % of GDP by country, France highlighted."""
    data = cross_section.sort_values("education_pct_gdp")
    fig, ax = plt.subplots(figsize=(8, 0.24 * len(data) + 1.6))
    colours = [FRANCE_COLOUR if code == "FRA" else OTHER_COLOUR for code in data["code"]]
    ax.barh(data["name_fr"], data["education_pct_gdp"], color=colours)
    median = float(data["education_pct_gdp"].median())
    ax.axvline(median, color=HIGHLIGHT_COLOUR, linestyle="--", label=f"Médiane : {percent_fr(median, 2)}")
    ax.set_xlabel("% du PIB")
    ax.tick_params(axis="y", labelsize=8)
    ax.set_title(f"Marchés publics d'éducation (COFOG 09) en % du PIB, Europe ({year})")
    ax.legend(loc="lower right", fontsize=9)
    ax.margins(y=0.01)
    add_source(fig, SOURCE_EUROSTAT)
    french_ticks(fig)
    fig.tight_layout()
    return fig


def regression_figure(prediction, cross_section: pd.DataFrame, year: int):
    """Scatter of education vs total procurement, the fit without France, its prediction band,
    and the residual diagnostics (residuals vs fitted, normal Q-Q)."""
    model = prediction.model
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.3), gridspec_kw={"width_ratios": [2.2, 1, 1]})
    ax = axes[0]
    others = prediction.data
    ax.scatter(others["procurement_pct_gdp"], others["education_pct_gdp"], color=OTHER_COLOUR,
               edgecolor="#555555", s=28, label="Pays européens (ajustement)")
    for row in others.itertuples():
        ax.annotate(row.code, (row.procurement_pct_gdp, row.education_pct_gdp), fontsize=6,
                    xytext=(2, 2), textcoords="offset points", color="#555555")
    grid = np.linspace(cross_section["procurement_pct_gdp"].min() - 0.3,
                       cross_section["procurement_pct_gdp"].max() + 0.3, 100)
    frame = model.get_prediction(np.column_stack([np.ones_like(grid), grid])).summary_frame(alpha=prediction.alpha)
    ax.plot(grid, frame["mean"], color=HIGHLIGHT_COLOUR, label="Droite des MCO (sans la France)")
    level = int(round(100 * (1 - prediction.alpha)))
    ax.fill_between(grid, frame["obs_ci_lower"], frame["obs_ci_upper"], color=HIGHLIGHT_COLOUR, alpha=0.12,
                    label=f"Intervalle de prédiction à {level} %")
    france = cross_section[cross_section["code"] == "FRA"].iloc[0]
    ax.scatter([france["procurement_pct_gdp"]], [france["education_pct_gdp"]], color=FRANCE_COLOUR, s=70,
               zorder=5, label=f"France : {percent_fr(france['education_pct_gdp'], 2)} "
                               f"(prédit {percent_fr(prediction.france_predicted, 2)})")
    ax.set_xlabel("Marchés publics totaux (P2 + P51G), % du PIB")
    ax.set_ylabel("Marchés publics d'éducation, % du PIB")
    ax.set_title(f"La France au regard de la taille de ses marchés publics ({year})")
    ax.legend(fontsize=7, loc="upper left")
    axes[1].scatter(model.fittedvalues, model.resid, color=OTHER_COLOUR, edgecolor="#555555", s=20)
    axes[1].axhline(0, color="#333333", linewidth=0.8)
    axes[1].set_xlabel("Valeurs ajustées")
    axes[1].set_ylabel("Résidus")
    axes[1].set_title("Résidus / ajustées")
    (osm, osr), (slope, intercept, _) = stats.probplot(model.resid, dist="norm")
    axes[2].scatter(osm, osr, color=OTHER_COLOUR, edgecolor="#555555", s=20)
    axes[2].plot(osm, slope * np.asarray(osm) + intercept, color=HIGHLIGHT_COLOUR)
    axes[2].set_xlabel("Quantiles théoriques")
    axes[2].set_ylabel("Quantiles des résidus")
    axes[2].set_title("Q-Q plot normal")
    add_source(fig, SOURCE_EUROSTAT + " Régression MCO estimée sans la France (statsmodels).")
    french_ticks(fig)
    fig.tight_layout()
    return fig
