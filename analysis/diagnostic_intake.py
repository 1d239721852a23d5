"""Spreadsheet intake of the self-diagnostic: an authority's inventory as CSV or Excel.

An authority keeps a spreadsheet of contracts, not a YAML file. :func:`load_spreadsheet` reads one
(``<id>.csv`` or ``<id>.xlsx``; the id is the file name), one row per contract or budget line, with
French headers and labels:

==========================  ===========================================================
column                      values
==========================  ===========================================================
Poste                       one of the method's 14 categories, by its French label
Montant (€)                 a positive amount; ``1 234,50``, ``1234.5`` and ``1 234 €`` all read
Fournisseur                 free text (may be empty)
Juridiction du fournisseur  UE / hors UE / inconnu (unknown stays unknown, never guessed)
Criticité (1 à 5)           1 to 5 (or the level's label: négligeable … vitale)
Fin du contrat              a date (JJ/MM/AAAA, AAAA-MM-JJ, MM/AAAA) or a year (AAAA)
Alternatives connues        aucune / quelques-unes / nombreuses
Commentaires                free text (optional column)
==========================  ===========================================================

CSV files may use ``;`` or ``,`` as separator and be encoded in UTF-8 (with or without BOM) or
Windows-1252; lines starting with ``#`` before the header may name the authority
(``# Collectivité : …``), its reference year (``# Année de référence : 2026``) and its nature
(``# Nature : réelle | synthétique | exemple``). In a workbook the lines are on the first sheet
(or the sheet ``Inventaire``) and those three fields on a sheet ``Collectivité``.

Every problem of the file is collected and reported at once in one :class:`IntakeError`, each with
its row (file line or sheet row), column, the value found and what is allowed; nothing is written.

:func:`write_template` writes the blank template (``.xlsx`` with a drop-down list on each coded
column, and the same as ``.csv``) and :func:`write_filled_example` the filled example.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import config
from analysis.diagnostic import (
    Authority, DiagnosticError, Method, _shown, aggregate_lines, check_stated_totals,  # noqa: F401
)

TEMPLATE_DIR = config.DATA / "diagnostic" / "modele"
SHEET_LINES = "Inventaire"
SHEET_AUTHORITY = "Collectivité"
SHEET_LISTS = "Listes"


@dataclass(frozen=True)
class Column:
    field: str
    header: str            # the header of the template
    aliases: tuple         # other accepted headers (compared without case, accents or punctuation)
    required: bool = True


COLUMNS = (
    Column("category", "Poste", ("poste", "poste de depense", "categorie", "type de depense")),
    Column("amount_eur", "Montant (€)", ("montant", "montant eur", "montant euros", "montant ttc", "montant ht")),
    Column("supplier", "Fournisseur", ("fournisseur", "prestataire", "editeur", "titulaire")),
    Column("jurisdiction", "Juridiction du fournisseur", ("juridiction", "juridiction du fournisseur", "zone",
                                                          "zone geographique", "origine du fournisseur")),
    Column("criticality", "Criticité (1 à 5)", ("criticite",)),
    Column("contract_end", "Fin du contrat", ("fin du contrat", "fin de contrat", "echeance", "date de fin",
                                              "echeance du contrat")),
    Column("alternatives", "Alternatives connues", ("alternatives", "alternatives connues", "alternatives europeennes")),
    Column("comment", "Commentaires", ("commentaire", "commentaires", "remarques", "observations"), required=False),
)
HEADERS = [c.header for c in COLUMNS]

#: Accepted labels of the coded columns (compared without case, accents, spaces or hyphens).
JURISDICTIONS = {"UE": "eu", "hors UE": "non_eu", "inconnu": "unknown"}
_JURISDICTION_ALIASES = {"ue": "eu", "union europeenne": "eu", "horsue": "non_eu", "nonue": "non_eu",
                         "inconnu": "unknown", "inconnue": "unknown"}
ALTERNATIVE_LABELS = {"aucune": "none", "quelques-unes": "some", "nombreuses": "many"}
NATURES = {"réelle": "real", "synthétique": "synthetic", "exemple": "example"}
_AUTHORITY_FIELDS = {"collectivite": "name_fr", "nom": "name_fr", "annee de reference": "reference_year",
                     "nature": "kind"}


class IntakeError(DiagnosticError):
    """Every problem of one spreadsheet: ``problems`` is a list of dicts with ``row``, ``column``,
    ``value`` and ``allowed`` (or ``message``)."""

    def __init__(self, file: str, problems: list[dict]):
        self.file, self.problems = file, problems
        super().__init__(format_report(file, problems))


def format_report(file: str, problems: list[dict]) -> str:
    lines = [f"{file}: {len(problems)} problem{'s' if len(problems) != 1 else ''} (the file was not used; "
             f"nothing was written):"]
    for p in problems:
        where = ", ".join(x for x in (f"row {p['row']}" if p.get("row") else "",
                                      f"column {p['column']!r}" if p.get("column") else "") if x)
        text = f"  {file}, {where}: " if where else f"  {file}: "
        if "value" in p:
            text += f"value {p['value']!r}: "
        text += p["message"]
        if p.get("allowed"):
            text += f"; allowed: {p['allowed']}"
        lines.append(text)
    return "\n".join(lines)


def _key(text) -> str:
    """Text compared without case, accents, punctuation or repeated spaces."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9]+", " ", text)).strip()


