"""Figures of the sensitivity analyses of the variants' comparison (notebook 05). Each function
takes the part's tables and a language (``"fr"`` default, ``"en"``) and returns a matplotlib
Figure; labels come from ``data/i18n/sensitivity.csv`` (and the variants' and criteria's names
from ``data/i18n/variants.csv``)."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from analysis import i18n, mcda, sensitivity
from analysis.plotting import add_source, tick_formatter
from analysis.variants import variant_colour
from analysis.variants_figures import criterion_name, number_axis, variant_label

METHODS = ("weighted_sum", "topsis", "promethee_ii")


def method_label(method: str, lang: str = "fr") -> str:
    """Name of an aggregation method in the language."""
    return i18n.text(f"sensitivity.method.{method}", lang)


def factor_labels(comparison: sensitivity.Comparison, lang: str = "fr") -> dict[str, str]:
    """Label of every factor of the global sensitivity analysis, in the language (French labels of
    the parameters file; in English the parameter's name)."""
    i18n.check_language(lang)
    if lang == "fr":
        labels = dict(zip(comparison.parameters["name"], comparison.parameters["label_fr"]))
    else:
        labels = {n: n.replace("_", " ") for n in comparison.parameters["name"]}
    names = dict(zip(comparison.criteria["criterion"], comparison.criteria["name_fr"]))
    for c in comparison.criterion_ids:
        labels[sensitivity.WEIGHT_FACTOR.format(criterion=c)] = i18n.text(
            "sensitivity.factor.weight", lang, criterion=criterion_name(c, names[c], lang))
    for v in comparison.variant_ids:
        for c in comparison.qualitative_ids:
            labels[sensitivity.QUALITATIVE_FACTOR.format(variant=v, criterion=c)] = i18n.text(
                "sensitivity.factor.score", lang, variant=v, criterion=criterion_name(c, names[c], lang))
    return labels


def factor_labels_fr(comparison: sensitivity.Comparison) -> dict[str, str]:
    """French labels of the factors (kept for callers of the earlier name)."""
    return factor_labels(comparison, "fr")


def _pct_axis(ax, lang: str, axis: str = "x"):
    import matplotlib.pyplot as plt

    formatter = plt.FuncFormatter(lambda x, _p: i18n.percent(100 * x, lang, 0))
    getattr(ax, f"{axis}axis").set_major_formatter(formatter)


def weight_sweep_figure(central: np.ndarray, weights: np.ndarray, comparison: sensitivity.Comparison,
                        thresholds: pd.DataFrame, profile_name: str, source: str, points: int = 201,
                        lang: str = "fr"):
    """One panel per criterion: the variants' weighted totals as that criterion's weight goes from
    0 to 100 % (the others keep their proportions); dashed line = the profile's weight; shaded =
    weights at which the profile's first variant is no longer first."""
    import matplotlib.pyplot as plt

    i18n.check_language(lang)
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
                    label=variant_label(comparison.variant(variant_id), lang))
        w = weights[j] / weights.sum()
        ax.axvline(w, color="#333333", ls="--", lw=1)
        row = table.loc[c.criterion]
        notes = []
        for side in ("below", "above"):
            value = row[f"threshold_{side}"]
            if not pd.isna(value) and 0 < value < 1:      # a threshold outside (0, 1) is never printed
                ax.axvline(value, color="#b03a2e", ls=":", lw=1.2)
                decimals = 0 if 0.5 <= 100 * value <= 99.5 else 1
                notes.append(i18n.text(f"sensitivity.fig.sweep.{side}", lang, variant=row[f"first_{side}"],
                                       threshold=i18n.percent(100 * value, lang, decimals)))
        ax.text(0.98, 0.04, "\n".join(notes) if notes else i18n.text("sensitivity.fig.sweep.none", lang),
                transform=ax.transAxes, ha="right", va="bottom", fontsize=8,
                color="#b03a2e" if notes else "#555555",
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
        ax.set_title("\n".join(textwrap.wrap(criterion_name(c.criterion, c.name_fr, lang), 30)) + "\n"
                     + i18n.text("sensitivity.fig.sweep.current", lang, weight=i18n.percent(100 * w, lang, 0)),
                     fontsize=9.5)
        ax.set_xlim(0, 1)
        _pct_axis(ax, lang)
        ax.tick_params(labelsize=8)
        ax.grid(axis="x", visible=False)
        number_axis(ax, "y", lang, 1)
        if j % columns == 0:
            ax.set_ylabel(i18n.text("sensitivity.fig.sweep.ylabel", lang), fontsize=9)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(ids), frameon=False, fontsize=9, bbox_to_anchor=(0.5, 0.0))
    fig.suptitle(i18n.text("sensitivity.fig.sweep.title", lang, profile=profile_name), fontweight="bold", fontsize=13)
    fig.text(0.5, 0.945, i18n.text("sensitivity.fig.sweep.subtitle", lang), ha="center", fontsize=9, color="#444444")
    fig.tight_layout(rect=(0, 0.05, 1, 0.93))
    add_source(fig, source)
    return fig


