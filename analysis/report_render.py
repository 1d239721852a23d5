"""Renderers of the report's document model: HTML (Jinja2), PDF (Typst) and Word (python-docx).

All three take the same :class:`analysis.report.Report`, so the three files say the same thing.
Every writer is atomic (analysis.io) and deterministic (no time stamps: the PDF's creation date is
fixed, the Word file's core properties too).
"""

from __future__ import annotations

import base64
import datetime as dt
import io as _io
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from analysis import config, i18n, palette
from analysis.io import atomic_path
from analysis.report_summary import Link

TEMPLATES = config.ROOT / "analysis" / "templates"
FIXED_TIME = dt.datetime(2026, 1, 13, tzinfo=dt.timezone.utc)  # the study's presentation date


def write(report, fmt: str, destination: Path) -> Path:
    if fmt == "html":
        return write_html(report, destination)
    if fmt == "pdf":
        return write_pdf(report, destination)
    if fmt == "docx":
        return write_docx(report, destination)
    if fmt == "xlsx":
        from analysis import report_workbook

        return report_workbook.write_workbook(report, destination)
    if fmt == "provenance":
        from analysis import report_provenance

        return report_provenance.write_annex(report, destination)
    raise ValueError(f"unknown format {fmt!r}")


def _names(report) -> dict:
    from analysis.report_files import OUTPUT_NAMES

    return OUTPUT_NAMES[report.lang]


def made_by(report, block) -> Markup:
    """"Made by notebook (output)", the notebook linked to its page in html/ (the audit trail)."""
    if not block.output:
        return Markup("")
    if block.notebook:
        notebook = Markup('<a href="html/{0}.html">notebooks/{0}.ipynb</a>').format(block.notebook)
    else:
        notebook = escape(f"rule {block.rule}")
    text = i18n.text("report.made_by", report.lang, notebook="\x00", output=block.output)
    before, _, after = text.partition("\x00")
    return escape(before) + notebook + escape(after)


# --- HTML ------------------------------------------------------------------------------------------

def _spans_html(spans) -> Markup:
    parts = []
    for span in spans:
        if isinstance(span, Link):
            parts.append(f'<a class="num" href="#{escape(span.anchor)}">{escape(span.text)}</a>')
        else:
            parts.append(str(escape(span)))
    return Markup("".join(parts))


PAGE_WIDTH_CM = 21 - 3.6   # A4 less the margins (PDF and Word)
MAX_FIGURE_HEIGHT_CM = 19   # a tall figure is narrowed so that it fits on a page with its caption


def figure_width_cm(figure) -> float:
    """Width of ``figure`` on an A4 page: the text width, narrowed for a tall figure."""
    from PIL import Image

    with Image.open(figure.image) as image:
        width, height = image.size
    return round(min(PAGE_WIDTH_CM, MAX_FIGURE_HEIGHT_CM * width / height), 2)


def _image_data(figure) -> str:
    return "data:image/png;base64," + base64.b64encode(figure.image.read_bytes()).decode("ascii")


def render_html(report) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    template = env.get_template("report.html.j2")
    colours = {"france": palette.FRANCE_COLOUR, "highlight": palette.HIGHLIGHT_COLOUR,
               "status": palette.STATUS_COLOURS}
    return template.render(r=report, t=report.t, spans=_spans_html, image=_image_data,
                           made_by=lambda b: made_by(report, b), names=_names(report), colours=colours)


def write_html(report, destination: Path) -> Path:
    html = render_html(report)
    with atomic_path(destination) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return Path(destination)


# --- PDF (Typst) -----------------------------------------------------------------------------------

