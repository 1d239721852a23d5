"""The claims ledger: every number and statement of the slides, checked and given a status.

Claims are data. ``data/claims/<part>.yaml`` registers each claim of one part of the study:

.. code-block:: yaml

    part: oecd
    claims:
      - id: OECD-PROC-GDP-OECD-2021
        slide: "FOCUS Marchés publics (analyse)"       # where on the slides
        statement: "... représentent en moyenne 12,9 % du PIB dans l'OCDE (2021)"
        slide_value: 12.9
        unit: "% du PIB"
        kind: reproduce        # reproduce | derived | input | verbal | unverifiable
        source: "OECD, Government at a Glance 2023"
        tolerance: 0.05        # absolute, in the claim's unit
        note: "what the check does"
        # optional:
        origin: slides         # slides (default: printed on the slides) | package (the
                               # package's own derived or reference figure, listed apart)
        edition_value: 12.9    # the value printed in the edition the slide cites
        edition_source: "..."  # where that value is printed (required with edition_value)
        reading: "..."         # for a verbal claim: the threshold that decides it
                               # (data/claims/thresholds.yaml)

The notebook of each part computes the claims it registered (in the part's module,
``<part>.claim_values``) and writes ``<output root>/claims/<part>.csv`` (``claim_id,
computed_value, explanation`` and, optionally, ``readings_true``) with :func:`write_computed`.
``readings_true`` is the share (0-1) of the reasonable readings of a claim (thresholds, measures,
country sets, years, data vintages) under which the statement holds. :func:`build_ledger` joins the
registry with the computed values and gives each claim its status:

- ``reproduced``: kind ``reproduce`` (or ``verbal``) and the recomputation lies within the
  tolerance, under every reading when several were computed;
- ``derived``: kind ``derived`` (follows arithmetically from other claims) and it holds;
- ``revised``: the recomputation disagrees, but the slide quotes the edition it cites correctly
  (``edition_value`` within the tolerance of the slide): the source has since been revised,
  not an error of the slides;
- ``input``: a cited figure the package cannot recompute (the value is shown with its source);
- ``undecidable``: kind ``unverifiable`` (the statement is vague, causal, or the data here cannot
  settle it), or the verdict changes with the reading (some readings hold, others do not);
- ``discrepancy``: the recomputation disagrees under every reading (the explanation says why).

Kinds ``verbal`` and ``unverifiable``, and the fields ``origin``, ``edition_value``,
``edition_source``, ``reading`` and ``previous_status`` (the status an earlier version of the
ledger gave: a changed verdict is then announced in the explanation), are optional additions: a registry written for the first four
statuses stays valid.
"""

from __future__ import annotations

import math
from pathlib import Path


import pandas as pd

from analysis import config
from analysis.io import read_yaml, write_csv
from analysis.validation import schema_violations

KINDS = ("reproduce", "derived", "input", "verbal", "unverifiable")
STATUSES = ("reproduced", "derived", "revised", "input", "undecidable", "discrepancy")
ORIGINS = ("slides", "package")
LEDGER_COLUMNS = ["claim_id", "part", "slide", "statement", "slide_value", "computed_value", "unit",
                  "kind", "status", "tolerance", "source", "explanation", "origin", "edition_value",
                  "reading", "readings_true", "previous_status"]

