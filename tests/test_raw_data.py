"""Every raw file is held to its metadata sidecar (schema, size, SHA-256) and its table schema."""

from __future__ import annotations

import pytest

from analysis import config, provenance
from analysis.validation import read_csv_validated

RAW_FILES = provenance.raw_files()


def test_there_are_raw_files():
    names = {p.name for p in RAW_FILES}
    assert {"OECD.GOV.GIP_DF_GOV_PPROC_2025.csv", "gov_10a_exp.csv", "namq_10_gdp.csv",
            "oecd_gaag2023_procurement_figures.csv"} <= names


@pytest.mark.parametrize("raw_file", RAW_FILES, ids=lambda p: str(p.relative_to(config.RAW)))
def test_raw_file_matches_its_sidecar(raw_file):
    metadata = provenance.verify(raw_file)
    if metadata["kind"] == "transcription":
        assert metadata["transcription"]["notes"], "a transcription records its judgement calls"


@pytest.mark.parametrize("raw_file", RAW_FILES, ids=lambda p: str(p.relative_to(config.RAW)))
def test_raw_table_satisfies_its_schema(raw_file):
    metadata = provenance.load_metadata(raw_file)
    schema = provenance.table_schema(metadata)
    frame = read_csv_validated(raw_file, schema)
    assert len(frame) > 0


def test_sidecar_without_file_is_an_error(tmp_path):
    orphan = tmp_path / "table.csv"
    orphan.write_text("a\n1\n")
    with pytest.raises(provenance.ProvenanceError, match="no metadata sidecar"):
        provenance.verify(orphan)


def test_checksum_mismatch_is_detected(tmp_path):
    source = config.RAW / "slides" / "oecd_gaag2023_procurement_figures.csv"
    copy = tmp_path / source.name
    copy.write_bytes(source.read_bytes().replace(b"12.9", b"13.9"))
    provenance.sidecar_of(copy).write_bytes(provenance.sidecar_of(source).read_bytes())
    with pytest.raises(provenance.ProvenanceError, match="SHA-256"):
        provenance.verify(copy)


def test_malformed_sidecar_names_the_field(tmp_path):
    source = config.RAW / "slides" / "oecd_gaag2023_procurement_figures.csv"
    copy = tmp_path / source.name
    copy.write_bytes(source.read_bytes())
    text = provenance.sidecar_of(source).read_text(encoding="utf-8").replace('date_accessed: "2026-11-28"',
                                                                              'date_accessed: "28/11/2026"')
    provenance.sidecar_of(copy).write_text(text, encoding="utf-8")
    with pytest.raises(provenance.ProvenanceError, match="date_accessed"):
        provenance.verify(copy)
