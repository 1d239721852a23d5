"""Refresh the OECD procurement extract and the Eurostat COFOG extract from the publishers' APIs.

    python -m analysis.download oecd              # download, validate, replace data/raw/oecd/... and its sidecar
    python -m analysis.download oecd --dry-run    # download and validate only
    python -m analysis.download eurostat          # COFOG with D632: replace data/raw/eurostat/gov_10a_exp.csv

The Eurostat query asks ``gov_10a_exp`` for P2, P51G, D632 and TE by COFOG function: with D632
(social transfers in kind purchased from market producers) the OECD's definition of procurement
(P2 + P51G + D632) can be rebuilt by function. The SDMX-CSV response is converted to the committed
extract's long layout (freq, unit, sector, cofog99, na_item, geo, time, values) and validated with
its schema before anything is written.

The live query is the yearly-update dataflow of the same indicators
(``OECD.GOV.GIP,DSD_GOV@DF_GOV_PPROC_YU,1.0``). The response is parsed and validated with the same
schema as the committed extract *before* anything is written; the new file and its updated sidecar
(URL, dataflow, date accessed, SHA-256, size) are then moved into place atomically. Offline, the
command fails with a clear message and the committed extract keeps serving the pipeline.

Parsing is separated from fetching (:func:`parse_sdmx_csv`) so that it is tested on a fixture cut
from the committed extract, never on the network.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.io import atomic_path, write_yaml
from analysis.oecd import COFOG_RAW, COFOG_RAW_SCHEMA, OECD_PERCENT_SCHEMA, OECD_RAW, OECD_RAW_SCHEMA, PERCENT_UNITS
from analysis.provenance import load_metadata, refresh_checksum
from analysis.validation import validate

OECD_LIVE_DATAFLOW = "OECD.GOV.GIP,DSD_GOV@DF_GOV_PPROC_YU,1.0"
OECD_LIVE_URL = (f"https://sdmx.oecd.org/public/rest/data/{OECD_LIVE_DATAFLOW}/all"
                 "?dimensionAtObservation=AllDimensions&format=csvfilewithlabels")
TIMEOUT_SECONDS = 60

EUROSTAT_DATASET = "gov_10a_exp"
EUROSTAT_URL = ("https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/gov_10a_exp/"
                "A.MIO_EUR.S13.TOTAL+GF01+GF02+GF03+GF04+GF05+GF06+GF07+GF08+GF09+GF10.P2+P51G+D632+TE."
                "?format=SDMX-CSV")
#: SDMX-CSV column -> column of the committed extract.
EUROSTAT_COLUMNS = {"freq": "freq", "unit": "unit", "sector": "sector", "cofog99": "cofog99",
                    "na_item": "na_item", "geo": "geo", "TIME_PERIOD": "time", "OBS_VALUE": "values"}


class DownloadError(RuntimeError):
    """The publisher could not be reached or answered with something unusable."""


def fetch(url: str, timeout: float = TIMEOUT_SECONDS) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "edtech-procurement/0.1 (research package)",
                                                   "Accept": "text/csv"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise DownloadError(f"could not download {url}: {error}. The committed extract "
                            f"{OECD_RAW.relative_to(config.ROOT)} is unchanged and still used.") from None


def parse_sdmx_csv(content: bytes, source: str = "OECD SDMX response") -> pd.DataFrame:
    """Parse an SDMX 'csvfilewithlabels' response and validate it like the committed extract.

    Raises :class:`analysis.validation.DataValidationError` naming the row and column of any
    problem (missing column, wrong type, unknown country code, percentage outside 0-100).
    """
    try:
        frame = pd.read_csv(io.BytesIO(content), dtype={"OBS_STATUS": "string"})
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise DownloadError(f"{source}: not a CSV file ({error})") from None
    validated = validate(frame, OECD_RAW_SCHEMA, source)
    validate(validated[validated["UNIT_MEASURE"].isin(PERCENT_UNITS)], OECD_PERCENT_SCHEMA, source)
    return validated


def refresh_oecd(destination: Path = OECD_RAW, url: str = OECD_LIVE_URL, dry_run: bool = False,
                 today: dt.date | None = None, content: bytes | None = None) -> dict:
    """Download, validate, then atomically replace the extract and its sidecar. Returns the metadata."""
    content = fetch(url) if content is None else content
    parsed = parse_sdmx_csv(content, source=url)
    metadata = load_metadata(destination)
    if dry_run:
        return {"rows": len(parsed), **metadata}
    with atomic_path(destination) as tmp:
        tmp.write_bytes(content)
        updated = refresh_checksum(tmp, metadata)
        updated.update({
            "url_download": url,
            "dataset_id": OECD_LIVE_DATAFLOW,
            "date_accessed": (today or dt.date.today()).isoformat(),
            "edition": f"yearly update, downloaded {(today or dt.date.today()).isoformat()}",
        })
    # the data file is in place: now its sidecar (written atomically too)
    write_yaml(updated, destination.with_name(destination.name + ".meta.yaml"))
    return updated


def parse_eurostat_sdmx_csv(content: bytes, source: str = "Eurostat SDMX-CSV response") -> pd.DataFrame:
    """Convert Eurostat's SDMX-CSV (DATAFLOW, LAST UPDATE, freq, ..., TIME_PERIOD, OBS_VALUE,
    OBS_FLAG) to the extract's long layout, keep the codes the schema knows, and validate it."""
    try:
        frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise DownloadError(f"{source}: not a CSV file ({error})") from None
    missing = [c for c in EUROSTAT_COLUMNS if c not in frame.columns]
    if missing:
        raise DownloadError(f"{source}: missing SDMX-CSV column(s) {', '.join(missing)}")
    long = frame[list(EUROSTAT_COLUMNS)].rename(columns=EUROSTAT_COLUMNS)
    known = set(COFOG_RAW_SCHEMA.columns["geo"].checks[0].statistics["allowed_values"])
    long = long[long["geo"].isin(known)].sort_values(["cofog99", "na_item", "geo", "time"]).reset_index(drop=True)
    validate(long, COFOG_RAW_SCHEMA, source)
    return long