REGISTRY_SCHEMA = {
    "type": "object",
    "required": ["part", "claims"],
    "additionalProperties": False,
    "properties": {
        "part": {"type": "string", "pattern": "^[a-z_]+$"},
        "claims": {
            "type": "array", "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "slide", "statement", "slide_value", "unit", "kind", "source"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": "^[A-Z0-9][A-Z0-9-]+$"},
                    "slide": {"type": "string"},
                    "statement": {"type": "string", "minLength": 5},
                    "slide_value": {"type": "number"},
                    "unit": {"type": "string"},
                    "kind": {"enum": list(KINDS)},
                    "source": {"type": "string", "minLength": 3},
                    "tolerance": {"type": "number", "minimum": 0},
                    "note": {"type": "string"},
                    "origin": {"enum": list(ORIGINS)},
                    "edition_value": {"type": "number"},
                    "edition_source": {"type": "string", "minLength": 3},
                    "reading": {"type": "string", "minLength": 3},
                    "previous_status": {"enum": list(STATUSES)},
                },
                "allOf": [
                    {"if": {"properties": {"kind": {"enum": ["reproduce", "derived", "verbal"]}}},
                     "then": {"required": ["tolerance"]}},
                    {"if": {"required": ["edition_value"]}, "then": {"required": ["edition_source"]}},
                    {"if": {"properties": {"kind": {"const": "verbal"}}}, "then": {"required": ["reading"]}},
                ],
            },
        },
    },
}


#: Thresholds of the verbal claims (not a registry; skipped by :func:`load_registry`).
THRESHOLDS_FILE = config.CLAIMS_REGISTRY / "thresholds.yaml"

_SOURCED = {"type": "object", "required": ["id", "source"],
            "properties": {"id": {"type": "string"}, "source": {"type": "string", "minLength": 3}}}
THRESHOLDS_SCHEMA = {
    "type": "object", "required": ["claims"], "additionalProperties": False,
    "properties": {"claims": {"type": "object", "minProperties": 1, "additionalProperties": {
        "type": "object", "required": ["wording", "test", "main"],
        "properties": {
            "wording": {"type": "string", "minLength": 3},
            "test": {"enum": ["within_band", "in_bottom", "near_half", "share_more_than", "share_at_most"]},
            "main": {"type": "object"},
            "bands": {"type": "array", "minItems": 1, "items": _SOURCED},
            "quantiles": {"type": "array", "minItems": 1, "items": _SOURCED},
            "tolerances": {"type": "array", "minItems": 1, "items": _SOURCED},
            "thresholds": {"type": "array", "minItems": 1, "items": _SOURCED},
            "measures": {"type": "array", "minItems": 1, "items": {"type": "string"}},
            "country_sets": {"type": "array", "minItems": 1, "items": {"type": "string"}},
            "years": {"type": "array", "minItems": 1, "items": {"type": "integer"}},
        }}}},
}


class ClaimsError(ValueError):
    """The registry is malformed, or a computed value is missing for a claim that needs one."""


def load_registry(registry_dir: Path = config.CLAIMS_REGISTRY) -> pd.DataFrame:
    """All registered claims, one row each, in file then registry order."""
    rows = []
    for path in sorted(registry_dir.glob("*.yaml")):
        if path.name == THRESHOLDS_FILE.name:
            continue
        document = read_yaml(path)
        violations = schema_violations(document, REGISTRY_SCHEMA)
        if violations:
            shown = path.relative_to(config.ROOT) if path.is_relative_to(config.ROOT) else path
            raise ClaimsError("\n".join(f"{shown}: field {where}: {message}" for where, message in violations))
        for claim in document["claims"]:
            rows.append({"claim_id": claim["id"], "part": document["part"], "slide": claim["slide"],
                         "statement": claim["statement"], "slide_value": float(claim["slide_value"]),
                         "unit": claim["unit"], "kind": claim["kind"], "source": claim["source"],
                         "tolerance": float(claim.get("tolerance", math.nan)),
                         "note": claim.get("note", ""), "origin": claim.get("origin", "slides"),
                         "edition_value": float(claim.get("edition_value", math.nan)),
                         "edition_source": claim.get("edition_source", ""),
                         "reading": claim.get("reading", ""),
                         "previous_status": claim.get("previous_status", "")})
    registry = pd.DataFrame(rows)
    duplicated = registry["claim_id"][registry["claim_id"].duplicated()].tolist() if rows else []
    if duplicated:
        raise ClaimsError(f"{registry_dir}: claim ids registered twice: {duplicated}")
    return registry