def _header_key(text) -> str:
    return _key(re.sub(r"\(.*?\)", " ", str(text)))


def _compact(text) -> str:
    return _key(text).replace(" ", "")


# --------------------------------------------------------------------------------------------
# Reading the cells: CSV (encodings, separators) and XLSX
# --------------------------------------------------------------------------------------------

def decode(data: bytes) -> tuple[str | None, str | None, str | None]:
    """``(text, encoding, error)``: UTF-8 (BOM or not), else Windows-1252; anything else is an error."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        return None, None, ("the file looks like UTF-16 (or is not text); save it as CSV UTF-8 "
                            "or CSV (Windows-1252)")
    try:
        return data.decode("utf-8-sig"), "utf-8", None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252", None
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        return None, None, (f"byte 0x{data[error.start]:02x} at line {line} is neither UTF-8 nor Windows-1252; "
                            "save the file as CSV UTF-8 or CSV (Windows-1252)")


def _csv_cells(path: Path) -> tuple[list[tuple[int, list]], dict, list[dict]]:
    """Rows ``(file line, cells)`` from the header on, the ``#`` fields, and problems."""
    text, _, error = decode(path.read_bytes())
    if error:
        return [], {}, [{"message": error, "allowed": "UTF-8 or Windows-1252 text"}]
    meta, rows, header_seen = {}, [], False
    lines = text.splitlines()
    body_start = 0
    for i, line in enumerate(lines):
        if not header_seen and (line.startswith("#") or not line.strip()):
            if ":" in line:
                name, value = line.lstrip("#").split(":", 1)
                if _key(name) in _AUTHORITY_FIELDS:
                    meta[_AUTHORITY_FIELDS[_key(name)]] = (value.strip().strip(";,").strip(), i + 1)
            continue
        body_start = i
        break
    else:
        return [], meta, [{"message": "no header row (the file holds no line to read)"}]
    header = lines[body_start]
    delimiter = ";" if header.count(";") >= header.count(",") else ","
    reader = csv.reader(io.StringIO("\n".join(lines[body_start:])), delimiter=delimiter)
    for offset, cells in enumerate(reader):
        rows.append((body_start + 1 + offset, cells))
    return rows, meta, []