def smaa_figure(acceptability: pd.DataFrame, first_by_profile: pd.DataFrame, comparison: sensitivity.Comparison,
                n_samples: int, source: str, lang: str = "fr", profile_names: dict[str, str] | None = None):
    """Left: rank acceptability indices with weights drawn uniformly on the simplex (stacked bars,
    rank 1 darkest). Right: the probability that each variant ranks first under each profile's own
    weights, model parameters and scores drawn from their ranges."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    i18n.check_language(lang)
    ids = comparison.variant_ids
    ranks = [c for c in acceptability.columns if c.startswith("rank_")]
    colours = sns.color_palette("Blues_r", len(ranks) + 1)[: len(ranks)]
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(15, 5.6), gridspec_kw={"width_ratios": [1.25, 1]})
    table = acceptability.set_index("variant_id").loc[ids]
    y = np.arange(len(ids))[::-1]
    left = np.zeros(len(ids))
    for k, column in enumerate(ranks):
        share = table[column].to_numpy()
        ax.barh(y, share, left=left, color=colours[k], edgecolor="white", height=0.65,
                label=i18n.text("sensitivity.fig.smaa.rank", lang, rank=k + 1))
        for yi, l, s in zip(y, left, share):
            if s >= 0.06:
                ax.text(l + s / 2, yi, i18n.percent(100 * s, lang, 0), ha="center", va="center", fontsize=8.5,
                        color="white" if k < 2 else "#222222")
        left += share
    ax.set_yticks(y)
    ax.set_yticklabels(["\n".join(textwrap.wrap(variant_label(comparison.variant(v), lang), 28)) for v in ids],
                       fontsize=9)
    ax.set_xlim(0, 1)
    _pct_axis(ax, lang)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=len(ranks), frameon=False, fontsize=9)
    ax.set_title(i18n.text("sensitivity.fig.smaa.left_title", lang, n=i18n.number(n_samples, lang, 0)), fontsize=11)
    for yi, v in zip(y, ids):
        confidence = table.at[v, "confidence_factor"]
        ax.text(1.01, yi, i18n.text("sensitivity.fig.smaa.confidence", lang, value=i18n.percent(100 * confidence, lang, 0))
                if not pd.isna(confidence) else i18n.text("sensitivity.fig.smaa.never_first", lang),
                transform=ax.get_yaxis_transform(), va="center", fontsize=8, color="#444444")

    matrix = first_by_profile.set_index("profile")[ids]
    names = dict(zip(first_by_profile["profile"], first_by_profile["profile_fr"])) | (profile_names or {})
    matrix.index = [names[p] for p in matrix.index]
    sns.heatmap(matrix, annot=matrix.map(lambda x: i18n.percent(100 * x, lang, 0)), fmt="", cmap="Blues", vmin=0,
                vmax=1, cbar=False, linewidths=0.8, linecolor="white", ax=ax2, annot_kws={"fontsize": 9.5})
    ax2.set_xlabel("")
    ax2.set_ylabel("")
    ax2.set_xticklabels([v for v in ids], rotation=0)
    ax2.tick_params(axis="y", rotation=0)
    ax2.set_title(i18n.text("sensitivity.fig.smaa.right_title", lang), fontsize=11)
    fig.suptitle(i18n.text("sensitivity.fig.smaa.title", lang), fontweight="bold", fontsize=13)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    add_source(fig, source)
    return fig


def gap_sensitivity_figure(sobol: pd.DataFrame, morris: pd.DataFrame, labels: dict[str, str], pair: tuple[str, str],
                           profile_name: str, gap_summary: dict, source: str, top: int = 12, lang: str = "fr"):
    """Left: total and first-order Sobol indices of the score gap between the two first variants
    (largest total indices). Right: Morris screening (mu*, sigma) of the same gap."""
    import matplotlib.pyplot as plt

    from analysis.plotting import HIGHLIGHT_COLOUR

    i18n.check_language(lang)
    gap = sobol[sobol["output"] == "gap"].sort_values(["ST", "factor"], ascending=[False, True]).head(top).iloc[::-1]
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(16, 6.4), gridspec_kw={"width_ratios": [1.25, 1]})
    y = np.arange(len(gap))
    ax.barh(y, gap["ST"], xerr=gap["ST_conf"], color="#5b6770", alpha=0.85, height=0.6, capsize=2,
            label=i18n.text("sensitivity.fig.gap.total_index", lang))
    ax.plot(gap["S1"].clip(lower=0), y, "o", color=HIGHLIGHT_COLOUR, ms=6,
            label=i18n.text("sensitivity.fig.gap.first_order", lang))
    ax.set_yticks(y)
    ax.set_yticklabels(["\n".join(textwrap.wrap(labels.get(f, f), 46)) for f in gap["factor"]], fontsize=8.5)
    ax.set_xlim(0, max(1e-9, float((gap["ST"] + gap["ST_conf"]).max())) * 1.15)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right", fontsize=8.5)
    ax.set_xlabel(i18n.text("sensitivity.fig.gap.xlabel", lang))
    ax.set_title(i18n.text("sensitivity.fig.gap.sobol_title", lang, first=pair[0], second=pair[1]), fontsize=11)

    m = morris[morris["output"] == "gap"].sort_values(["mu_star", "factor"], ascending=[False, True])
    is_note = m["factor"].str.startswith(sensitivity.QUALITATIVE_FACTOR.split(":")[0] + ":")
    ax2.scatter(m.loc[~is_note, "mu_star"], m.loc[~is_note, "sigma"], s=30, color="#5b6770", alpha=0.85,
                label=i18n.text("sensitivity.fig.gap.parameters", lang))
    ax2.scatter(m.loc[is_note, "mu_star"], m.loc[is_note, "sigma"], s=30, color=HIGHLIGHT_COLOUR, alpha=0.85,
                label=i18n.text("sensitivity.fig.gap.scores", lang, first=pair[0], second=pair[1]))
    # labels of the largest effects in a column at the right, with a leader line to each point
    labelled = m[~is_note].head(5).sort_values("sigma", ascending=False)
    for k, row in enumerate(labelled.itertuples()):
        ax2.annotate("\n".join(textwrap.wrap(labels.get(row.factor, row.factor), 30)), (row.mu_star, row.sigma),
                     xytext=(1.04, 0.95 - k * 0.2), textcoords="axes fraction", fontsize=7.5, color="#333333",
                     va="top", arrowprops={"arrowstyle": "-", "color": "#999999", "lw": 0.8})
    ax2.legend(loc="center right", fontsize=8)
    ax2.set_xlabel(i18n.text("sensitivity.fig.gap.mu_star", lang))
    ax2.set_ylabel(i18n.text("sensitivity.fig.gap.sigma", lang))
    ax2.set_xlim(left=0)
    ax2.set_ylim(bottom=0)
    number_axis(ax2, "x", lang, 3)
    number_axis(ax2, "y", lang, 3)
    number_axis(ax, "x", lang, 2)
    ax2.set_title(i18n.text("sensitivity.fig.gap.morris_title", lang), fontsize=11)
    fig.suptitle(i18n.text("sensitivity.fig.gap.title", lang, first=pair[0], second=pair[1], profile=profile_name),
                 fontweight="bold", fontsize=13)
    fig.text(0.5, 0.925, i18n.text("sensitivity.fig.gap.summary", lang,
                                   central=i18n.number(gap_summary["central"], lang, 3),
                                   median=i18n.number(gap_summary["median"], lang, 3),
                                   p05=i18n.number(gap_summary["p05"], lang, 3),
                                   p95=i18n.number(gap_summary["p95"], lang, 3),
                                   negative=i18n.percent(100 * gap_summary["share_negative"], lang, 1)),
             ha="center", fontsize=9.5, color="#444444")
    fig.tight_layout(rect=(0, 0, 0.86, 0.91))
    add_source(fig, source)
    return fig


def outcome_sobol_figure(sobol: pd.DataFrame, labels: dict[str, str], criteria: pd.DataFrame,
                         variant_ids: list[str], source: str, threshold: float = 0.05, lang: str = "fr"):
    """Total Sobol indices of the model indicators feeding the quantitative criteria, per variant:
    factors (rows) whose total index reaches ``threshold`` for at least one output."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    i18n.check_language(lang)
    outcomes = sobol[sobol["output"] != "gap"].copy()
    outcomes[["variant_id", "indicator"]] = outcomes["output"].str.split(":", n=1, expand=True)
    quantitative = criteria[criteria["kind"] == "quantitative"]
    columns = [f"{v}:{i}" for i in quantitative["indicator"] for v in variant_ids]
    matrix = outcomes.pivot(index="factor", columns="output", values="ST")[columns].clip(lower=0)
    keep = matrix.index[matrix.max(axis=1) >= threshold]
    matrix = matrix.loc[sorted(keep, key=lambda f: -matrix.loc[f].max())]
    fig, ax = plt.subplots(figsize=(15, 0.42 * len(matrix) + 3.2))
    sns.heatmap(matrix, annot=matrix.map(lambda x: i18n.number(x, lang, 2) if x >= 0.01 else ""), fmt="",
                cmap="Greys", vmin=0, vmax=1, linewidths=0.5, linecolor="white", ax=ax,
                cbar_kws={"label": i18n.text("sensitivity.fig.outcomes.colourbar", lang)}, annot_kws={"fontsize": 7.5})
    ax.set_yticklabels(["\n".join(textwrap.wrap(labels.get(f, f), 50)) for f in matrix.index], rotation=0, fontsize=8.5)
    ax.set_xticklabels([c.split(":")[0] for c in columns], rotation=0, fontsize=8.5)
    ax.set_xlabel("")
    ax.set_ylabel("")
    names = {q.indicator: criterion_name(q.criterion, q.name_fr, lang) for q in quantitative.itertuples()}
    for k, indicator in enumerate(quantitative["indicator"]):
        ax.text((k + 0.5) * len(variant_ids), -0.35, "\n".join(textwrap.wrap(names[indicator], 26)), ha="center",
                va="bottom", fontsize=9, fontweight="bold")
        if k:
            ax.axvline(k * len(variant_ids), color="#333333", lw=1.2)
    ax.set_title(i18n.text("sensitivity.fig.outcomes.title", lang), pad=46)
    add_source(fig, source + " " + i18n.text("sensitivity.fig.outcomes.shown", lang,
                                             threshold=i18n.number(threshold, lang, 2)))
    fig.tight_layout()
    return fig


