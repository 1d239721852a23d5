"""Figures of the sensitivity analyses of the variants' comparison (labels in French)."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from analysis import mcda, sensitivity
from analysis.plotting import add_source, french_axis, number_fr, percent_fr
from analysis.variants import variant_colour

METHOD_LABELS_FR = {"weighted_sum": "Somme pondérée", "topsis": "TOPSIS (distance à l'idéal)",
                    "promethee_ii": "PROMETHEE II (surclassement)"}


def factor_labels_fr(comparison: sensitivity.Comparison) -> dict[str, str]:
    """French label of every factor of the global sensitivity analysis."""
    labels = dict(zip(comparison.parameters["name"], comparison.parameters["label_fr"]))
    names = dict(zip(comparison.criteria["criterion"], comparison.criteria["name_fr"]))
    for v in comparison.variant_ids:
        for c in comparison.qualitative_ids:
            labels[sensitivity.QUALITATIVE_FACTOR.format(variant=v, criterion=c)] = f"Note de {v} : {names[c]}"
    return labels


def _pct_axis(ax, axis="x"):
    import matplotlib.pyplot as plt

    formatter = plt.FuncFormatter(lambda x, _p: f"{100 * x:.0f}\u202f%")
    getattr(ax, f"{axis}axis").set_major_formatter(formatter)


def weight_sweep_figure(central: np.ndarray, weights: np.ndarray, comparison: sensitivity.Comparison,
                        thresholds: pd.DataFrame, profile_fr: str, source: str, points: int = 201):
    """One panel per criterion: the variants' weighted totals as that criterion's weight goes from
    0 to 100 % (the others keep their proportions); dashed line = the profile's weight; shaded =
    weights at which the profile's first variant is no longer first."""
    import matplotlib.pyplot as plt

    criteria = comparison.criteria
    ids = comparison.variant_ids
    t = np.linspace(0, 1, points)
    n = len(criteria)
    columns = 5
    rows = int(np.ceil(n / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(16, 3.4 * rows + 1.2), sharey=True, squeeze=False)
    first_now = int(np.argmax(mcda.weighted_totals(central, weights)))
    table = thresholds.set_index("criterion")
    for j, (ax, c) in enumerate(zip(axes.ravel(), criteria.itertuples())):
        totals = sensitivity.weight_sweep(central, weights, j, t)
        firsts = np.argmax(totals, axis=1)
        other = firsts != first_now
        if other.any():
            ax.fill_between(t, 0, 1, where=other, color="#f3d9d2", step="mid", transform=ax.get_xaxis_transform(),
                            linewidth=0)
        for v, variant_id in enumerate(ids):
            ax.plot(t, totals[:, v], color=variant_colour(variant_id), lw=2.2 if v == first_now else 1.4,
                    label=comparison.variant(variant_id).label_fr)
        w = weights[j] / weights.sum()
        ax.axvline(w, color="#333333", ls="--", lw=1)
        row = table.loc[c.criterion]
        notes = []
        for side in ("below", "above"):
            value = row[f"threshold_{side}"]
            if not pd.isna(value) and 0 < value < 1:      # a threshold outside (0, 1) is never printed
                ax.axvline(value, color="#b03a2e", ls=":", lw=1.2)
                decimals = 0 if 0.5 <= 100 * value <= 99.5 else 1
                notes.append(f"{row[f'first_{side}']} si {'<' if side == 'below' else '>'} {percent_fr(100 * value, decimals)}")
        ax.text(0.98, 0.04, "\n".join(notes) if notes else "aucune inversion",
                transform=ax.transAxes, ha="right", va="bottom", fontsize=8,
                color="#b03a2e" if notes else "#555555",
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
        ax.set_title("\n".join(textwrap.wrap(c.name_fr, 30)) + f"\n(poids actuel {percent_fr(100 * w, 0)})", fontsize=9.5)
        ax.set_xlim(0, 1)
        _pct_axis(ax)
        ax.tick_params(labelsize=8)
        ax.grid(axis="x", visible=False)
        french_axis(ax, "y", 1)
        if j % columns == 0:
            ax.set_ylabel("score pondéré (0 à 1)", fontsize=9)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(ids), frameon=False, fontsize=9, bbox_to_anchor=(0.5, 0.0))
    fig.suptitle(f"Sensibilité du classement au poids de chaque critère (profil « {profile_fr} »)",
                 fontweight="bold", fontsize=13)
    fig.text(0.5, 0.945, "En abscisse, le poids du critère ; les autres poids gardent leurs proportions. Tirets : poids du "
             "profil ; pointillés rouges : seuils d'inversion du premier rang ; zone rosée : une autre variante est première.",
             ha="center", fontsize=9, color="#444444")
    fig.tight_layout(rect=(0, 0.05, 1, 0.93))
    add_source(fig, source)
    return fig


def smaa_figure(acceptability: pd.DataFrame, first_by_profile: pd.DataFrame, comparison: sensitivity.Comparison,
                n_samples: int, source: str):
    """Left: rank acceptability indices with weights drawn uniformly on the simplex (stacked bars,
    rank 1 darkest). Right: the probability that each variant ranks first under each profile's own
    weights, model parameters and scores drawn from their ranges."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    ids = comparison.variant_ids
    ranks = [c for c in acceptability.columns if c.startswith("rank_")]
    colours = sns.color_palette("Blues_r", len(ranks) + 1)[: len(ranks)]
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(15, 5.6), gridspec_kw={"width_ratios": [1.25, 1]})
    table = acceptability.set_index("variant_id").loc[ids]
    y = np.arange(len(ids))[::-1]
    left = np.zeros(len(ids))
    for k, column in enumerate(ranks):
        share = table[column].to_numpy()
        ax.barh(y, share, left=left, color=colours[k], edgecolor="white", height=0.65, label=f"rang {k + 1}")
        for yi, l, s in zip(y, left, share):
            if s >= 0.06:
                ax.text(l + s / 2, yi, percent_fr(100 * s, 0), ha="center", va="center", fontsize=8.5,
                        color="white" if k < 2 else "#222222")
        left += share
    ax.set_yticks(y)
    ax.set_yticklabels(["\n".join(textwrap.wrap(comparison.variant(v).label_fr, 28)) for v in ids], fontsize=9)
    ax.set_xlim(0, 1)
    _pct_axis(ax)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=len(ranks), frameon=False, fontsize=9)
    ax.set_title("Part des tirages où chaque variante obtient chaque rang\n"
                 f"(poids tirés uniformément, {number_fr(n_samples)} tirages)", fontsize=11)
    for yi, v in zip(y, ids):
        ax.text(1.01, yi, f"confiance\n{percent_fr(100 * table.at[v, 'confidence_factor'], 0)}"
                if not pd.isna(table.at[v, "confidence_factor"]) else "jamais 1re", transform=ax.get_yaxis_transform(),
                va="center", fontsize=8, color="#444444")

    matrix = first_by_profile.set_index("profile_fr")[ids]
    sns.heatmap(matrix, annot=matrix.map(lambda x: percent_fr(100 * x, 0)), fmt="", cmap="Blues", vmin=0, vmax=1,
                cbar=False, linewidths=0.8, linecolor="white", ax=ax2, annot_kws={"fontsize": 9.5})
    ax2.set_xlabel("")
    ax2.set_ylabel("")
    ax2.set_xticklabels([v for v in ids], rotation=0)
    ax2.tick_params(axis="y", rotation=0)
    ax2.set_title("Probabilité d'être première selon le profil de pondération\n"
                  "(poids du profil ; paramètres et notes tirés dans leurs fourchettes)", fontsize=11)
    fig.suptitle("Analyse d'acceptabilité stochastique (SMAA-2) des variantes", fontweight="bold", fontsize=13)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    add_source(fig, source)
    return fig


def gap_sensitivity_figure(sobol: pd.DataFrame, morris: pd.DataFrame, labels: dict[str, str], pair: tuple[str, str],
                           profile_fr: str, gap_summary: dict, source: str, top: int = 12):
    """Left: total and first-order Sobol indices of the score gap between the two first variants
    (largest total indices). Right: Morris screening (mu*, sigma) of the same gap."""
    import matplotlib.pyplot as plt

    from analysis.plotting import FRANCE_COLOUR, HIGHLIGHT_COLOUR

    gap = sobol[sobol["output"] == "gap"].sort_values(["ST", "factor"], ascending=[False, True]).head(top).iloc[::-1]
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(16, 6.4), gridspec_kw={"width_ratios": [1.25, 1]})
    y = np.arange(len(gap))
    ax.barh(y, gap["ST"], xerr=gap["ST_conf"], color="#5b6770", alpha=0.85, height=0.6, capsize=2,
            label="indice total (S_T)")
    ax.plot(gap["S1"].clip(lower=0), y, "o", color=HIGHLIGHT_COLOUR, ms=6, label="indice de premier ordre (S_1)")
    ax.set_yticks(y)
    ax.set_yticklabels(["\n".join(textwrap.wrap(labels.get(f, f), 46)) for f in gap["factor"]], fontsize=8.5)
    ax.set_xlim(0, max(1e-9, float((gap["ST"] + gap["ST_conf"]).max())) * 1.15)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right", fontsize=8.5)
    ax.set_xlabel("part de la variance de l'écart expliquée")
    ax.set_title(f"Indices de Sobol de l'écart de score {pair[0]} − {pair[1]}", fontsize=11)

    m = morris[morris["output"] == "gap"].sort_values(["mu_star", "factor"], ascending=[False, True])
    is_note = m["factor"].str.startswith(sensitivity.QUALITATIVE_FACTOR.split(":")[0] + ":")
    ax2.scatter(m.loc[~is_note, "mu_star"], m.loc[~is_note, "sigma"], s=30, color="#5b6770", alpha=0.85,
                label="paramètres du modèle")
    ax2.scatter(m.loc[is_note, "mu_star"], m.loc[is_note, "sigma"], s=30, color=HIGHLIGHT_COLOUR, alpha=0.85,
                label=f"notes qualitatives de {pair[0]} et {pair[1]}")
    # labels of the largest effects in a column at the right, with a leader line to each point
    labelled = m[~is_note].head(5).sort_values("sigma", ascending=False)
    for k, row in enumerate(labelled.itertuples()):
        ax2.annotate("\n".join(textwrap.wrap(labels.get(row.factor, row.factor), 30)), (row.mu_star, row.sigma),
                     xytext=(1.04, 0.95 - k * 0.2), textcoords="axes fraction", fontsize=7.5, color="#333333",
                     va="top", arrowprops={"arrowstyle": "-", "color": "#999999", "lw": 0.8})
    ax2.legend(loc="center right", fontsize=8)
    ax2.set_xlabel("μ* : effet moyen absolu sur l'écart (par pas de la plage normalisée)")
    ax2.set_ylabel("σ : dispersion des effets (non-linéarité, interactions)")
    ax2.set_xlim(left=0)
    ax2.set_ylim(bottom=0)
    french_axis(ax2, "x", 3)
    french_axis(ax2, "y", 3)
    french_axis(ax, "x", 2)
    ax2.set_title("Criblage de Morris de l'écart", fontsize=11)
    fig.suptitle(f"Ce qui fait varier l'écart entre {pair[0]} et {pair[1]} (profil « {profile_fr} »)",
                 fontweight="bold", fontsize=13)
    fig.text(0.5, 0.925, (f"Écart central {number_fr(gap_summary['central'], 3)} ; sur les tirages de Sobol : médiane "
                          f"{number_fr(gap_summary['median'], 3)}, intervalle 5–95 % [{number_fr(gap_summary['p05'], 3)} ; "
                          f"{number_fr(gap_summary['p95'], 3)}], écart négatif dans {percent_fr(100 * gap_summary['share_negative'], 1)} "
                          "des tirages."), ha="center", fontsize=9.5, color="#444444")
    fig.tight_layout(rect=(0, 0, 0.86, 0.91))
    add_source(fig, source)
    return fig


def outcome_sobol_figure(sobol: pd.DataFrame, labels: dict[str, str], criteria: pd.DataFrame,
                         variant_ids: list[str], source: str, threshold: float = 0.05):
    """Total Sobol indices of the model indicators feeding the quantitative criteria, per variant:
    factors (rows) whose total index reaches ``threshold`` for at least one output."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    outcomes = sobol[sobol["output"] != "gap"].copy()
    outcomes[["variant_id", "indicator"]] = outcomes["output"].str.split(":", n=1, expand=True)
    quantitative = criteria[criteria["kind"] == "quantitative"]
    columns = [f"{v}:{i}" for i in quantitative["indicator"] for v in variant_ids]
    matrix = outcomes.pivot(index="factor", columns="output", values="ST")[columns].clip(lower=0)
    keep = matrix.index[matrix.max(axis=1) >= threshold]
    matrix = matrix.loc[sorted(keep, key=lambda f: -matrix.loc[f].max())]
    fig, ax = plt.subplots(figsize=(15, 0.42 * len(matrix) + 3.2))
    sns.heatmap(matrix, annot=matrix.map(lambda x: f"{x:.2f}".replace(".", ",") if x >= 0.01 else ""), fmt="",
                cmap="Greys", vmin=0, vmax=1, linewidths=0.5, linecolor="white", ax=ax,
                cbar_kws={"label": "indice de Sobol total"}, annot_kws={"fontsize": 7.5})
    ax.set_yticklabels(["\n".join(textwrap.wrap(labels.get(f, f), 50)) for f in matrix.index], rotation=0, fontsize=8.5)
    ax.set_xticklabels([c.split(":")[0] for c in columns], rotation=0, fontsize=8.5)
    ax.set_xlabel("")
    ax.set_ylabel("")
    names = dict(zip(quantitative["indicator"], quantitative["name_fr"]))
    for k, indicator in enumerate(quantitative["indicator"]):
        ax.text((k + 0.5) * len(variant_ids), -0.35, "\n".join(textwrap.wrap(names[indicator], 26)), ha="center",
                va="bottom", fontsize=9, fontweight="bold")
        if k:
            ax.axvline(k * len(variant_ids), color="#333333", lw=1.2)
    ax.set_title("Paramètres du modèle qui font varier chaque critère quantitatif, par variante", pad=46)
    add_source(fig, source + f" Paramètres affichés : indice total ≥ {number_fr(threshold, 2)} pour au moins une sortie.")
    fig.tight_layout()
    return fig


def method_figure(agreement: pd.DataFrame, profile_names: dict[str, str], variant_ids: list[str], source: str):
    """Rank of each variant (columns) per profile and aggregation method (rows), annotated; the
    Kendall tau against the weighted sum on the right."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    table = agreement.copy()
    table["row"] = [f"{profile_names[p]} — {METHOD_LABELS_FR[m]}" for p, m in zip(table["profile"], table["method"])]
    matrix = table.set_index("row")[[f"rank_{v}" for v in variant_ids]]
    matrix.columns = variant_ids
    fig, ax = plt.subplots(figsize=(10.5, 0.38 * len(matrix) + 2.2))
    sns.heatmap(matrix, annot=True, fmt="d", cmap="RdYlGn_r", vmin=1, vmax=len(variant_ids), cbar=False,
                linewidths=0.6, linecolor="white", ax=ax, annot_kws={"fontsize": 9})
    for k in range(1, len(matrix) // 3):
        ax.axhline(3 * k, color="#333333", lw=1.4)
    for yi, tau in enumerate(table["kendall_tau_vs_weighted_sum"]):
        ax.text(len(variant_ids) + 0.15, yi + 0.5, f"τ = {tau:.2f}".replace(".", ","), va="center", fontsize=8.5)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="y", labelsize=8.5)
    ax.set_title("Rang des variantes selon la méthode d'agrégation (1 = première)\n"
                 "τ : corrélation de Kendall avec le rang de la somme pondérée", fontsize=11)
    fig.tight_layout()
    add_source(fig, source)
    return fig


def lead_figure(lead_long: pd.DataFrame, lead: pd.DataFrame, criteria: pd.DataFrame, profile_names: dict[str, str],
                source: str, lang: str = "fr"):
    """Per profile, the first variant's lead over the second split by criterion: modelled criteria
    in blues, judged ones in oranges (stacked from zero, negative contributions to the left), the
    total gap as a black mark and the judged criteria's share of it written at the right."""
    import matplotlib.pyplot as plt

    from analysis import i18n

    i18n.check_language(lang)
    names = dict(zip(criteria["criterion"], criteria["name_fr"] if lang == "fr" else criteria["criterion"]))
    kinds = dict(zip(criteria["criterion"], criteria["kind"]))
    modelled = [c for c in criteria["criterion"] if kinds[c] == "quantitative"]
    judged = [c for c in criteria["criterion"] if kinds[c] == "qualitative"]
    blues = plt.get_cmap("Blues")(np.linspace(0.45, 0.9, max(len(modelled), 1)))
    oranges = plt.get_cmap("Oranges")(np.linspace(0.35, 0.85, max(len(judged), 1)))
    colours = {**dict(zip(modelled, blues)), **dict(zip(judged, oranges))}
    profiles = lead["profile"].tolist()
    fig, ax = plt.subplots(figsize=(12, 1.0 * len(profiles) + 3.2))
    y = np.arange(len(profiles))[::-1]
    for yi, profile in zip(y, profiles):
        rows = lead_long[lead_long["profile"] == profile].set_index("criterion")
        left_pos, left_neg = 0.0, 0.0
        for criterion in modelled + judged:
            value = float(rows.at[criterion, "contribution"])
            start = left_pos if value >= 0 else left_neg + value
            ax.barh(yi, abs(value), left=start, color=colours[criterion], height=0.6, edgecolor="white", linewidth=0.5,
                    label=i18n.text("sensitivity.fig.lead." + ("modelled" if criterion in modelled else "judged"), lang,
                                    name=names[criterion]) if yi == y[0] else None)
            if value >= 0:
                left_pos += value
            else:
                left_neg += value
        row = lead.set_index("profile").loc[profile]
        ax.plot([row["lead"]] * 2, [yi - 0.38, yi + 0.38], color="black", lw=2.2,
                label=i18n.text("sensitivity.fig.lead.total", lang) if yi == y[0] else None)
        ax.annotate(i18n.text("sensitivity.fig.lead.share", lang, share=i18n.percent(100 * row["judged_share_of_lead"], lang, 0)),
                    (max(left_pos, row["lead"]), yi), xytext=(8, 0), textcoords="offset points", va="center", fontsize=9)
    ax.axvline(0, color="#333333", lw=1)
    ax.set_yticks(y)
    table = lead.set_index("profile")
    ax.set_yticklabels([i18n.text("sensitivity.fig.lead.row", lang, profile=profile_names.get(p, p),
                                  first=table.at[p, "first"], second=table.at[p, "second"]) for p in profiles], fontsize=9)
    low = min(0.0, float(lead_long.groupby("profile")["contribution"].apply(lambda s: s[s < 0].sum()).min()))
    high = float(lead_long.groupby("profile")["contribution"].apply(lambda s: s[s > 0].sum()).max())
    ax.set_xlim(low * 1.15 - 0.005, high * 1.45)
    from matplotlib.ticker import FuncFormatter
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: i18n.number(x, lang, 2)))
    ax.set_xlabel(i18n.text("sensitivity.fig.lead.xlabel", lang), fontsize=9)
    ax.set_title(textwrap.fill(i18n.text("sensitivity.fig.lead.title", lang), 90), fontsize=11)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, fontsize=8, frameon=False)
    fig.tight_layout()
    add_source(fig, source)
    return fig