def load_thresholds(path: Path = THRESHOLDS_FILE) -> dict:
    """The thresholds and reading ranges of the verbal claims, ``{claim_id: spec}`` (validated;
    an error names the file and the field)."""
    document = read_yaml(path)
    violations = schema_violations(document, THRESHOLDS_SCHEMA)
    if violations:
        shown = path.relative_to(config.ROOT) if path.is_relative_to(config.ROOT) else path
        raise ClaimsError("\n".join(f"{shown}: field {where}: {message}" for where, message in violations))
    return document["claims"]


def readings_share(readings: pd.DataFrame) -> float:
    """Share of the readings (rows of a readings table, column ``holds``) under which a claim holds."""
    return float(readings["holds"].astype(bool).mean())


def registry_for(part: str, registry_dir: Path = config.CLAIMS_REGISTRY) -> pd.DataFrame:
    registry = load_registry(registry_dir)
    return registry[registry["part"] == part].reset_index(drop=True)


def write_computed(part: str, values: dict[str, tuple], output_root: Path,
                   registry_dir: Path = config.CLAIMS_REGISTRY) -> Path:
    """Write the values a part computed for its claims: ``{claim_id: (value, explanation)}`` or
    ``{claim_id: (value, explanation, readings_true)}`` (share of the readings under which the
    statement holds, 0-1).

    Every id must be registered for ``part``; every registered claim of kind ``reproduce``,
    ``derived`` or ``verbal`` must get a value (inputs and unverifiable claims may be given one
    too: the value the package uses, or what the data can show).
    """
    registry = registry_for(part, registry_dir)
    registered = set(registry["claim_id"])
    unknown = sorted(set(values) - registered)
    if unknown:
        raise ClaimsError(f"part {part!r}: computed values for unregistered claims {unknown}")
    needed = set(registry.loc[registry["kind"].isin(["reproduce", "derived", "verbal"]), "claim_id"])
    missing = sorted(needed - set(values))
    if missing:
        raise ClaimsError(f"part {part!r}: no computed value for claims {missing}")
    rows = []
    for claim_id, entry in values.items():
        value, explanation, *rest = entry
        readings = float(rest[0]) if rest and rest[0] is not None else math.nan
        if not math.isnan(readings) and not 0 <= readings <= 1:
            raise ClaimsError(f"part {part!r}, claim {claim_id}: readings_true must lie in [0, 1] (got {readings})")
        rows.append({"claim_id": claim_id, "computed_value": float(value), "explanation": explanation,
                     "readings_true": readings})
    frame = pd.DataFrame(rows, columns=["claim_id", "computed_value", "explanation", "readings_true"])
    order = {claim_id: i for i, claim_id in enumerate(registry["claim_id"])}
    frame = frame.sort_values("claim_id", key=lambda s: s.map(order)).reset_index(drop=True)
    return write_csv(frame, config.claims_values_dir(output_root) / f"{part}.csv")


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def status_of(kind: str, slide_value: float, computed_value: float, tolerance: float,
              edition_value: float = math.nan, readings_true: float = math.nan) -> str:
    """Status of one claim from its kind, the comparison of the two values, the value of the
    cited edition (if registered) and the share of readings under which the claim holds."""
    if kind == "input":
        return "input"
    if kind == "unverifiable":
        return "undecidable"
    if _missing(computed_value):
        raise ClaimsError(f"a {kind} claim has no computed value")
    if not _missing(readings_true) and 0 < readings_true < 1:
        return "undecidable"
    agrees = abs(computed_value - slide_value) <= tolerance + 1e-12
    if not _missing(readings_true):
        agrees = readings_true == 1
    if agrees:
        return "derived" if kind == "derived" else "reproduced"
    if not _missing(edition_value) and abs(edition_value - slide_value) <= tolerance + 1e-12:
        return "revised"
    return "discrepancy"


