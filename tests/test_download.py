"""The OECD downloader, tested on a fixture cut from the committed extract (never the network)."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from analysis import config, download, provenance
from analysis.validation import DataValidationError

FIXTURE = config.ROOT / "tests" / "fixtures" / "oecd_sdmx_sample.csv"
EXTRACT = config.RAW / "oecd" / "OECD.GOV.GIP_DF_GOV_PPROC_2025.csv"


def test_fixture_is_cut_from_the_committed_extract():
    extract_lines = set(EXTRACT.read_text(encoding="utf-8").splitlines())
    fixture_lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    assert len(fixture_lines) > 10
    assert set(fixture_lines) <= extract_lines


def test_parse_sdmx_csv_reads_the_fixture():
    frame = download.parse_sdmx_csv(FIXTURE.read_bytes())
    assert set(frame["REF_AREA"]) == {"FRA", "DEU", "OECD", "EUOECD"}
    france = frame[(frame["REF_AREA"] == "FRA") & (frame["UNIT_MEASURE"] == "PT_B1GQ") & (frame["TIME_PERIOD"] == 2021)]
    assert france["OBS_VALUE"].item() == 16.41


def test_parse_rejects_an_unknown_country_code():
    content = FIXTURE.read_bytes().replace(b",DEU,Germany,", b",ZZZ,Nowhere,")
    with pytest.raises(DataValidationError, match="REF_AREA"):
        download.parse_sdmx_csv(content)


def _staged(tmp_path):
    destination = tmp_path / EXTRACT.name
    shutil.copyfile(EXTRACT, destination)
    shutil.copyfile(provenance.sidecar_of(EXTRACT), provenance.sidecar_of(destination))
    return destination


def test_refresh_replaces_file_and_sidecar_together(tmp_path):
    destination = _staged(tmp_path)
    content = FIXTURE.read_bytes()
    metadata = download.refresh_oecd(destination, content=content, today=dt.date(2027, 1, 15))
    assert destination.read_bytes() == content
    assert metadata["date_accessed"] == "2027-01-15"
    assert metadata["dataset_id"] == download.OECD_LIVE_DATAFLOW
    provenance.verify(destination)  # the sidecar matches the new file


def test_refresh_with_bad_content_writes_nothing(tmp_path):
    destination = _staged(tmp_path)
    before = (destination.read_bytes(), provenance.sidecar_of(destination).read_bytes())
    bad = FIXTURE.read_bytes().replace(b",16.41,", b",160.41,")
    with pytest.raises(DataValidationError, match="OBS_VALUE"):
        download.refresh_oecd(destination, content=bad)
    assert (destination.read_bytes(), provenance.sidecar_of(destination).read_bytes()) == before


def test_offline_download_fails_with_a_clear_message():
    with pytest.raises(download.DownloadError, match="committed extract"):
        download.fetch("http://127.0.0.1:9/unreachable", timeout=2)


EUROSTAT_FIXTURE = config.ROOT / "tests" / "fixtures" / "eurostat_sdmx_sample.csv"
COFOG_EXTRACT = config.RAW / "eurostat" / "gov_10a_exp.csv"


def test_eurostat_fixture_rows_other_than_d632_are_in_the_committed_extract():
    import csv

    extract = {tuple(r.values()) for r in csv.DictReader(open(COFOG_EXTRACT, encoding="utf-8"))}
    rows = list(csv.DictReader(open(EUROSTAT_FIXTURE, encoding="utf-8")))
    kept = [r for r in rows if r["na_item"] != "D632" and r["geo"] != "XK"]
    assert len(kept) >= 8
    for r in kept:
        assert (r["freq"], r["unit"], r["sector"], r["cofog99"], r["na_item"], r["geo"], r["TIME_PERIOD"],
                r["OBS_VALUE"]) in extract


def test_eurostat_parse_converts_the_layout_and_keeps_d632():
    long = download.parse_eurostat_sdmx_csv(EUROSTAT_FIXTURE.read_bytes())
    assert list(long.columns) == ["freq", "unit", "sector", "cofog99", "na_item", "geo", "time", "values"]
    assert "XK" not in set(long["geo"])
    assert (long["na_item"] == "D632").sum() == 4


def test_eurostat_refresh_rebuilds_the_oecd_definition(tmp_path):
    from analysis import oecd

    destination = tmp_path / COFOG_EXTRACT.name
    shutil.copyfile(COFOG_EXTRACT, destination)
    shutil.copyfile(provenance.sidecar_of(COFOG_EXTRACT), provenance.sidecar_of(destination))
    metadata = download.refresh_eurostat(destination, content=EUROSTAT_FIXTURE.read_bytes(), today=dt.date(2027, 1, 15))
    provenance.verify(destination)
    assert metadata["dataset_id"] == "gov_10a_exp" and "D632" in metadata["edition"]
    table = oecd.cofog_procurement(oecd.read_cofog_raw(destination)).set_index(["code", "cofog"])
    france = table.loc[("FRA", "TOTAL")]
    assert france["procurement_oecd_def_meur"] == pytest.approx(france["p2_meur"] + france["p51g_meur"] + 100000.0)


def test_eurostat_refresh_with_bad_content_writes_nothing(tmp_path):
    destination = tmp_path / COFOG_EXTRACT.name
    shutil.copyfile(COFOG_EXTRACT, destination)
    shutil.copyfile(provenance.sidecar_of(COFOG_EXTRACT), provenance.sidecar_of(destination))
    before = destination.read_bytes()
    bad = EUROSTAT_FIXTURE.read_bytes().replace(b",P51G,", b",P99,")
    with pytest.raises(DataValidationError, match="na_item"):
        download.refresh_eurostat(destination, content=bad)
    assert destination.read_bytes() == before
