"""The provenance annex for auditors, from the workflow's own records.

Snakemake keeps one record per output in ``.snakemake/metadata/`` (file name: the output path in
base64): the rule, its inputs and their checksums, its parameters, the shell command, start and end
times. This module groups the records of the outputs under an output root by job and writes them as
one offline HTML page (``annexe_provenance.html``), with the SHA-256 of every output as it is now
and the package's code version. Nothing is fetched from the network.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from pathlib import Path

from markupsafe import escape

from analysis import config, i18n
from analysis.io import atomic_path
from analysis.provenance import sha256_of

METADATA = config.ROOT / ".snakemake" / "metadata"


def records(metadata_dir: Path = METADATA) -> dict[str, dict]:
    """``{output path (relative to the root): record}`` for every readable Snakemake record."""
    found = {}
    if not metadata_dir.is_dir():
        return found
    for path in sorted(p for p in metadata_dir.rglob("*") if p.is_file()):
        encoded = "".join(path.relative_to(metadata_dir).parts)  # long names are split into folders
        try:
            name = base64.urlsafe_b64decode(encoded.encode("ascii")).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        try:
            found[name] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
    return found


def jobs(root: Path, metadata_dir: Path | None = None) -> list[dict]:
    """The jobs that made the outputs under ``root``, from ``metadata_dir`` (default: METADATA)."""
    return _jobs(root, metadata_dir or METADATA)


def _jobs(root: Path, metadata_dir: Path) -> list[dict]:
    """The jobs that made the outputs under ``root`` (and data/processed), in the order they ran."""
    try:
        prefix = str(Path(root).resolve().relative_to(config.ROOT)) + "/"
    except ValueError:
        prefix = str(root) + "/"
    grouped: dict[tuple, dict] = {}
    for output, record in records(metadata_dir).items():
        if not (output.startswith(prefix) or output.startswith("data/processed/")):
            continue
        if output.startswith(prefix + "scenarios/") and not prefix.startswith("reports/scenarios/"):
            continue
        # one job writes several outputs, each with its own record: group them by what ran
        key = (record.get("rule"), record.get("shellcmd") or record.get("code"), tuple(sorted(record.get("input") or [])))
        job = grouped.setdefault(key, {"rule": record.get("rule"), "record": record, "outputs": []})
        path = config.ROOT / output
        job["outputs"].append((output, sha256_of(path) if path.is_file() else None))
    for job in grouped.values():
        job["record"] = dict(job["record"])
    return sorted(grouped.values(), key=lambda j: (j["record"].get("starttime") or 0, j["rule"] or ""))


def _time(seconds) -> str:
    if seconds is None:
        return "–"
    return dt.datetime.fromtimestamp(float(seconds), dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def write_annex(report, destination: Path) -> Path:
    lang = report.lang
    t = report.t
    items = jobs(report.root)
    rows = []
    for number, job in enumerate(items, start=1):
        record = job["record"]
        start, end = record.get("starttime"), record.get("endtime")
        duration = i18n.number(float(end) - float(start), lang, 1) + " s" if start and end else "–"
        params = record.get("params") or []
        param_text = "; ".join(str(p) for p in params) if isinstance(params, list) else json.dumps(params, ensure_ascii=False)
        inputs = "".join(f"<li><code>{escape(name)}</code> <span class='h'>{escape(str(checksum)[:19])}</span></li>"
                         for name, checksum in sorted((record.get("input_checksums") or {}).items()))
        if not inputs:
            inputs = "".join(f"<li><code>{escape(name)}</code></li>" for name in record.get("input") or [])
        outputs = "".join(f"<li><code>{escape(name)}</code> <span class='h'>sha256:{escape((digest or '–')[:16])}</span></li>"
                          for name, digest in sorted(job["outputs"]))
        rows.append(
            f"<tr id='job-{number}'><td>{number}</td><td><strong>{escape(job['rule'] or '–')}</strong><br>"
            f"<span class='h'>{escape(t('report.prov.start'))} {escape(_time(start))}<br>{escape(t('report.prov.duration'))} {escape(duration)}</span></td>"
            f"<td><ul>{outputs}</ul></td><td><details><summary>{len(record.get('input') or [])}</summary><ul>{inputs}</ul></details></td>"
            f"<td><code class='p'>{escape(param_text or '–')}</code></td>"
            f"<td><code class='p'>{escape(record.get('shellcmd') or record.get('code') or '–')}</code></td></tr>")
    body = "\n".join(rows) if rows else f"<tr><td colspan='6'>{escape(t('report.prov.none'))}</td></tr>"
    headers = "".join(f"<th>{escape(t('report.prov.col.' + c))}</th>" for c in ("n", "rule", "outputs", "inputs", "params", "command"))
    html = f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{escape(t('report.prov.title'))}</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; font-size: 13px; margin: 1.5rem; color: #1d232b; }}
h1 {{ font-size: 1.5rem; color: #0072B2; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #dde; padding: .3rem .4rem; vertical-align: top; text-align: left; }}
th {{ background: #eef1f5; }}
ul {{ margin: 0; padding-left: 1rem; }}
code {{ font-size: 11px; overflow-wrap: anywhere; }}
code.p {{ display: block; max-width: 28rem; white-space: pre-wrap; }}
.h {{ color: #667; font-size: 11px; }}
</style></head><body>
<h1>{escape(t('report.prov.title'))}</h1>
<p>{escape(t('report.prov.intro'))}</p>
<p>{escape(t('report.version', version=report.version))} · {escape(report.scenario_lines[0])}</p>
<p><a href="{escape(destination_back(report))}">{escape(t('report.prov.back'))}</a></p>
<table><thead><tr>{headers}</tr></thead><tbody>
{body}
</tbody></table>
</body></html>
"""
    with atomic_path(destination) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return Path(destination)


def destination_back(report) -> str:
    from analysis.report_files import OUTPUT_NAMES

    return OUTPUT_NAMES[report.lang]["html"]