def method_figure(agreement: pd.DataFrame, profile_names: dict[str, str], variant_ids: list[str], source: str,
                  lang: str = "fr"):
    """Rank of each variant (columns) per profile and aggregation method (rows), annotated; the
    Kendall tau against the weighted sum on the right."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    i18n.check_language(lang)
    table = agreement.copy()
    table["row"] = [f"{profile_names[p]} — {method_label(m, lang)}" for p, m in zip(table["profile"], table["method"])]
    matrix = table.set_index("row")[[f"rank_{v}" for v in variant_ids]]
    matrix.columns = variant_ids
    fig, ax = plt.subplots(figsize=(10.5, 0.38 * len(matrix) + 2.2))
    sns.heatmap(matrix, annot=True, fmt="d", cmap="viridis_r", vmin=1, vmax=len(variant_ids), cbar=False,
                linewidths=0.6, linecolor="white", ax=ax, annot_kws={"fontsize": 9})
    for k in range(1, len(matrix) // 3):
        ax.axhline(3 * k, color="#333333", lw=1.4)
    for yi, tau in enumerate(table["kendall_tau_vs_weighted_sum"]):
        ax.text(len(variant_ids) + 0.15, yi + 0.5, f"τ = {i18n.number(tau, lang, 2)}", va="center", fontsize=8.5)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="y", labelsize=8.5)
    ax.set_title(i18n.text("sensitivity.fig.method.title", lang), fontsize=11)
    fig.tight_layout()
    add_source(fig, source)
    return fig


def lead_figure(lead_long: pd.DataFrame, lead: pd.DataFrame, criteria: pd.DataFrame, profile_names: dict[str, str],
                source: str, lang: str = "fr"):
    """Per profile, the first variant's lead over the second split by criterion: modelled criteria
    in blues, judged ones in oranges (stacked from zero, negative contributions to the left), the
    total gap as a black mark and the judged criteria's share of it written at the right."""
    import matplotlib.pyplot as plt

    i18n.check_language(lang)
    names = {c.criterion: criterion_name(c.criterion, c.name_fr, lang) for c in criteria.itertuples()}
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
    ax.xaxis.set_major_formatter(tick_formatter(lang, 2))
    ax.set_xlabel(i18n.text("sensitivity.fig.lead.xlabel", lang), fontsize=9)
    ax.set_title(textwrap.fill(i18n.text("sensitivity.fig.lead.title", lang), 90), fontsize=11)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, fontsize=8, frameon=False)
    fig.tight_layout()
    add_source(fig, source)
    return fig