#: What each status means, in the words of the ledger (README and notebook 90 use these).
STATUS_MEANING = {
    "reproduced": "recomputed from raw data within the stated tolerance (under every reading computed)",
    "derived": "follows arithmetically from other figures of the slides, within the rounding",
    "revised": "the slide quotes the edition it cites correctly; the source has since revised the figure",
    "input": "a cited figure the package cannot recompute, used as given with its source",
    "undecidable": "vague, causal, or the verdict depends on the reading: the data here cannot settle it",
    "discrepancy": "the recomputation disagrees under every reading (the explanation says why)",
}


def build_ledger(output_root: Path, registry_dir: Path = config.CLAIMS_REGISTRY) -> pd.DataFrame:
    """Join the registry with every part's computed values and give each claim its status."""
    registry = load_registry(registry_dir)
    computed_frames = []
    for part in sorted(registry["part"].unique()):
        path = config.claims_values_dir(output_root) / f"{part}.csv"
        if not path.exists():
            raise ClaimsError(f"part {part!r}: {path} is missing (run the part's notebook first)")
        computed_frames.append(pd.read_csv(path))
    computed = pd.concat(computed_frames, ignore_index=True)
    if "readings_true" not in computed.columns:
        computed["readings_true"] = math.nan
    ledger = registry.merge(computed, on="claim_id", how="left", validate="one_to_one")
    ledger["explanation"] = ledger["explanation"].fillna("")
    ledger["status"] = [
        status_of(row.kind, row.slide_value, row.computed_value, row.tolerance, row.edition_value,
                  row.readings_true)
        for row in ledger.itertuples()
    ]
    revised = ledger["status"] == "revised"
    ledger.loc[revised, "note"] = [
        f"{row.note} Printed {row.edition_value:g} in the cited edition ({row.edition_source}).".strip()
        for row in ledger[revised].itertuples()]
    ledger["explanation"] = [
        " ".join(part for part in (_change(row), row.note, row.explanation) if isinstance(part, str) and part).strip()
        for row in ledger.itertuples()
    ]
    ledger["origin"] = ledger["origin"].fillna("slides")
    return ledger[LEDGER_COLUMNS]


def _change(row) -> str:
    """'Verdict changed from X to Y.' when an earlier version of the ledger gave another status."""
    if row.previous_status and row.previous_status != row.status:
        return f"Verdict changed from {row.previous_status} to {row.status}:"
    return ""


def write_ledger(output_root: Path, registry_dir: Path = config.CLAIMS_REGISTRY) -> pd.DataFrame:
    ledger = build_ledger(output_root, registry_dir)
    write_csv(ledger, Path(output_root) / "claims.csv")
    return ledger


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Build the claims ledger <output root>/claims.csv")
    parser.add_argument("output_root", help="output root, e.g. reports or reports/scenarios/NAME")
    args = parser.parse_args(argv)
    ledger = write_ledger(config.resolve(args.output_root))
    print(ledger["status"].value_counts().to_string())


if __name__ == "__main__":
    main()


def readings_filename(claim_id: str) -> str:
    """File name of a verbal claim's readings table in ``<output root>/tables/``."""
    return f"claims_readings_{claim_id.lower().replace('-', '_')}.csv"


def claim_label(claim_id: str, lang: str = "fr") -> str:
    """A short label of a claim for figures (data/i18n/claims.csv), or its id."""
    from analysis import i18n

    key = f"claims.label.{claim_id}"
    return i18n.text(key, lang) if i18n.has(key) else claim_id


def readings_summary(readings: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per verbal claim: readings computed, share that hold, verdict of the main reading."""
    return pd.DataFrame([{"claim_id": claim_id, "n_readings": len(table), "share_holds": readings_share(table),
                          "main_holds": bool(table.loc[table["main"], "holds"].iloc[0])}
                         for claim_id, table in readings.items()])
