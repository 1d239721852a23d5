"""Outputs are written atomically: a failure leaves the previous file untouched and no temp file."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.io import atomic_path, write_csv


def test_failed_write_keeps_previous_output(tmp_path):
    target = tmp_path / "table.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half written")
            raise RuntimeError("boom")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.csv"]


def test_write_csv_is_byte_deterministic(tmp_path):
    frame = pd.DataFrame({"a": [0.1 + 0.2, 1 / 3], "b": ["x", "y"]})
    first = write_csv(frame, tmp_path / "a.csv").read_bytes()
    second = write_csv(frame.copy(), tmp_path / "b.csv").read_bytes()
    assert first == second
    assert b"0.3333333333" in first
