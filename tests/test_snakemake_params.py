"""analysis.snakemake_params: Snakemake's params serializer without the pandas import gives the
values Snakemake's own gives, and a rerun with nothing to do no longer imports pandas."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
import snakemake
from snakemake.persistence import PersistenceBase

from analysis import config, snakemake_params


class _Records:
    """Just the serializers of Snakemake's persistence (they do not read its state)."""
    _serialize_param_builtin = PersistenceBase._serialize_param_builtin
    _serialize_param_pandas = PersistenceBase._serialize_param_pandas


def test_installed_for_the_pinned_snakemake():
    assert snakemake.__version__ == snakemake_params.SNAKEMAKE_VERSION, "the pin and analysis.snakemake_params disagree"


@pytest.mark.parametrize("value", [
    "reports", '{"lang": "fr", "seed": 20260113}', 3, 2.5, True, None, ["a", "b"], ("x", 1), {"k": [1, 2]},
    {1, 2}, b"bytes", range(3), object(), pd.DataFrame({"a": [1, 2]}), pd.Series([1.5, 2.5]), pd.Index(["x"]),
    pd.Timestamp("2026-01-01"), [pd.DataFrame({"a": [1]})],
], ids=lambda value: type(value).__name__)
def test_same_value_as_snakemakes_serializer_with_pandas(value):
    records = _Records()
    assert snakemake_params.serialize_param(records, value) == records._serialize_param_pandas(value)


_SERIALIZE_A_STRING = """
import sys
from analysis import snakemake_params
from snakemake.persistence.file import FilePersistence
installed = snakemake_params.install() if sys.argv[1] == "installed" else None
records = FilePersistence.__new__(FilePersistence)   # the serializer reads no state of it
assert records._serialize_param("reports/scenarios/x") == repr("reports/scenarios/x")
print(installed, "pandas" in sys.modules)
"""


@pytest.mark.parametrize("mode, expected", [("installed", "True False"), ("snakemake's own", "None True")])
def test_serializing_a_param_imports_pandas_only_without_the_replacement(mode, expected):
    result = subprocess.run([sys.executable, "-c", _SERIALIZE_A_STRING, mode], capture_output=True, text=True,
                            cwd=config.ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected.split()
