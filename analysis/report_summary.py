"""The summary of findings and the answer of the sensitivity analyses, computed from the results.

Every sentence is a translation template (``report.finding.*`` in data/i18n/report.csv) whose
numbers are read from the workflow's tables by the functions below; each number links to the
table (``#tab-NAME``) or claim (``#claim-ID``) it comes from. Nothing here restates a result.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import config, errors, i18n
from analysis.report_format import ReportBuildError, is_missing


@dataclass(frozen=True)
class Link:
    """A piece of text that links to an anchor of the report (a table, a claim, a section)."""

    text: str
    anchor: str


Span = str | Link


class Results:
    """The workflow's outputs under one output root, read on demand with clear errors."""

    def __init__(self, root: Path, lang: str, reference_year: int | None = None):
        self.root = Path(root)
        self.lang = lang
        self.reference_year = reference_year
        self._cache: dict[str, pd.DataFrame] = {}

    def path(self, name: str) -> Path:
        return self.root / ("claims.csv" if name == "claims" else f"tables/{name}.csv")

    def table(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        if name not in self._cache:
            path = self.path(name)
            if not path.exists():
                raise ReportBuildError(f"table {name!r} is missing: {path} does not exist "
                                       "(run the workflow, or fix the name in config/report.yaml)")
            self._cache[name] = pd.read_csv(path)
        frame = self._cache[name]
        missing = [c for c in (columns or []) if c not in frame.columns]
        if missing:
            raise ReportBuildError(f"{self.path(name)}: column(s) {missing} needed by the summary are absent "
                                   f"(columns: {list(frame.columns)})")
        return frame

    def row(self, name: str, column: str, value) -> pd.Series:
        frame = self.table(name, [column])
        rows = frame[frame[column] == value]
        if rows.empty:
            raise ReportBuildError(f"{self.path(name)}: no row with {column} = {value!r}")
        return rows.iloc[0]

    def claim(self, claim_id: str) -> pd.Series:
        return self.row("claims", "claim_id", claim_id)


def table_anchor(name: str) -> str:
    return f"tab-{name}"


def claim_anchor(claim_id: str) -> str:
    return f"claim-{claim_id}"


def fill(key: str, lang: str, **fields) -> list[Span]:
    """The template ``key`` split into text and :class:`Link` spans (fields may be str or Link)."""
    template = i18n.text(key, lang)
    spans: list[Span] = []
    for literal, name, spec, _ in string.Formatter().parse(template):
        if literal:
            spans.append(literal)
        if name is None:
            continue
        if name not in fields:
            raise ReportBuildError(f"translation key {key!r} has a field {{{name}}} the summary does not fill")
        spans.append(fields[name])
    return spans


# --- names of variants, criteria, profiles, authorities (data files and the translation table) ---

def variant_names(lang: str) -> dict[str, str]:
    names = {}
    for path in sorted((config.DATA / "variants").glob("V*.yaml")):
        data = errors.safe_load(path.read_text(encoding="utf-8")) or {}
        if "id" in data:
            names[data["id"]] = data.get(f"name_{lang}") or data.get("name_fr") or data["id"]
    return names


def variant_label(variant_id: str, lang: str) -> str:
    name = variant_names(lang).get(variant_id)
    return f"{variant_id} ({name})" if name else variant_id


def criterion_name(criterion: str, lang: str) -> str:
    key = f"report.value.criterion.{criterion}"
    return i18n.text(key, lang) if i18n.has(key) else criterion


def profile_name(profile: str, lang: str) -> str:
    key = f"report.value.profile.{profile}"
    return i18n.text(key, lang) if i18n.has(key) else profile


def factor_label(factor: str, lang: str) -> str:
    """A factor of the sensitivity analyses for a reader: a model parameter's label, or a
    qualitative score ``note:<variant>:<criterion>``."""
    if factor.startswith("note:") and factor.count(":") == 2:
        _, variant, criterion = factor.split(":")
        return f"{i18n.text('report.value.factor.note', lang)} {variant} – {criterion_name(criterion, lang)}"
    key = f"report.value.factor.{factor}"
    return i18n.text(key, lang) if i18n.has(key) else factor


def ordinal(n: int, lang: str) -> str:
    if lang == "fr":
        return "1er" if n == 1 else f"{n}e"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# --- the findings, one function each, in the order of the study ----------------------------------

def finding_oecd_position(results: Results) -> list[Span]:
    lang = results.lang
    ranking = results.table("oecd_procurement_ranking", ["code", "rank_pct_gdp", "value_pct_gdp"])
    series = results.table("oecd_france_vs_oecd_timeseries", ["year", "OECD_pct_gdp", "EUOECD_pct_gdp"])
    france = results.row("oecd_procurement_ranking", "code", "FRA")
    year = results.reference_year
    if year is None or year not in set(series["year"]):
        raise ReportBuildError("the OECD reference year is unknown or absent from oecd_france_vs_oecd_timeseries")
    averages = series[series["year"] == year].iloc[0]
    link_rank = table_anchor("oecd_procurement_ranking")
    link_series = table_anchor("oecd_france_vs_oecd_timeseries")
    return fill("report.finding.oecd_position", lang,
                year=str(year),
                france=Link(i18n.percent(france["value_pct_gdp"], lang, 1), link_rank),
                oecd=Link(i18n.percent(averages["OECD_pct_gdp"], lang, 1), link_series),
                oecd_eu=Link(i18n.percent(averages["EUOECD_pct_gdp"], lang, 1), link_series),
                rank=Link(ordinal(int(france["rank_pct_gdp"]), lang), link_rank),
                n=Link(str(int(ranking["value_pct_gdp"].notna().sum())), link_rank))


def finding_education_procurement(results: Results) -> list[Span]:
    lang = results.lang
    audit = results.table("oecd_vintage_audit", ["code", "quantity", "gaag2023", "gaag2025"])

    def value(code, quantity, vintage):
        rows = audit[(audit["code"] == code) & (audit["quantity"] == quantity)]
        if rows.empty or is_missing(rows.iloc[0][vintage]):
            raise ReportBuildError(f"oecd_vintage_audit: no {vintage} value for {code} {quantity}")
        return float(rows.iloc[0][vintage])

    link = table_anchor("oecd_vintage_audit")
    edu = results.table("eurostat_education_procurement", ["code", "education_pct_gdp"])
    ordered = edu.sort_values("education_pct_gdp", ascending=False, kind="mergesort").reset_index(drop=True)
    france_rank = int(ordered.index[ordered["code"] == "FRA"][0]) + 1
    link_eu = table_anchor("eurostat_education_procurement")
    return fill("report.finding.education_procurement", lang,
                france_2023=Link(i18n.percent(value("FRA", "education_pct_gdp", "gaag2023"), lang, 1), link),
                oecd_2023=Link(i18n.percent(value("OECD", "education_pct_gdp", "gaag2023"), lang, 1), link),
                ratio_2023=Link(i18n.percent(100 * value("FRA/OECD", "education_pct_gdp_ratio", "gaag2023"), lang, 0), link),
                ratio_2025=Link(i18n.percent(100 * value("FRA/OECD", "education_pct_gdp_ratio", "gaag2025"), lang, 0), link),
                rank=Link(ordinal(france_rank, lang), link_eu),
                n=Link(str(len(ordered)), link_eu))


def finding_practices(results: Results) -> list[Span]:
    lang = results.lang
    counts = results.table("practices_counts", ["practice", "n_systems_yes", "n_systems", "france"])

    def practice(name):
        rows = counts[counts["practice"] == name]
        if rows.empty:
            raise ReportBuildError(f"practices_counts: no row for practice {name!r}")
        return rows.iloc[0]

    link = table_anchor("practices_counts")
    central = results.claim("PRACT-CENTRAL-COUNT")
    delegated = results.claim("PRACT-DELEGATED-COUNT")
    nego = practice("price_negotiation")
    delegation = practice("delegated_provision")
    not_negotiating = int(nego["n_systems"]) - int(nego["n_systems_yes"])

    def france_clause(applies: bool) -> str:
        return i18n.text("report.finding.france_among_clause" if applies else "report.finding.france_not_among_clause", lang)

    return fill("report.finding.practices", lang,
                n=Link(str(int(nego["n_systems"])), link),
                central=Link(i18n.number(float(central["computed_value"]), lang, 0), claim_anchor("PRACT-CENTRAL-COUNT")),
                delegated=Link(i18n.number(float(delegated["computed_value"]), lang, 0), claim_anchor("PRACT-DELEGATED-COUNT")),
                no_negotiation=Link(str(not_negotiating), link),
                no_negotiation_share=Link(i18n.percent(100 * not_negotiating / int(nego["n_systems"]), lang, 0), link),
                france_delegates=france_clause(bool(int(delegation["france"]))),
                france_no_negotiation=france_clause(not bool(int(nego["france"]))))


def finding_market(results: Results) -> list[Span]:
    lang = results.lang
    budget = results.row("market_budget_for_variants", "quantity", "annual_public_digital_resources_budget_eur")
    topdown = results.row("market_budget_for_variants", "quantity", "topdown_digital_of_education_expenditure_eur")
    link = table_anchor("market_budget_for_variants")

    def meur(x):
        return Link(i18n.money(float(x) / 1e6, lang, 0), link)

    return fill("report.finding.market", lang,
                central=meur(budget["central"]), low=meur(budget["low"]), high=meur(budget["high"]),
                topdown=meur(topdown["central"]), topdown_low=meur(topdown["low"]), topdown_high=meur(topdown["high"]))


def _recommendation(results: Results) -> tuple[str, pd.DataFrame]:
    recommendation = results.table("sensitivity_recommendation", ["profile", "first", "second", "gap"])
    summary = results.table("sensitivity_summary", ["item", "value"])
    items = dict(zip(summary["item"], summary["value"]))
    if "recommended_variant" not in items:
        raise ReportBuildError("sensitivity_summary: no item 'recommended_variant'")
    return str(items["recommended_variant"]), recommendation


def finding_variants(results: Results) -> list[Span]:
    lang = results.lang
    recommended, recommendation = _recommendation(results)
    link = table_anchor("sensitivity_recommendation")
    firsts = recommendation["first"].tolist()
    n_first = sum(1 for f in firsts if f == recommended)
    runners = recommendation[recommendation["first"] == recommended]["second"].value_counts()
    return fill("report.finding.variants", lang,
                variant=Link(variant_label(recommended, lang), link),
                n_first=Link(str(n_first), link), n_profiles=Link(str(len(firsts)), link),
                runner_up=Link(variant_label(str(runners.index[0]), lang), link),
                gap_min=Link(i18n.number(float(recommendation["gap"].min()), lang, 3), link),
                gap_max=Link(i18n.number(float(recommendation["gap"].max()), lang, 3), link))


def sensitivity_facts(results: Results) -> dict:
    """Numbers behind the answer to "how confident can a reader be, and what would make another
    variant win?" (all from the sensitivity tables)."""
    recommended, recommendation = _recommendation(results)
    summary = results.table("sensitivity_summary")
    items = dict(zip(summary["item"], summary["value"]))
    reference = str(items.get("reference_profile", "egalite"))
    first_by_profile = results.table("smaa_first_rank_by_profile", ["profile"])
    if recommended not in first_by_profile.columns:
        raise ReportBuildError(f"smaa_first_rank_by_profile: no column for the recommended variant {recommended!r}")
    acceptability = results.table("smaa_rank_acceptability", ["variant_id", "rank_1"])
    others = acceptability[acceptability["variant_id"] != recommended].sort_values("rank_1", ascending=False)
    reversal = results.table("sensitivity_rank_reversal", ["profile", "criterion", "weight", "threshold_above",
                                                          "first_above", "threshold_below", "first_below",
                                                          "distance_to_reversal"])
    ref_rows = reversal[(reversal["profile"] == reference) & reversal["distance_to_reversal"].notna()]
    ref_rows = ref_rows.sort_values("distance_to_reversal", kind="mergesort")
    agreement = results.table("sensitivity_method_agreement", ["profile", "method", "first"])
    methods_agree = bool((agreement["first"] == recommended).all())
    sobol = results.table("sensitivity_sobol", ["output", "factor", "ST"])
    gap_sobol = sobol[sobol["output"] == "gap"].sort_values("ST", ascending=False, kind="mergesort")
    return {
        "recommended": recommended, "reference": reference, "items": items,
        "smaa_first": float(items["smaa_first_rank_recommended"]),
        "runner_smaa": (str(others.iloc[0]["variant_id"]), float(others.iloc[0]["rank_1"])) if len(others) else None,
        "profile_min": float(first_by_profile[recommended].min()),
        "profile_max": float(first_by_profile[recommended].max()),
        "reversals": ref_rows, "methods_agree": methods_agree,
        "gap_share_negative": float(items["gap_share_negative"]),
        "gap_p05": float(items["gap_p05"]), "gap_p95": float(items["gap_p95"]),
        "gap_factors": gap_sobol.head(3),
        "n_profiles": len(recommendation),
        "n_first": int((recommendation["first"] == recommended).sum()),
    }


def finding_sensitivity(results: Results) -> list[Span]:
    lang = results.lang
    facts = sensitivity_facts(results)
    spans = fill("report.finding.sensitivity", lang,
                 variant=facts["recommended"],
                 share=Link(i18n.percent(100 * facts["smaa_first"], lang, 0), table_anchor("smaa_rank_acceptability")),
                 share_min=Link(i18n.percent(100 * facts["profile_min"], lang, 0), table_anchor("smaa_first_rank_by_profile")),
                 share_max=Link(i18n.percent(100 * facts["profile_max"], lang, 0), table_anchor("smaa_first_rank_by_profile")))
    if len(facts["reversals"]):
        spans += [" "] + reversal_sentence(facts["reversals"].iloc[0], facts["reference"], lang)
    return spans


def reversal_sentence(row: pd.Series, profile: str, lang: str, short: bool = False) -> list[Span]:
    link = table_anchor("sensitivity_rank_reversal")
    above = not is_missing(row["threshold_above"])
    threshold = row["threshold_above"] if above else row["threshold_below"]
    winner = row["first_above"] if above else row["first_below"]
    key = "report.finding.reversal_above" if above else "report.finding.reversal_below"
    return fill(key + ("_short" if short else ""), lang,
                profile=profile_name(profile, lang), criterion=criterion_name(str(row["criterion"]), lang),
                weight=Link(i18n.percent(100 * float(row["weight"]), lang, 0), link),
                threshold=Link(i18n.percent(100 * float(threshold), lang, 0), link),
                winner=variant_label(str(winner), lang))


def finding_diagnostic(results: Results) -> list[Span]:
    lang = results.lang
    categories = results.table("diagnostic_authority_categories", ["authority_id", "category", "label_fr", "priority_rank"])
    authority = str(categories["authority_id"].iloc[0])
    row = results.row("diagnostic_batch_summary", "authority_id", authority)
    link = table_anchor("diagnostic_batch_summary")
    link_cat = table_anchor("diagnostic_authority_categories")
    first = categories.sort_values("priority_rank").iloc[0]
    category_key = f"report.value.category.{first['category']}"
    first_label = i18n.text(category_key, lang) if i18n.has(category_key) else str(first["label_fr"])
    return fill("report.finding.diagnostic", lang,
                authority=str(row.get("name_fr", authority)),
                total=Link(i18n.money(float(row["total_eur"]) / 1e6, lang, 2), link),
                n_categories=Link(str(int(row["n_categories"])), link),
                non_eu=Link(i18n.money(float(row["non_eu_eur"]) / 1e6, lang, 2), link),
                non_eu_share=Link(i18n.percent(100 * float(row["non_eu_share"]), lang, 0), link),
                n_p1=Link(str(int(row["n_p1"])), link),
                first=Link(first_label, link_cat),
                n_authorities=Link(str(len(results.table("diagnostic_batch_summary"))), link))


def finding_ledger(results: Results) -> list[Span]:
    lang = results.lang
    summary = results.table("claims_ledger_summary", ["part"])
    total = results.row("claims_ledger_summary", "part", "total")
    statuses = [c for c in summary.columns if c != "part"]
    link = table_anchor("claims_ledger_summary")
    parts = []
    for status in statuses:
        count = int(total[status])
        if count:
            parts.append(f"{i18n.number(count, lang)}\u00a0{i18n.text(f'report.status_plural.{status}', lang)}")
    counts = ", ".join(parts[:-1]) + (f" {i18n.text('report.word.and', lang)} " if len(parts) > 1 else "") + parts[-1]
    return fill("report.finding.ledger", lang,
                n=Link(str(int(sum(int(total[s]) for s in statuses))), link),
                counts=Link(counts, link))


FINDINGS = [finding_oecd_position, finding_education_procurement, finding_practices, finding_market,
            finding_variants, finding_sensitivity, finding_diagnostic, finding_ledger]


def findings(results: Results) -> list[list[Span]]:
    """Every sentence of the summary of findings, in the order of the study."""
    return [function(results) for function in FINDINGS]


def sensitivity_answer(results: Results) -> list[list[Span]]:
    """The answer of the sensitivity analyses: how confident, and what would make another win."""
    lang = results.lang
    facts = sensitivity_facts(results)
    paragraphs = []
    variant = variant_label(facts["recommended"], lang)
    runner = facts["runner_smaa"]
    paragraphs.append(fill(
        "report.sensitivity.confidence", lang, variant=variant,
        n_first=Link(str(facts["n_first"]), table_anchor("sensitivity_recommendation")),
        n_profiles=Link(str(facts["n_profiles"]), table_anchor("sensitivity_recommendation")),
        share=Link(i18n.percent(100 * facts["smaa_first"], lang, 0), table_anchor("smaa_rank_acceptability")),
        runner=variant_label(runner[0], lang) if runner else "–",
        runner_share=Link(i18n.percent(100 * runner[1], lang, 0) if runner else "–", table_anchor("smaa_rank_acceptability")),
        share_min=Link(i18n.percent(100 * facts["profile_min"], lang, 0), table_anchor("smaa_first_rank_by_profile")),
        share_max=Link(i18n.percent(100 * facts["profile_max"], lang, 0), table_anchor("smaa_first_rank_by_profile")),
        gap_negative=Link(i18n.percent(100 * facts["gap_share_negative"], lang, 1), table_anchor("sensitivity_summary"))))
    paragraphs.append(fill("report.sensitivity.methods_agree" if facts["methods_agree"] else "report.sensitivity.methods_differ",
                           lang, variant=facts["recommended"]))
    reversals = facts["reversals"]
    if len(reversals):
        paragraphs.append(["¶ "] + fill("report.sensitivity.what_if", lang, profile=profile_name(facts["reference"], lang)))
        for _, row in reversals.head(3).iterrows():
            paragraphs.append(["• "] + reversal_sentence(row, facts["reference"], lang, short=True))
    else:
        paragraphs.append(fill("report.sensitivity.no_reversal", lang, profile=profile_name(facts["reference"], lang)))
    factors = facts["gap_factors"]
    if len(factors):
        link = table_anchor("sensitivity_sobol")
        names = []
        for _, row in factors.iterrows():
            label = factor_label(str(row["factor"]), lang)
            names.append(Link(f"{label} (S_T = {i18n.number(float(row['ST']), lang, 2)})", link))
        fields = {f"factor{i + 1}": names[i] if i < len(names) else "–" for i in range(3)}
        paragraphs.append(fill("report.sensitivity.gap_drivers", lang, variant=facts["recommended"],
                               runner=facts["items"].get("runner_up", "–"), **fields))
    paragraphs += lead_and_discovery(results, facts["recommended"])
    return paragraphs


def _bound(value) -> str:
    return "" if is_missing(value) else str(value)


def lead_and_discovery(results: Results, recommended: str) -> list[list[Span]]:
    """What the lead rests on (modelled against judged criteria) and the PRIM boxes under which
    another variant ranks first, from sensitivity_lead_decomposition and
    sensitivity_scenario_discovery."""
    lang = results.lang
    paragraphs: list[list[Span]] = []
    lead = results.table("sensitivity_lead_decomposition", ["profile", "first", "judged_share_of_lead",
                                                           "judged_weight_share", "first_on_modelled_only"])
    lead = lead[lead["first"] == recommended]
    if len(lead):
        link = table_anchor("sensitivity_lead_decomposition")

        def pct(x):
            return Link(i18n.percent(100 * float(x), lang, 0), link)

        paragraphs.append(fill(
            "report.sensitivity.lead_rests_on", lang, variant=recommended,
            weight_min=pct(lead["judged_weight_share"].min()), weight_max=pct(lead["judged_weight_share"].max()),
            lead_min=pct(lead["judged_share_of_lead"].min()), lead_max=pct(lead["judged_share_of_lead"].max()),
            n_modelled=Link(str(int((lead["first_on_modelled_only"] == recommended).sum())), link),
            n_profiles=Link(str(len(lead)), link)))
    boxes = results.table("sensitivity_scenario_discovery", ["variant_id", "first_share", "factor", "lower", "upper",
                                                            "coverage", "density"])
    boxes = boxes[boxes["variant_id"] != recommended]
    if len(boxes):
        link = table_anchor("sensitivity_scenario_discovery")
        paragraphs.append(["¶ "] + fill("report.sensitivity.discovery_intro", lang))
        order = (boxes.groupby("variant_id", sort=False)["first_share"].first().sort_values(ascending=False, kind="mergesort"))
        for variant_id in order.index[:3]:
            rows = boxes[boxes["variant_id"] == variant_id]
            conditions = []
            joiner = " et " if lang == "fr" else " and "
            for _, row in rows.iterrows():
                factor = str(row["factor"])
                is_weight = factor.startswith("poids:")
                label = (i18n.text("report.sensitivity.weight_of", lang, criterion=criterion_name(factor.split(":", 1)[1], lang))
                         if is_weight else factor_label(factor, lang))

                def shown(x):
                    return i18n.percent(100 * float(x), lang, 0) if is_weight else i18n.number(float(x), lang, 2)

                parts = ([f"≥ {shown(row['lower'])}"] if not is_missing(row["lower"]) else []) + (
                    [f"≤ {shown(row['upper'])}"] if not is_missing(row["upper"]) else [])
                conditions.append(f"{label} {joiner.join(parts)}")
            first = rows.iloc[0]
            paragraphs.append(["• "] + fill(
                "report.sensitivity.discovery", lang, variant=variant_label(str(variant_id), lang),
                share=Link(i18n.percent(100 * float(first["first_share"]), lang, 1), link),
                conditions="; ".join(conditions),
                coverage=Link(i18n.percent(100 * float(first["coverage"]), lang, 0), link),
                density=Link(i18n.percent(100 * float(first["density"]), lang, 0), link)))
        paragraphs.append(fill("report.sensitivity.discovery_note", lang))
    return paragraphs
