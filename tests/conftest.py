"""Shared test helpers. Tests read only the repository's own files, never the study's shared folder."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from analysis import config


def read_rows(path: Path) -> list[dict]:
    """Rows of a CSV file as dicts of strings, read with the standard library (independent of pandas)."""
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def oecd_rows() -> list[dict]:
    return read_rows(config.RAW / "oecd" / "OECD.GOV.GIP_DF_GOV_PPROC_2025.csv")