def _ts(text: str) -> str:
    """A Typst string literal."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _spans_typst(spans) -> str:
    parts = []
    for span in spans:
        if isinstance(span, Link):
            anchor = "tab-claims" if span.anchor.startswith("claim-") else span.anchor
            parts.append(f"link(<{anchor}>, strong({_ts(span.text)}))")
        else:
            parts.append(_ts(span))
    return "{ " + "; ".join(parts) + " }" if parts else '""'


SHORT_TABLE_ROWS = 30


def _typst_table(table, lang: str) -> str:
    widths = ", ".join("1fr" if a == "l" else "auto" for a in table.align)
    aligns = ", ".join("left" if a == "l" else "right" for a in table.align)
    size = "6pt" if table.landscape or len(table.headers) > 8 else "7pt"
    cells = [f"table.header({', '.join('strong(' + _ts(h) + ')' for h in table.headers)})"]
    for i, row in enumerate(table.rows):
        for j, cell in enumerate(row):
            if table.status_column is not None and j == table.status_column and table.status_values:
                colour = palette.STATUS_COLOURS.get(table.status_values[i], "#999999")
                cells.append(f'table.cell(fill: rgb("{colour}").lighten(55%), {_ts(cell)})')
            else:
                cells.append(_ts(cell))
    body = (f"text(size: {size}, table(columns: ({widths},), align: ({aligns},), inset: 3pt, "
            f"stroke: (x, y) => (bottom: 0.4pt + luma(200), top: if y == 0 {{ 0.8pt }} else {{ none }}), "
            + ", ".join(cells) + "))")
    caption_bits = [_ts(table.caption)]
    extra = " ".join(x for x in (table.note, table.source, made_by_text(table, lang)) if x)
    if not table.number:
        return (f"#block(breakable: true)[#strong({_ts(table.caption)})\n#{body}\n"
                f"#text(size: 7pt, fill: luma(90), {_ts(extra)})]\n")
    figure = (f"figure({body}, kind: table, supplement: {_ts(i18n.text('report.table', lang))}, "
              f"caption: figure.caption(position: top, {{ {'; '.join(caption_bits)} }}))")
    source = f"text(size: 7pt, fill: luma(90), {_ts(extra)})"
    if len(table.rows) <= SHORT_TABLE_ROWS:  # a short table stays on one page with its caption and source
        return f"#block(breakable: false)[#{figure} <{table.anchor}>\n#{source}]\n"
    return f"#{figure} <{table.anchor}>\n#{source}\n"


def made_by_text(block, lang: str) -> str:
    if not block.output:
        return ""
    notebook = f"notebooks/{block.notebook}.ipynb" if block.notebook else f"rule {block.rule}"
    return i18n.text("report.made_by", lang, notebook=notebook, output=block.output)


def render_typst(report) -> tuple[str, dict[str, bytes]]:
    lang = report.lang
    files: dict[str, bytes] = {}
    out = [
        '#set page(paper: "a4", margin: (x: 1.8cm, y: 2cm), numbering: "1 / 1", '
        f'header: context {{ if counter(page).get().first() > 1 {{ text(size: 7pt, fill: luma(110), {_ts(report.title)}) }} }})',
        f'#set text(font: "Libertinus Serif", size: 10pt, lang: "{lang}")',
        "#set par(justify: true)",
        '#set heading(numbering: "1.")',
        f'#show heading.where(level: 1): it => {{ v(0.6em); text(fill: rgb("{palette.FRANCE_COLOUR}"), it) }}',
        "#show figure: set block(breakable: true)",
        '#show link: set text(fill: rgb("' + palette.FRANCE_COLOUR + '"))',
        f'#text(size: 20pt, weight: "bold", fill: rgb("{palette.FRANCE_COLOUR}"), {_ts(report.title)})',
        f"#v(0.3em)\n#text(size: 12pt, fill: luma(80), {_ts(report.subtitle)})\n#v(0.8em)",
        "#block(fill: luma(243), inset: 8pt, width: 100%)[" + "\n\n".join(f"#{_ts(line)}" for line in report.scenario_lines) + "]",
        f"#text(size: 8pt, fill: luma(90), {_ts(report.t('report.version', version=report.version))})",
        f"#outline(title: {_ts(report.t('report.toc'))}, depth: 1)",
        "#pagebreak()",
    ]
    for section in report.sections:
        if section.number > 1:
            out.append("#pagebreak(weak: true)")  # each part of the study starts on a new page
        out.append(f"#heading(level: 1, {_ts(section.title)}) <{section.anchor}>")
        for block in section.blocks:
            kind = type(block).__name__
            if kind == "Paragraph":
                body = _spans_typst(block.spans)
                if block.style == "bullet":
                    out.append(f"#list(par({body}))")
                elif block.style == "answer":
                    out.append(f'#block(fill: rgb("#fff8ec"), inset: 6pt, width: 100%, par({body}))')
                elif block.style == "lead":
                    out.append(f"#emph(par({body}))")
                else:
                    out.append(f"#par({body})")
            elif kind == "Figure":
                key = f"{block.name}.png"
                files[key] = block.image.read_bytes()
                extra = " ".join(x for x in (block.source, made_by_text(block, lang)) if x)
                out.append(f"#figure(image({_ts(key)}, width: {figure_width_cm(block)}cm), kind: image, "
                           f"supplement: {_ts(i18n.text('report.figure', lang))}, "
                           f"caption: {{ {_ts(block.caption)}; linebreak(); text(size: 7pt, fill: luma(90), {_ts(extra)}) }}) <{block.anchor}>")
            elif kind == "Table":
                out.append(_typst_table(block, lang))
    return "\n".join(out) + "\n", files


def write_pdf(report, destination: Path) -> Path:
    import typst

    import tempfile

    source, files = render_typst(report)
    # The Python binding reads only text sources from memory: images go to a temporary folder.
    with tempfile.TemporaryDirectory(prefix="report-typst-") as folder:
        folder = Path(folder)
        (folder / "main.typ").write_text(source, encoding="utf-8")
        for name, data in files.items():
            (folder / name).write_bytes(data)
        pdf = typst.compile(str(folder / "main.typ"), root=str(folder), format="pdf", timestamp=FIXED_TIME)
    with atomic_path(destination) as tmp:
        tmp.write_bytes(pdf)
    return Path(destination)


# --- Word (python-docx) ----------------------------------------------------------------------------

def write_docx(report, destination: Path) -> Path:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    lang = report.lang
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(1.8)
    section.top_margin = section.bottom_margin = Cm(2)
    styles = doc.styles
    styles["Normal"].font.name = "Calibri"
    styles["Normal"].font.size = Pt(10)
    blue = RGBColor.from_string(palette.FRANCE_COLOUR.lstrip("#"))
    props = doc.core_properties
    props.title, props.author, props.language = report.title, "edtech-procurement", lang
    props.created = props.modified = FIXED_TIME.replace(tzinfo=None)
    props.last_printed = FIXED_TIME.replace(tzinfo=None)
    props.revision = 1

    def add_spans(paragraph, spans):
        for span in spans:
            if isinstance(span, Link):
                run = paragraph.add_run(span.text)
                run.bold = True
                run.font.color.rgb = blue
            else:
                paragraph.add_run(span)

    def small(paragraph, size=7.5):
        for run in paragraph.runs:
            run.font.size = Pt(size)
            run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)

    title = doc.add_paragraph()
    run = title.add_run(report.title)
    run.bold, run.font.size, run.font.color.rgb = True, Pt(20), blue
    doc.add_paragraph(report.subtitle).runs[0].font.size = Pt(12)
    for line in report.scenario_lines:
        doc.add_paragraph(line).runs[0].italic = True
    small(doc.add_paragraph(report.t("report.version", version=report.version)))
    doc.add_heading(report.t("report.toc"), level=1)
    for s in report.sections:
        doc.add_paragraph(f"{s.number}. {s.title}")
    doc.add_page_break()

    for s in report.sections:
        if s.number > 1:
            doc.add_page_break()  # each part of the study starts on a new page
        doc.add_heading(f"{s.number}. {s.title}", level=1)
        for block in s.blocks:
            kind = type(block).__name__
            if kind == "Paragraph":
                p = doc.add_paragraph(style="List Bullet" if block.style == "bullet" else None)
                add_spans(p, block.spans)
                if block.style == "lead":
                    for r in p.runs:
                        r.italic = True
            elif kind == "Figure":
                doc.add_picture(str(block.image), width=Cm(figure_width_cm(block)))
                doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
                cap = doc.add_paragraph()
                r = cap.add_run(f"{report.t('report.figure')} {block.number}. ")
                r.bold, r.font.color.rgb = True, blue
                cap.add_run(block.caption)
                small(doc.add_paragraph(" ".join(x for x in (block.source, made_by_text(block, lang)) if x)))
            elif kind == "Table":
                cap = doc.add_paragraph()
                if block.number:
                    r = cap.add_run(f"{report.t('report.table')} {block.number}. ")
                    r.bold, r.font.color.rgb = True, blue
                cap.add_run(block.caption)
                size = Pt(6.5 if block.landscape or len(block.headers) > 8 else 7.5)
                table = doc.add_table(rows=1 + len(block.rows), cols=len(block.headers))
                table.style = "Table Grid"
                table.autofit = True
                for i, row_values in enumerate([block.headers] + block.rows):
                    cells = table.rows[i].cells
                    for j, value in enumerate(row_values):
                        paragraph = cells[j].paragraphs[0]
                        run = paragraph.add_run(value)
                        run.font.size = size
                        if i == 0:
                            run.bold = True
                            shading = OxmlElement("w:shd")
                            shading.set(qn("w:val"), "clear")
                            shading.set(qn("w:fill"), "EEF1F5")
                            cells[j]._tc.get_or_add_tcPr().append(shading)
                        if block.align[j] == "r":
                            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                        if i > 0 and block.status_column == j and block.status_values:
                            colour = palette.STATUS_COLOURS.get(block.status_values[i - 1], "#999999")
                            run.bold = True
                            run.font.color.rgb = RGBColor.from_string(colour.lstrip("#"))
                small(doc.add_paragraph(" ".join(x for x in (block.note, block.source, made_by_text(block, lang)) if x)))
    buffer = _io.BytesIO()
    doc.save(buffer)
    with atomic_path(destination) as tmp:
        tmp.write_bytes(_normalise_docx(buffer.getvalue()))
    return Path(destination)


def _normalise_docx(data: bytes) -> bytes:
    """Rewrite the .docx zip with fixed member dates, so the same report gives the same bytes
    (the workbook's normaliser: both are Office Open XML zips)."""
    from analysis.report_workbook import _normalise_zip

    return _normalise_zip(data)
