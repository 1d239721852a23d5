"""The claims ledger: registry schema, status rules, and the OECD claims' statuses from raw data."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from analysis import claims, config
from conftest import read_rows


def _registry(tmp_path, entries, part="demo"):
    folder = tmp_path / "claims"
    folder.mkdir(exist_ok=True)
    (folder / f"{part}.yaml").write_text(yaml.safe_dump({"part": part, "claims": entries}, allow_unicode=True))
    return folder


CLAIM = {"id": "DEMO-1", "slide": "s", "statement": "a statement", "slide_value": 1.0, "unit": "%",
         "kind": "reproduce", "source": "src", "tolerance": 0.05}


@pytest.mark.parametrize("kind, slide, computed, tolerance, expected", [
    ("reproduce", 12.9, 12.92, 0.05, "reproduced"),
    ("reproduce", 12.9, 13.00, 0.05, "discrepancy"),
    ("derived", 1.4, 1.38, 0.05, "derived"),
    ("derived", 0.9, 0.968, 0.05, "discrepancy"),
    ("input", 10.7, float("nan"), float("nan"), "input"),
    ("reproduce", 1, 1, 0, "reproduced"),
    ("reproduce", 1, 0, 0, "discrepancy"),
])
def test_status_rules(kind, slide, computed, tolerance, expected):
    assert claims.status_of(kind, slide, computed, tolerance) == expected


def test_ledger_joins_registry_and_values(tmp_path):
    registry = _registry(tmp_path, [CLAIM, {**CLAIM, "id": "DEMO-2", "kind": "input", "slide_value": 5.0}])
    root = tmp_path / "out"
    claims.write_computed("demo", {"DEMO-1": (1.2, "recomputed")}, root, registry_dir=registry)
    ledger = claims.write_ledger(root, registry_dir=registry)
    assert list(ledger.columns) == claims.LEDGER_COLUMNS
    assert dict(zip(ledger["claim_id"], ledger["status"])) == {"DEMO-1": "discrepancy", "DEMO-2": "input"}
    written = pd.read_csv(root / "claims.csv")
    assert {"claim_id", "part", "statement", "slide_value", "computed_value", "unit", "status",
            "explanation"} <= set(written.columns)


def test_missing_and_unregistered_values_are_errors(tmp_path):
    registry = _registry(tmp_path, [CLAIM])
    with pytest.raises(claims.ClaimsError, match="no computed value"):
        claims.write_computed("demo", {}, tmp_path, registry_dir=registry)
    with pytest.raises(claims.ClaimsError, match="unregistered"):
        claims.write_computed("demo", {"DEMO-1": (1, ""), "OTHER": (2, "")}, tmp_path, registry_dir=registry)


def test_malformed_registry_names_the_file_and_field(tmp_path):
    registry = _registry(tmp_path, [{**CLAIM, "kind": "guess"}])
    with pytest.raises(claims.ClaimsError, match=r"demo.yaml: field claims/0/kind"):
        claims.load_registry(registry)
    registry = _registry(tmp_path, [{k: v for k, v in CLAIM.items() if k != "tolerance"}])
    with pytest.raises(claims.ClaimsError, match="tolerance"):
        claims.load_registry(registry)


def test_project_registry_is_valid_and_ids_are_unique():
    registry = claims.load_registry()
    assert registry["claim_id"].is_unique
    assert {"oecd"} <= set(registry["part"])


def test_oecd_claim_statuses_follow_from_the_raw_data():
    """The 2025 release moves the OECD average off the slide's 12.9 and France's education
    procurement off 0.9: recomputed here from the raw rows, independently of the notebook."""
    rows = read_rows(config.RAW / "oecd" / "OECD.GOV.GIP_DF_GOV_PPROC_2025.csv")
    value = {(r["REF_AREA"], r["UNIT_MEASURE"], r["TIME_PERIOD"]): r["OBS_VALUE"] for r in rows}
    oecd_2021 = float(value[("OECD", "PT_B1GQ", "2021")])
    france_2021 = float(value[("FRA", "PT_B1GQ", "2021")])
    registry = claims.load_registry().set_index("claim_id")

    def status(claim_id, computed):
        claim = registry.loc[claim_id]
        return claims.status_of(claim.kind, claim.slide_value, computed, claim.tolerance)

    assert status("OECD-PROC-GDP-OECD-2021", oecd_2021) == "discrepancy"
    assert status("OECD-EDU-GDP-FRA-2021", france_2021 * 5.9 / 100) == "discrepancy"
    assert status("OECD-EDU-GDP-OECD-2021", 12.9 * 10.7 / 100) == "derived"
    assert status("OECD-EDU-HALF-2021", 5.9 / 10.7) == "derived"
