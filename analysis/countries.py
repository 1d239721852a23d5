"""Country and aggregate codes, harmonised, with English and French names.

The mapping is data (``data/mappings/countries.csv``). Every code met in a raw table must be in
it: an unknown code is an error naming the file, row and column.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
import pandera.pandas as pa

from analysis import config
from analysis.validation import DataValidationError, read_csv_validated

COUNTRIES_FILE = config.MAPPINGS / "countries.csv"

COUNTRIES_SCHEMA = pa.DataFrameSchema(
    {
        "code": pa.Column(str, pa.Check.str_matches(r"^[A-Z][A-Z0-9_]+$"), unique=True),
        "eurostat_code": pa.Column(str, pa.Check(lambda s: ~s.dropna().duplicated(keep=False),
                                                 element_wise=False, name="unique_when_present"),
                                   nullable=True),
        "name_en": pa.Column(str),
        "name_fr": pa.Column(str),
        "kind": pa.Column(str, pa.Check.isin(["country", "aggregate"])),
        "oecd_member": pa.Column(bool),
        "eu_member": pa.Column(bool),
    },
    strict=True,
)


@lru_cache(maxsize=1)
def countries() -> pd.DataFrame:
    """The mapping table, validated."""
    return read_csv_validated(COUNTRIES_FILE, COUNTRIES_SCHEMA, keep_default_na=False,
                              na_values={"eurostat_code": [""]})


def name_fr(code: str) -> str:
    table = countries().set_index("code")
    return table.at[code, "name_fr"]


def check_codes(frame: pd.DataFrame, column: str, source: str, code_column: str = "code",
                header_lines: int = 1) -> None:
    """Raise :class:`DataValidationError` for every value of ``frame[column]`` not in the mapping."""
    known = set(countries()[code_column].dropna())
    unknown = ~frame[column].isin(known)
    if unknown.any():
        raise DataValidationError(source, [
            {"line": int(i) + header_lines + 1, "column": column, "check": "unknown country code",
             "value": frame.at[i, column]}
            for i in frame.index[unknown]
        ])


def eurostat_to_iso3() -> dict[str, str]:
    table = countries().dropna(subset=["eurostat_code"])
    return dict(zip(table["eurostat_code"], table["code"]))
