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