def refresh_eurostat(destination: Path = COFOG_RAW, url: str = EUROSTAT_URL, dry_run: bool = False,
                     today: dt.date | None = None, content: bytes | None = None) -> dict:
    """Download COFOG with D632, convert, validate, then atomically replace the extract and its sidecar."""
    content = fetch(url) if content is None else content
    long = parse_eurostat_sdmx_csv(content, source=url)
    metadata = load_metadata(destination)
    if dry_run:
        return {"rows": len(long), "d632_rows": int((long["na_item"] == "D632").sum()), **metadata}
    data = long.to_csv(index=False, lineterminator="\n").encode("utf-8")
    with atomic_path(destination) as tmp:
        tmp.write_bytes(data)
        updated = refresh_checksum(tmp, metadata)
        day = (today or dt.date.today()).isoformat()
        updated.update({"url_download": url, "dataset_id": EUROSTAT_DATASET, "date_accessed": day,
                        "edition": f"Eurostat {EUROSTAT_DATASET}, downloaded {day} (P2, P51G, D632, TE)",
                        "notes": ("Long CSV (freq, unit, sector, cofog99, na_item, geo, time, values) converted "
                                  "from Eurostat's SDMX-CSV by analysis.download (columns renamed, rows of codes "
                                  "outside data/mappings/countries.csv dropped, sorted); transactions P2, P51G, "
                                  "D632 and TE, so the OECD's procurement P2 + P51G + D632 can be rebuilt by function.")})
    write_yaml(updated, destination.with_name(destination.name + ".meta.yaml"))
    return updated


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m analysis.download", description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", choices=["oecd", "eurostat"])
    parser.add_argument("--url", default=None)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    refresh, url, target = {"oecd": (refresh_oecd, OECD_LIVE_URL, OECD_RAW),
                            "eurostat": (refresh_eurostat, EUROSTAT_URL, COFOG_RAW)}[args.dataset]
    try:
        metadata = refresh(url=args.url or url, dry_run=args.dry_run)
    except DownloadError as error:
        raise SystemExit(f"error: {error}") from None
    print(f"{'validated' if args.dry_run else 'refreshed'} {target.relative_to(config.ROOT)}: "
          f"sha256 {metadata['sha256']}")


if __name__ == "__main__":
    main()
