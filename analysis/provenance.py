"""Metadata sidecars of raw data files: schema, checksum, and the table schema each file obeys.

Every file ``data/raw/<folder>/<name>`` has a sidecar ``<name>.meta.yaml`` beside it, validated
against ``data/raw/metadata.schema.json`` (JSON Schema). The sidecar records where the file comes
from (publisher, edition, URL and download query, date accessed, licence), its SHA-256 and size,
and for values typed from a document, the document, its location and the transcription notes.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import os
from pathlib import Path

from analysis import config
from analysis.io import read_yaml

SIDECAR_SUFFIX = ".meta.yaml"


class ProvenanceError(ValueError):
    """A raw file and its metadata disagree, or the metadata is malformed."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sidecar_of(raw_file: Path) -> Path:
    return raw_file.with_name(raw_file.name + SIDECAR_SUFFIX)


def raw_files(raw_dir: Path = config.RAW) -> list[Path]:
    """Every raw data file (not sidecars, not READMEs, not the metadata schema)."""
    return sorted(
        p for p in raw_dir.rglob("*")
        if p.is_file() and not p.name.endswith(SIDECAR_SUFFIX)
        and p.name not in {"README.md", config.RAW_METADATA_SCHEMA.name} and not p.name.startswith(".")
    )


@functools.lru_cache(maxsize=4)
def _metadata_validator(schema_text: str):
    """What :func:`jsonschema.validate` builds for each call (the schema checked against its
    meta-schema, then a validator), built once per process and schema text."""
    import jsonschema  # imported on use: the manifest command needs none of it

    schema = json.loads(schema_text)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def load_metadata(raw_file: Path) -> dict:
    """Read and schema-check the sidecar of ``raw_file``."""
    sidecar = sidecar_of(raw_file)
    if not sidecar.exists():
        raise ProvenanceError(f"{raw_file}: no metadata sidecar {sidecar.name} beside it")
    metadata = read_yaml(sidecar)
    from jsonschema.exceptions import best_match

    error = best_match(_metadata_validator(
        config.RAW_METADATA_SCHEMA.read_text(encoding="utf-8")).iter_errors(metadata))
    if error is not None:  # the error jsonschema.validate would raise
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise ProvenanceError(f"{sidecar}: field {where}: {error.message}")
    if metadata["file"] != raw_file.name:
        raise ProvenanceError(f"{sidecar}: field file is {metadata['file']!r}, expected {raw_file.name!r}")
    return metadata


def verify(raw_file: Path, metadata: dict | None = None) -> dict:
    """Check ``raw_file`` against its sidecar (schema, size, SHA-256); return the metadata
    (``metadata``: the sidecar as :func:`load_metadata` returned it, not read again)."""
    metadata = load_metadata(raw_file) if metadata is None else metadata
    size = raw_file.stat().st_size
    if size != metadata["size_bytes"]:
        raise ProvenanceError(f"{raw_file}: size {size} bytes, metadata says {metadata['size_bytes']}")
    digest = sha256_of(raw_file)
    if digest != metadata["sha256"]:
        raise ProvenanceError(f"{raw_file}: SHA-256 {digest}, metadata says {metadata['sha256']}")
    return metadata


def table_schema(metadata: dict):
    """The pandera schema named by the sidecar's ``table_schema`` (``module:attribute``)."""
    module_name, attribute = metadata["table_schema"].split(":")
    return getattr(importlib.import_module(module_name), attribute)


def refresh_checksum(raw_file: Path, metadata: dict) -> dict:
    """Return ``metadata`` with size and SHA-256 of ``raw_file`` (used by the downloader)."""
    updated = dict(metadata)
    updated["sha256"] = sha256_of(raw_file)
    updated["size_bytes"] = raw_file.stat().st_size
    return updated


def check(raw_file: Path) -> dict:
    """Full check of one raw file: its table schema first (errors name row and column), then its
    sidecar (schema, size, SHA-256). Used by the workflow before any step reads the file."""
    from analysis.validation import read_csv_validated

    metadata = load_metadata(raw_file)
    read_csv_validated(raw_file, table_schema(metadata))
    return verify(raw_file, metadata)


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m analysis.provenance",
                                     description="Check raw files against their schema and metadata sidecar "
                                                 "(check), or write an output folder's manifest (manifest)")
    parser.add_argument("command", choices=["check", "manifest"])
    parser.add_argument("files", nargs="+", help="check: raw files; manifest: the output folder's result files")
    parser.add_argument("--output-root", help="manifest: the output folder (reports/ or reports/scenarios/NAME/)")
    args = parser.parse_args(argv)
    if args.command == "manifest":
        if not args.output_root:
            parser.error("manifest needs --output-root")
        print(write_manifest(args.output_root, args.files))
        return
    from analysis.validation import DataValidationError  # imported on use: the manifest needs no pandas

    for name in args.files:
        try:
            metadata = check(Path(name))
        except (DataValidationError, ProvenanceError) as error:
            raise SystemExit(f"error: {error}") from None
        print(f"ok {name} (sha256 {metadata['sha256'][:12]}…, {metadata['kind']})")


MANIFEST_NAME = "manifest.sha256"
#: What the manifest covers: the tables, claim values, ledger and figures of an output folder
#: (executed notebooks and HTML pages carry run times; logs are not results).
MANIFEST_SUFFIXES = (".csv", ".png")


def write_manifest(output_root: str | os.PathLike, paths) -> Path:
    """Write ``<output_root>/manifest.sha256``: one ``<sha256>  <path relative to output_root>``
    line per result file among ``paths`` (tables, claim values and figures), sorted, in the
    format of ``sha256sum`` so that ``cd <output_root> && sha256sum -c manifest.sha256`` checks it.
    The same inputs give the same manifest, byte for byte."""
    from analysis.io import write_text

    root = Path(output_root)
    lines = []
    for path in sorted({Path(p) for p in paths}):
        if path.suffix in MANIFEST_SUFFIXES and path.is_file():
            lines.append(f"{sha256_of(path)}  {path.relative_to(root).as_posix()}")
    return write_text("\n".join(lines) + "\n", root / MANIFEST_NAME)


def check_manifest(output_root: str | os.PathLike) -> list[str]:
    """Every file of the manifest whose content no longer matches it (missing or changed)."""
    root = Path(output_root)
    problems = []
    for line in (root / MANIFEST_NAME).read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        path = root / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif sha256_of(path) != digest:
            problems.append(f"{name}: changed since the manifest was written")
    return problems


if __name__ == "__main__":
    main()