def _xlsx_cells(path: Path) -> tuple[list[tuple[int, list]], dict, list[dict]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # not a workbook, corrupted zip
        return [], {}, [{"message": f"not a readable .xlsx workbook ({type(error).__name__}: {error})",
                         "allowed": "an Excel workbook (.xlsx)"}]
    sheet = book[SHEET_LINES] if SHEET_LINES in book.sheetnames else book.worksheets[0]
    rows = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if rows or any(v not in (None, "") for v in values):
            rows.append((number, ["" if v is None else v for v in values]))
    meta = {}
    if SHEET_AUTHORITY in book.sheetnames:
        for number, values in enumerate(book[SHEET_AUTHORITY].iter_rows(values_only=True), start=1):
            if values and values[0] is not None and _key(values[0]) in _AUTHORITY_FIELDS and len(values) > 1:
                meta[_AUTHORITY_FIELDS[_key(values[0])]] = ("" if values[1] is None else values[1], number)
    book.close()
    return rows, meta, []


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------

def parse_amount(value) -> float | None:
    """``1 234,50`` / ``1234.5`` / ``1.234,5`` / ``1 234 €`` -> float; None when not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.number)):
        return float(value)
    text = re.sub(r"[\s\u00a0\u202f€]|EUR", "", str(value), flags=re.I)
    if not re.fullmatch(r"[-+]?[\d.,]+", text or "x"):
        return None
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal == "," else ",", "").replace(",", ".")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    elif text.count(",") > 1 or text.count(".") > 1:
        parts = re.split(r"[.,]", text.lstrip("+-"))
        if not all(len(p) == 3 for p in parts[1:]):
            return None
        text = text.replace(",", "").replace(".", "")
    try:
        return float(text)
    except ValueError:
        return None


def parse_year(value) -> tuple[int | None, str | None]:
    """The year of a contract end: a date cell, ``JJ/MM/AAAA``, ``AAAA-MM-JJ``, ``MM/AAAA`` or ``AAAA``."""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.year, value.isoformat()[:10]
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer() \
            and 1900 <= value <= 2200:
        return int(value), str(int(value))
    text = str(value).strip()
    patterns = ((r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", lambda m: dt.date(int(m[3]), int(m[2]), int(m[1]))),
                (r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?", lambda m: dt.date(int(m[1]), int(m[2]), int(m[3]))),
                (r"(\d{1,2})/(\d{4})", lambda m: dt.date(int(m[2]), int(m[1]), 1)),
                (r"(\d{4})", lambda m: dt.date(int(m[1]), 1, 1)))
    for pattern, build in patterns:
        match = re.fullmatch(pattern, text)
        if match:
            try:
                return build(match).year, text
            except ValueError:
                return None, None
    return None, None


def _criticality(value, method: Method) -> int | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        return int(value) if int(value) in method.criticality_labels else None
    text = str(value).strip()
    match = re.match(r"^([1-5])(\s*[-–:]\s*.*)?$", text)
    if match:
        return int(match[1])
    labels = {_key(label): level for level, label in method.criticality_labels.items()}
    return labels.get(_key(text))


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --------------------------------------------------------------------------------------------
# The file
# --------------------------------------------------------------------------------------------

def read_lines(path: str | os.PathLike, method: Method) -> tuple[pd.DataFrame, dict]:
    """The checked lines of a spreadsheet (one row per line) and the authority's fields.

    Raises :class:`IntakeError` with every problem of the file."""
    path = config.resolve(path)
    shown = _shown(path)
    if path.suffix.lower() == ".xlsx":
        rows, meta, problems = _xlsx_cells(path)
    else:
        rows, meta, problems = _csv_cells(path)
    if problems:
        raise IntakeError(shown, problems)
    if not rows:
        raise IntakeError(shown, [{"message": "the file holds no header row", "allowed": ", ".join(HEADERS)}])
    header_row, header = rows[0]
    by_key = {}
    for c in COLUMNS:
        for alias in (c.header, *c.aliases):
            by_key[_header_key(alias)] = c
    positions, ignored = {}, []
    for index, title in enumerate(header):
        column = by_key.get(_header_key(title)) if not _blank(title) else None
        if column is None:
            if not _blank(title):
                ignored.append(str(title))
            continue
        if column.field in positions:
            problems.append({"row": header_row, "column": str(title), "message": f"a second column for "
                             f"{column.header!r} (first: {header[positions[column.field]]!r})",
                             "allowed": "one column per field"})
            continue
        positions[column.field] = index
    for c in COLUMNS:
        if c.required and c.field not in positions:
            problems.append({"row": header_row, "column": c.header, "message": "missing column",
                             "allowed": "the headers " + ", ".join(HEADERS[:-1]) + f" (and optionally {HEADERS[-1]})"})

    labels = {_key(label): cid for cid, label in zip(method.categories["id"], method.categories["label_fr"])}
    labels.update({_key(cid): cid for cid in method.category_ids})
    category_list = ", ".join(method.categories["label_fr"])
    reference_year, kind, name = _authority_fields(meta, path, method, problems)

    lines, seen = [], {}
    for number, cells in rows[1:]:
        def cell(fld):
            index = positions.get(fld)
            return cells[index] if index is not None and index < len(cells) else ""
        if all(_blank(v) for v in cells):
            continue
        line = {"row": number}

        def problem(fld, value, message, allowed=""):
            header_text = header[positions[fld]] if fld in positions else fld
            problems.append({"row": number, "column": str(header_text), "value": value, "message": message,
                             "allowed": allowed})

        if "category" in positions:
            value = cell("category")
            line["category"] = labels.get(_key(value))
            if line["category"] is None:
                problem("category", value, "empty" if _blank(value) else "not one of the 14 categories", category_list)
        if "amount_eur" in positions:
            value = cell("amount_eur")
            amount = None if _blank(value) else parse_amount(value)
            if amount is None:
                problem("amount_eur", value, "empty" if _blank(value) else "not a number",
                        "an amount in euros, e.g. 12 500 or 12 500,50")
            elif amount <= 0:
                problem("amount_eur", value, "the amount must be positive" if amount < 0 else "the amount is zero",
                        "an amount above 0 €")
            line["amount_eur"] = amount
        if "jurisdiction" in positions:
            value = cell("jurisdiction")
            line["zone"] = _JURISDICTION_ALIASES.get(_compact(value)) if not _blank(value) else None
            if line["zone"] is None:
                problem("jurisdiction", value, "empty (write inconnu if it is not known)" if _blank(value)
                        else "not a jurisdiction label", ", ".join(JURISDICTIONS))
        if "criticality" in positions:
            value = cell("criticality")
            line["criticality"] = None if _blank(value) else _criticality(value, method)
            if line["criticality"] is None:
                problem("criticality", value, "empty" if _blank(value) else "not a criticality level",
                        "1, 2, 3, 4 or 5 (" + ", ".join(f"{k} {v}" for k, v in method.criticality_labels.items()) + ")")
        if "contract_end" in positions:
            value = cell("contract_end")
            year, shown_date = (None, None) if _blank(value) else parse_year(value)
            if year is None:
                problem("contract_end", value, "empty" if _blank(value) else "not a date",
                        "a date JJ/MM/AAAA (or AAAA-MM-JJ, MM/AAAA, or the year AAAA)")
            elif reference_year is not None and year < reference_year:
                problem("contract_end", value, f"the contract ends in {year}, before the reference year "
                        f"{reference_year}", f"a date in {reference_year} or later (renewed contracts: the new end)")
            line["contract_end_year"], line["contract_end"] = year, shown_date
        if "alternatives" in positions:
            value = cell("alternatives")
            compact = {_compact(k): v for k, v in ALTERNATIVE_LABELS.items()} | {k: k for k in ALTERNATIVE_LABELS.values()}
            line["alternatives"] = None if _blank(value) else compact.get(_compact(value))
            if line["alternatives"] is None:
                problem("alternatives", value, "empty" if _blank(value) else "not an alternatives label",
                        ", ".join(ALTERNATIVE_LABELS))
        line["supplier"] = "" if _blank(cell("supplier")) else str(cell("supplier")).strip()
        line["comment"] = "" if _blank(cell("comment")) else str(cell("comment")).strip()
        signature = tuple(_key(v) if isinstance(v, str) else v for v in cells)
        if signature in seen:
            problems.append({"row": number, "column": "", "message": f"duplicate line: the same as row {seen[signature]} "
                             "in every column", "allowed": "each line once (add the amounts, or say in "
                             "Commentaires what tells them apart)"})
        else:
            seen[signature] = number
        lines.append(line)
    if not lines and not problems:
        problems.append({"row": header_row + 1, "message": "no line under the header",
                         "allowed": "one row per contract or budget line"})
    if problems:
        raise IntakeError(shown, problems)
    frame = pd.DataFrame(lines)
    frame["reference_year"] = reference_year
    frame["amount_source"] = [f"{path.name}, row {r}" for r in frame["row"]]
    fields = {"name_fr": name, "kind": kind, "reference_year": reference_year, "ignored_columns": ignored}
    return frame, fields


def _authority_fields(meta: dict, path: Path, method: Method, problems: list) -> tuple[int | None, str, str]:
    name = str(meta.get("name_fr", ("", 0))[0]).strip() or path.stem.replace("_", " ").capitalize()
    reference_year = method.default_reference_year
    if "reference_year" in meta:
        value, row = meta["reference_year"]
        year = parse_amount(value) if not _blank(value) else float(reference_year)
        if year is None or not float(year).is_integer() or not 2000 <= year <= 2100:
            problems.append({"row": row, "column": "Année de référence", "value": value, "message": "not a year",
                             "allowed": "a year from 2000 to 2100"})
            reference_year = None
        else:
            reference_year = int(year)
    kind = "real"
    if "kind" in meta and not _blank(meta["kind"][0]):
        value, row = meta["kind"]
        kind = {_key(k): v for k, v in NATURES.items()}.get(_key(value))
        if kind is None:
            problems.append({"row": row, "column": "Nature", "value": value, "message": "not a nature",
                             "allowed": ", ".join(NATURES)})
            kind = "real"
    return reference_year, kind, name


def load_spreadsheet(path: str | os.PathLike, method: Method) -> Authority:
    """An authority from its spreadsheet: lines checked, then aggregated to the method's categories."""
    path = config.resolve(path)
    lines, fields = read_lines(path, method)
    categories = aggregate_lines(lines, method)
    description = (f"Inventaire de {len(lines)} ligne{'s' if len(lines) != 1 else ''} ({path.name})"
                   + (f"; colonnes ignorées : {', '.join(fields['ignored_columns'])}" if fields["ignored_columns"] else ""))
    from analysis.diagnostic import authority_id_of

    authority_id = authority_id_of(path) or "collectivite"
    return Authority(id=authority_id, name_fr=fields["name_fr"], kind=fields["kind"], description=description,
                     reference_year=int(fields["reference_year"]), categories=categories, path=_shown(path),
                     sources={}, lines=lines, file_format=path.suffix.lower().lstrip("."))


# --------------------------------------------------------------------------------------------
# Template and filled example
# --------------------------------------------------------------------------------------------

def _label_of(method: Method, category: str) -> str:
    return method.label(category)


def example_lines(method: Method) -> tuple[list[list], dict]:
    """The lines of the filled example: the slides' example authority, one line per category and
    supplier jurisdiction, with the values of ``data/diagnostic/authorities/exemple_tie_break.yaml``
    (so that it gives the same indicators)."""
    from analysis import diagnostic

    authority = diagnostic.load_authority(diagnostic.AUTHORITIES_DIR / f"{diagnostic.EXAMPLE_AUTHORITY}.yaml", method)
    labels = {v: k for k, v in ALTERNATIVE_LABELS.items()}
    rows = []
    for r in authority.categories.itertuples():
        for zone, amount, supplier in (("UE", r.eu_eur, "Fournisseurs UE (exemple)"),
                                       ("hors UE", r.non_eu_eur, "Fournisseurs hors UE (exemple)")):
            if amount > 0:
                rows.append([r.label_fr, amount, supplier, zone, int(r.criticality), dt.date(int(r.contract_end_year), 12, 31),
                             labels[r.alternatives], "Ligne agrégée de l'exemple des diapositives (répartition : hypothèse)"])
    meta = {"Collectivité": authority.name_fr, "Année de référence": authority.reference_year, "Nature": "exemple"}
    return rows, meta


def _csv_text(rows: list[list], meta: dict, method: Method) -> str:
    out = io.StringIO()
    out.write(f"# Collectivité : {meta.get('Collectivité', '')}\n")
    out.write(f"# Année de référence : {meta.get('Année de référence', '')}\n")
    out.write(f"# Nature : {meta.get('Nature', 'réelle')}\n")
    out.write("# Une ligne par contrat ou ligne budgétaire. Poste : " + " | ".join(method.categories["label_fr"]) + "\n")
    out.write("# Juridiction du fournisseur : UE | hors UE | inconnu. Criticité : 1 à 5. "
              "Alternatives connues : aucune | quelques-unes | nombreuses. Fin du contrat : JJ/MM/AAAA.\n")
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(HEADERS)
    for row in rows:
        cells = list(row)
        cells[1] = f"{cells[1]:.2f}".replace(".", ",")
        cells[5] = cells[5].strftime("%d/%m/%Y") if isinstance(cells[5], dt.date) else cells[5]
        writer.writerow(cells)
    return out.getvalue()


def _workbook(rows: list[list], meta: dict, method: Method):
    import openpyxl
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET_LINES
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE5F0")
    for row in rows:
        sheet.append(row)
    widths = (30, 14, 30, 26, 17, 15, 22, 50)
    for letter, width in zip("ABCDEFGH", widths):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    last = 2000
    lists = book.create_sheet(SHEET_LISTS)
    columns = {"A": ("Poste", list(method.categories["label_fr"])), "B": ("Juridiction", list(JURISDICTIONS)),
               "C": ("Criticité", [str(k) for k in method.criticality_labels]),
               "D": ("Alternatives", list(ALTERNATIVE_LABELS))}
    for letter, (title, values) in columns.items():
        lists[f"{letter}1"] = title
        for i, value in enumerate(values, start=2):
            lists[f"{letter}{i}"] = int(value) if title == "Criticité" else value
    lists.sheet_state = "hidden"

    def choice(letter, target, title):
        count = len(columns[letter][1])
        validation = DataValidation(type="list", formula1=f"={SHEET_LISTS}!${letter}$2:${letter}${count + 1}",
                                    allow_blank=True, showErrorMessage=True, errorTitle=title,
                                    error="Choisissez une valeur de la liste.")
        validation.add(f"{target}2:{target}{last}")
        sheet.add_data_validation(validation)

    choice("A", "A", "Poste")
    choice("B", "D", "Juridiction du fournisseur")
    choice("C", "E", "Criticité")
    choice("D", "G", "Alternatives connues")
    amount = DataValidation(type="decimal", operator="greaterThan", formula1="0", showErrorMessage=True,
                            errorTitle="Montant", error="Un montant en euros, supérieur à 0.")
    amount.add(f"B2:B{last}")
    sheet.add_data_validation(amount)
    date = DataValidation(type="date", operator="greaterThan", formula1="36526", showErrorMessage=True,
                          errorTitle="Fin du contrat", error="Une date (JJ/MM/AAAA).")
    date.add(f"F2:F{last}")
    sheet.add_data_validation(date)
    for r in range(2, len(rows) + 2):
        sheet[f"F{r}"].number_format = "DD/MM/YYYY"
        sheet[f"B{r}"].number_format = "#,##0.00"
    about = book.create_sheet(SHEET_AUTHORITY, 1)
    about.append(["Champ", "Valeur", "Explication"])
    about.append(["Collectivité", meta.get("Collectivité", ""), "Nom de la collectivité (figure sur sa page)"])
    about.append(["Année de référence", meta.get("Année de référence", ""),
                  "Année à partir de laquelle les échéances sont comptées (vide : 2026)"])
    about.append(["Nature", meta.get("Nature", "réelle"), "réelle, synthétique ou exemple"])
    nature = DataValidation(type="list", formula1='"réelle,synthétique,exemple"', allow_blank=True)
    nature.add("B4")
    about.add_data_validation(nature)
    for letter, width in zip("ABC", (22, 40, 70)):
        about.column_dimensions[letter].width = width
    fixed = dt.datetime(2026, 1, 13)
    book.properties.creator = "analysis.diagnostic_intake"
    book.properties.created = fixed
    book.properties.modified = fixed
    return book


def write_template(folder: str | os.PathLike = TEMPLATE_DIR, method: Method | None = None) -> list[Path]:
    """The blank template: ``inventaire_modele.xlsx`` (drop-down lists) and ``inventaire_modele.csv``."""
    from analysis import diagnostic
    from analysis.io import atomic_path, write_text

    method = method or diagnostic.load_method()
    folder = config.resolve(folder)
    meta = {"Collectivité": "", "Année de référence": "", "Nature": "réelle"}
    with atomic_path(folder / "inventaire_modele.xlsx") as tmp:
        _workbook([], meta, method).save(tmp)
    write_text("\ufeff" + _csv_text([], meta, method), folder / "inventaire_modele.csv")
    return [folder / "inventaire_modele.xlsx", folder / "inventaire_modele.csv"]


def write_filled_example(folder: str | os.PathLike = TEMPLATE_DIR, method: Method | None = None) -> list[Path]:
    """The filled example (the slides' example authority as an inventory): ``.xlsx`` and ``.csv``."""
    from analysis import diagnostic
    from analysis.io import atomic_path, write_text

    method = method or diagnostic.load_method()
    folder = config.resolve(folder)
    rows, meta = example_lines(method)
    with atomic_path(folder / "inventaire_exemple.xlsx") as tmp:
        _workbook(rows, meta, method).save(tmp)
    write_text(_csv_text(rows, meta, method), folder / "inventaire_exemple.csv")
    return [folder / "inventaire_exemple.xlsx", folder / "inventaire_exemple.csv"]


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Write the self-diagnostic's spreadsheet template and filled example")
    parser.add_argument("folder", nargs="?", default=str(TEMPLATE_DIR.relative_to(config.ROOT)))
    args = parser.parse_args(argv)
    for path in write_template(args.folder) + write_filled_example(args.folder):
        print(_shown(path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


# --------------------------------------------------------------------------------------------
# Synthetic inventories (tests and benchmark)
# --------------------------------------------------------------------------------------------

def synthetic_lines(n_authorities: int, method: Method, seed: int = 20260113,
                    lines_per_authority: tuple[int, int] = (5, 40), reference_year: int = 2026) -> pd.DataFrame:
    """Seeded made-up inventories of ``n_authorities`` authorities (``synth_00000`` …), one row per
    line, in the form :func:`read_lines` returns (plus ``authority_id``)."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(lines_per_authority[0], lines_per_authority[1] + 1, n_authorities)
    total = int(counts.sum())
    authority = np.repeat(np.array([f"synth_{i:05d}" for i in range(n_authorities)], dtype=object), counts)
    row = np.concatenate([np.arange(2, c + 2) for c in counts])
    frame = pd.DataFrame({
        "authority_id": authority,
        "row": row,
        "category": rng.choice(np.array(method.category_ids, dtype=object), total),
        "amount_eur": np.round(rng.lognormal(10.0, 1.3, total), 2),
        "zone": rng.choice(np.array(["eu", "non_eu", "unknown"], dtype=object), total, p=[0.45, 0.5, 0.05]),
        "criticality": rng.integers(1, 6, total),
        "alternatives": rng.choice(np.array(list(ALTERNATIVE_LABELS.values()), dtype=object), total),
        "contract_end_year": reference_year + rng.integers(0, 7, total),
        "supplier": "", "comment": "",
    })
    frame["contract_end"] = frame["contract_end_year"].astype(str)
    frame["reference_year"] = reference_year
    frame["amount_source"] = "synthetic"
    return frame


def write_inventory_csv(lines: pd.DataFrame, path: str | os.PathLike, method: Method, name: str = "",
                        delimiter: str = ";", encoding: str = "utf-8", decimal: str = ",") -> Path:
    """Write lines (as :func:`read_lines` returns them) as an inventory CSV a person could have typed."""
    labels = dict(zip(method.categories["id"], method.categories["label_fr"]))
    zones = {v: k for k, v in JURISDICTIONS.items()}
    alternatives = {v: k for k, v in ALTERNATIVE_LABELS.items()}
    out = io.StringIO()
    if name:
        out.write(f"# Collectivité : {name}\n")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(HEADERS)
    for r in lines.itertuples():
        writer.writerow([labels[r.category], f"{r.amount_eur:.2f}".replace(".", decimal), r.supplier, zones[r.zone],
                         int(r.criticality), f"31/12/{int(r.contract_end_year)}", alternatives[r.alternatives], r.comment])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue().encode(encoding))
    return path
