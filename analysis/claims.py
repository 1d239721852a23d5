"""The claims ledger (STUDY.md §2.5): every number on the slides, checked and given a status.

Claims are data. ``data/claims/<part>.yaml`` registers each claim of one part of the study:

.. code-block:: yaml

    part: oecd
    claims:
      - id: OECD-PROC-GDP-OECD-2021
        slide: "FOCUS Marchés publics (analyse)"       # where on the slides
        statement: "... représentent en moyenne 12,9 % du PIB dans l'OCDE (2021)"
        slide_value: 12.9
        unit: "% du PIB"
        kind: reproduce        # reproduce | derived | input
        source: "OECD, Government at a Glance 2023"
        tolerance: 0.05        # absolute, in the claim's unit
        note: "what the check does"

The notebook of each part computes the claims it registered and writes
``<output root>/claims/<part>.csv`` (``claim_id, computed_value, explanation``) with
:func:`write_computed`. :func:`build_ledger` joins the registry with the computed values and
gives each claim its status:

- ``reproduced``: kind ``reproduce`` and the recomputation lies within the tolerance;
- ``derived``: kind ``derived`` (follows arithmetically from other claims) and it holds;
- ``input``: a cited figure the package cannot recompute (the value is shown with its source);
- ``discrepancy``: the recomputation disagrees (the explanation says why).
"""

from __future__ import annotations

import math
from pathlib import Path


import pandas as pd

from analysis import config
from analysis.io import read_yaml, write_csv
from analysis.validation import schema_violations

KINDS = ("reproduce", "derived", "input")
STATUSES = ("reproduced", "derived", "input", "discrepancy")
LEDGER_COLUMNS = ["claim_id", "part", "slide", "statement", "slide_value", "computed_value", "unit",
                  "kind", "status", "tolerance", "source", "explanation"]

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
                },
                "if": {"properties": {"kind": {"enum": ["reproduce", "derived"]}}},
                "then": {"required": ["tolerance"]},
            },
        },
    },
}


class ClaimsError(ValueError):
    """The registry is malformed, or a computed value is missing for a claim that needs one."""


def load_registry(registry_dir: Path = config.CLAIMS_REGISTRY) -> pd.DataFrame:
    """All registered claims, one row each, in file then registry order."""
    rows = []
    for path in sorted(registry_dir.glob("*.yaml")):
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
                         "note": claim.get("note", "")})
    registry = pd.DataFrame(rows)
    duplicated = registry["claim_id"][registry["claim_id"].duplicated()].tolist() if rows else []
    if duplicated:
        raise ClaimsError(f"{registry_dir}: claim ids registered twice: {duplicated}")
    return registry


def registry_for(part: str, registry_dir: Path = config.CLAIMS_REGISTRY) -> pd.DataFrame:
    registry = load_registry(registry_dir)
    return registry[registry["part"] == part].reset_index(drop=True)


def write_computed(part: str, values: dict[str, tuple[float, str]], output_root: Path,
                   registry_dir: Path = config.CLAIMS_REGISTRY) -> Path:
    """Write the values a part computed for its claims: ``{claim_id: (value, explanation)}``.

    Every id must be registered for ``part``; every registered claim of kind ``reproduce`` or
    ``derived`` must get a value (inputs may be given one too: the value the package uses).
    """
    registry = registry_for(part, registry_dir)
    registered = set(registry["claim_id"])
    unknown = sorted(set(values) - registered)
    if unknown:
        raise ClaimsError(f"part {part!r}: computed values for unregistered claims {unknown}")
    needed = set(registry.loc[registry["kind"] != "input", "claim_id"])
    missing = sorted(needed - set(values))
    if missing:
        raise ClaimsError(f"part {part!r}: no computed value for claims {missing}")
    frame = pd.DataFrame(
        [{"claim_id": claim_id, "computed_value": float(value), "explanation": explanation}
         for claim_id, (value, explanation) in values.items()]
    )
    order = {claim_id: i for i, claim_id in enumerate(registry["claim_id"])}
    frame = frame.sort_values("claim_id", key=lambda s: s.map(order)).reset_index(drop=True)
    return write_csv(frame, config.claims_values_dir(output_root) / f"{part}.csv")


def status_of(kind: str, slide_value: float, computed_value: float, tolerance: float) -> str:
    """Status of one claim from its kind and the comparison of the two values."""
    if kind == "input":
        return "input"
    if computed_value is None or (isinstance(computed_value, float) and math.isnan(computed_value)):
        raise ClaimsError("a reproduce/derived claim has no computed value")
    agrees = abs(computed_value - slide_value) <= tolerance + 1e-12
    if not agrees:
        return "discrepancy"
    return "reproduced" if kind == "reproduce" else "derived"


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
    ledger = registry.merge(computed, on="claim_id", how="left", validate="one_to_one")
    ledger["explanation"] = ledger["explanation"].fillna("")
    ledger["status"] = [
        status_of(row.kind, row.slide_value, row.computed_value, row.tolerance)
        for row in ledger.itertuples()
    ]
    ledger["explanation"] = [
        " ".join(part for part in (row.note, row.explanation) if isinstance(part, str) and part).strip()
        for row in ledger.itertuples()
    ]
    return ledger[LEDGER_COLUMNS]


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
