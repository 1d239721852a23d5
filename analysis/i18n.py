"""One translation table for the report, the notebooks and every figure label.

The study is French by default and English on request. Every piece of text a reader sees (report
narrative, captions, table headers, figure labels) is looked up here by a key, from the CSV files
of ``data/i18n/`` (columns ``key,fr,en``; one file per part, e.g. ``data/i18n/oecd.csv``; a key is
defined once across all files). Numbers are formatted for the language: ``1 234,5 M€`` in French,
``1,234.5 M€`` in English.

    >>> from analysis import i18n
    >>> i18n.number(1234.5, "fr", 1)
    '1\u202f234,5'
    >>> i18n.percent(12.94, "en")
    '12.9%'
"""

from __future__ import annotations

import csv
import functools
import math
import string
from pathlib import Path

from analysis import config

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
I18N_DIR = config.DATA / "i18n"

_THIN_NBSP = "\u202f"   # French thousands separator and space before % and units
_MINUS = "\u2212"


class TranslationError(KeyError):
    """A key is missing, defined twice, or lacks a language."""

    def __str__(self) -> str:  # KeyError quotes its message; we want it readable
        return str(self.args[0])


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} is not supported (allowed: {', '.join(LANGUAGES)})")
    return lang


@functools.lru_cache(maxsize=None)
def table(directory: str | None = None) -> dict[str, dict[str, str]]:
    """Every key of every ``data/i18n/*.csv`` file: ``{key: {"fr": ..., "en": ...}}``.

    Raises :class:`TranslationError` naming the file and line of a duplicate key or an empty cell
    (all problems at once).
    """
    folder = Path(directory) if directory else I18N_DIR
    entries: dict[str, dict[str, str]] = {}
    where: dict[str, str] = {}
    problems: list[str] = []
    for path in sorted(folder.glob("*.csv")):
        rel = path.relative_to(config.ROOT) if path.is_relative_to(config.ROOT) else path
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in ("key", *LANGUAGES) if c not in (reader.fieldnames or [])]
            if missing:
                problems.append(f"{rel}: header: missing column(s) {', '.join(missing)} (expected key,fr,en)")
                continue
            for line, row in enumerate(reader, start=2):
                key = (row.get("key") or "").strip()
                if not key:
                    problems.append(f"{rel}: row {line}: column 'key': empty key")
                    continue
                if key in entries:
                    problems.append(f"{rel}: row {line}: column 'key': {key!r} already defined in {where[key]}")
                    continue
                for lang in LANGUAGES:
                    if not (row.get(lang) or "").strip():
                        problems.append(f"{rel}: row {line}: column {lang!r}: empty text for key {key!r}")
                entries[key] = {lang: row.get(lang) or "" for lang in LANGUAGES}
                where[key] = f"{rel}, row {line}"
    if problems:
        raise TranslationError("\n".join(problems))
    return entries


def text(key: str, lang: str = DEFAULT_LANGUAGE, **values) -> str:
    """The text of ``key`` in ``lang``, with ``{name}`` fields filled from ``values``."""
    check_language(lang)
    entries = table()
    if key not in entries:
        raise TranslationError(f"translation key {key!r} is not defined in data/i18n/*.csv")
    template = entries[key][lang]
    if values:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        unknown = fields - set(values)
        if unknown:
            raise TranslationError(f"translation key {key!r} needs value(s) {sorted(unknown)}")
        return template.format(**values)
    return template


def has(key: str) -> bool:
    return key in table()


def number(value: float, lang: str = DEFAULT_LANGUAGE, decimals: int = 0) -> str:
    """A number for a reader: ``1 234,5`` (fr) or ``1,234.5`` (en); NaN gives an en dash."""
    check_language(lang)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    formatted = f"{abs(value):,.{decimals}f}"
    if lang == "fr":
        formatted = formatted.replace(",", _THIN_NBSP).replace(".", ",")
    sign = _MINUS if value < 0 and float(formatted.replace(_THIN_NBSP, "").replace(",", "").replace(".", "") or 0) != 0 else ""
    return sign + formatted


def percent(value: float, lang: str = DEFAULT_LANGUAGE, decimals: int = 1) -> str:
    """A percentage given in percent points: ``12,9 %`` (fr) or ``12.9%`` (en)."""
    body = number(value, lang, decimals)
    return body + (_THIN_NBSP + "%" if lang == "fr" else "%")


def money(value: float, lang: str = DEFAULT_LANGUAGE, decimals: int = 0, unit: str = "M€") -> str:
    """An amount already expressed in ``unit``: ``1 234,5 M€`` (fr) or ``€1,234.5M``-style ``1,234.5 M€`` (en)."""
    return number(value, lang, decimals) + _THIN_NBSP + unit


def yes_no(value: bool, lang: str = DEFAULT_LANGUAGE) -> str:
    return {"fr": ("oui", "non"), "en": ("yes", "no")}[check_language(lang)][0 if value else 1]
