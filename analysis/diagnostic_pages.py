"""A self-contained HTML page per authority, and a summary page comparing all authorities.

Each page works offline: no script, no external style sheet or font, figures embedded as base64 PNG.
An authority's page shows its indicators, its two figures, its priorities (with the reason for each
class) beside its quick wins, the method in one paragraph, its own source line and the data it was
given (a spreadsheet's lines as read, or a YAML file's values with their sources). The summary
page compares every authority and links to their pages.

    python -m analysis.diagnostic_pages page data/private/authorities/ville.xlsx --out reports/diagnostic/ville.html
    python -m analysis.diagnostic_pages pages data/diagnostic/authorities/*.yaml --out-dir reports/diagnostic
    python -m analysis.diagnostic_pages summary data/diagnostic/authorities/*.yaml --out-dir reports/diagnostic

Nothing is printed about an authority's rows (its file may be private): only the paths written.
"""

from __future__ import annotations

import base64
import html
import io
import os
from pathlib import Path

import pandas as pd

from analysis import diagnostic, diagnostic_figures, i18n
from analysis.diagnostic import Authority, Method

MAX_AUTHORITIES_IN_FIGURE = 40

STYLE = """
body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:1180px;margin:2em auto;padding:0 1em;color:#1a1a1a;line-height:1.45}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:2px solid #1f3f99;padding-bottom:.2em}
table{border-collapse:collapse;margin:.6em 0;font-size:.86em}th,td{border:1px solid #c8ccd4;padding:.25em .5em;vertical-align:top}
th{background:#eef1f6;text-align:left}td.n{text-align:right;white-space:nowrap}
.cards{display:flex;flex-wrap:wrap;gap:.8em}.card{border:1px solid #c8ccd4;border-radius:6px;padding:.6em 1em;min-width:180px}
.card b{display:block;font-size:1.35em}.source{font-size:.85em;color:#444;font-style:italic}
img{max-width:100%;height:auto;border:1px solid #eee;margin:.5em 0}.p1{background:#f6d5d8}.quick{background:#dff2e6}
footer{margin-top:2em;font-size:.8em;color:#666}
"""


def _t(key, lang, **fields):
    return i18n.text(f"diagnostic.{key}", lang, **fields)


def png_base64(fig, dpi: int = 110) -> str:
    """The figure as a base64 PNG (:func:`figure_png`)."""
    return base64.b64encode(figure_png(fig, dpi)).decode("ascii")


def _img(fig, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{png_base64(fig)}">'


def _table(frame: pd.DataFrame, numeric: set[str] = frozenset(), row_classes: list[str] | None = None) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for i, row in enumerate(frame.itertuples(index=False)):
        cls = f' class="{row_classes[i]}"' if row_classes and row_classes[i] else ""
        cells = "".join(f'<td class="n">{html.escape(str(v))}</td>' if c in numeric else f"<td>{html.escape(str(v))}</td>"
                        for c, v in zip(frame.columns, row))
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def reasons(diagnosis: pd.DataFrame, method: Method, lang: str = "fr") -> list[str]:
    """Why each category has its class: the computation of its risk, capacity and priority, and,
    for a quick win or spend of unknown jurisdiction, what that changes."""
    out = []
    for r in diagnosis.itertuples():
        alternatives = _t(f"alternatives.{r.alternatives}", lang)
        text = _t("reason.priority", lang, risk=i18n.number(r.risk_score, lang, 2),
                  non_eu=i18n.percent(100 * r.non_eu_share, lang, 0), crit=r.criticality,
                  capacity=i18n.number(r.capacity, lang, 2), alternatives=alternatives, end=r.contract_end_year,
                  score=i18n.number(r.priority_score, lang, 2), label=r.priority_label)
        if r.quick_win:
            text += " ; " + _t("reason.quick", lang, risk=i18n.number(r.risk_score, lang, 2),
                               alternatives=alternatives, end=r.contract_end_year)
        if r.unknown_share > 0:
            text += " ; " + _t("reason.unknown", lang, share=i18n.percent(100 * r.unknown_share, lang, 0),
                               risk=i18n.number(r.risk_if_unknown_non_eu, lang, 2))
        out.append(text)
    return out


def priorities_table(diagnosis: pd.DataFrame, method: Method, lang: str = "fr") -> pd.DataFrame:
    """The ranked priorities, formatted for reading, with the reason for each class."""
    d = diagnosis.sort_values("priority_rank")
    return pd.DataFrame({
        _t("col.priority_rank", lang): d["priority_rank"].to_numpy(),
        _t("col.label_fr", lang): d["label_fr"].to_numpy(),
        _t("col.amount_eur", lang): [diagnostic_figures.eur(v, lang) for v in d["amount_eur"]],
        _t("col.non_eu_share", lang): [i18n.percent(100 * v, lang, 0) for v in d["non_eu_share"]],
        _t("col.criticality", lang): d["criticality"].to_numpy(),
        _t("col.risk_score", lang): [i18n.number(v, lang, 2) for v in d["risk_score"]],
        _t("col.capacity", lang): [i18n.number(v, lang, 2) for v in d["capacity"]],
        _t("col.priority_score", lang): [i18n.number(v, lang, 2) for v in d["priority_score"]],
        _t("col.priority_label", lang): d["priority_label"].to_numpy(),
        _t("col.reason", lang): reasons(d, method, lang),
    })


def quick_wins_table(diagnosis: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """The quick wins (high risk, strong capacity to act), ranked by risk × capacity."""
    d = diagnosis[diagnosis["quick_win"]].sort_values("quick_win_rank")
    return pd.DataFrame({
        _t("col.quick_win_rank", lang): d["quick_win_rank"].to_numpy(),
        _t("col.label_fr", lang): d["label_fr"].to_numpy(),
        _t("col.amount_eur", lang): [diagnostic_figures.eur(v, lang) for v in d["amount_eur"]],
        _t("col.risk_score", lang): [i18n.number(v, lang, 2) for v in d["risk_score"]],
        _t("col.capacity", lang): [i18n.number(v, lang, 2) for v in d["capacity"]],
        _t("col.alternatives", lang): [_t(f"alternatives.{a}", lang) for a in d["alternatives"]],
        _t("col.contract_end_year", lang): d["contract_end_year"].to_numpy(),
        _t("col.quick_win_score", lang): [i18n.number(v, lang, 2) for v in d["quick_win_score"]],
        _t("col.priority_rank", lang): d["priority_rank"].to_numpy(),
    })


def data_given_table(authority: Authority, method: Method, lang: str = "fr") -> pd.DataFrame:
    """The data the authority gave: a spreadsheet's lines as read, or a YAML file's values and sources."""
    if authority.lines is not None:
        lines = authority.lines
        labels = dict(zip(method.categories["id"], method.categories["label_fr"]))
        return pd.DataFrame({
            _t("col.row", lang): lines["row"].to_numpy(),
            _t("col.label_fr", lang): lines["category"].map(labels).to_numpy(),
            _t("col.amount_eur", lang): [i18n.number(v, lang, 2) for v in lines["amount_eur"]],
            _t("col.supplier", lang): lines["supplier"].to_numpy(),
            _t("col.zone", lang): [_t(f"zone_short.{z}", lang) for z in lines["zone"]],
            _t("col.criticality", lang): lines["criticality"].to_numpy(),
            _t("col.contract_end", lang): lines["contract_end"].to_numpy(),
            _t("col.alternatives", lang): [_t(f"alternatives.{a}", lang) for a in lines["alternatives"]],
            _t("col.comment", lang): lines["comment"].to_numpy(),
        })
    table = diagnostic.inputs_table(authority)
    return pd.DataFrame({
        _t("col.label_fr", lang): table["label_fr"],
        _t("col.amount_eur", lang): [i18n.number(v, lang, 0) for v in table["amount_eur"]],
        _t("col.eu_share", lang): [i18n.percent(100 * e / a, lang, 0) for e, a in zip(table["eu_eur"], table["amount_eur"])],
        _t("col.criticality", lang): table["criticality"],
        _t("col.alternatives", lang): [_t(f"alternatives.{a}", lang) for a in table["alternatives"]],
        _t("col.contract_end_year", lang): table["contract_end_year"],
        "Sources": [_sources_cell(row) for row in zip(
            table["amount_source"], table["eu_share_source"], table["criticality_source"], table["alternatives_source"],
            table["contract_end_year_source"])],
    })


def _sources_cell(sources: tuple[str, ...]) -> str:
    """The sources of a category's five values (amount | EU share | criticality | alternatives |
    contract end), or the one source once when the five are the same."""
    return sources[0] if len(set(sources)) == 1 else " | ".join(sources)


def _page(title: str, body: str, lang: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title)}</title>'
            f"<style>{STYLE}</style></head><body>{body}<footer>{html.escape(_t('page.generated', lang))}</footer>"
            "</body></html>\n")


def authority_content(authority: Authority, method: Method, lang: str = "fr",
                      diagnosis: pd.DataFrame | None = None) -> dict:
    """What an authority's page and PDF show: indicator cards, the two figures, the ranked
    priorities, the quick wins, the method and the data it was given (one source for both)."""
    diagnosis = diagnostic.diagnose(authority, method) if diagnosis is None else diagnosis
    totals = diagnostic.dependency_totals(diagnosis)
    summary = diagnostic.summary_frame([authority], diagnosis, method).iloc[0]
    source = diagnostic.source_line(authority, lang)
    cards = [(_t("page.total", lang), diagnostic_figures.eur(totals["total_eur"], lang),
              f"{totals['n_categories']} postes" if lang == "fr" else f"{totals['n_categories']} categories"),
             (_t("page.eu", lang), diagnostic_figures.eur(totals["eu_eur"], lang), i18n.percent(100 * totals["eu_share"], lang, 1)),
             (_t("page.non_eu", lang), diagnostic_figures.eur(totals["non_eu_eur"], lang),
              i18n.percent(100 * totals["non_eu_share"], lang, 1)),
             (_t("page.unknown", lang), diagnostic_figures.eur(totals["unknown_eur"], lang),
              i18n.percent(100 * totals["unknown_share"], lang, 1)),
             (_t("page.critical", lang, level=method.critical_from), diagnostic_figures.eur(summary["critical_non_eu_eur"], lang),
              "")]
    ranked = diagnosis.sort_values("priority_rank")
    file = Path(authority.path).name or authority.id
    return {
        "title": _t("page.title", lang, name=authority.name_fr),
        "description": authority.description, "source": source, "cards": cards,
        "summary_fr": summary["summary_fr"] if lang == "fr" else "",
        "figures": [("split", lambda: diagnostic_figures.spending_split_figure(
                        diagnosis, authority.name_fr, diagnostic.split_note(authority, lang), source, lang=lang)),
                    ("matrix", lambda: diagnostic_figures.priority_matrix_figure(
                        diagnosis, authority.name_fr, method, source, lang=lang))],
        "priorities": priorities_table(diagnosis, method, lang),
        "priority_rows": ["p1" if c == method.priority_classes[-1]["id"] else ("quick" if q else "")
                          for c, q in zip(ranked["priority_class"], ranked["quick_win"])],
        "quick": quick_wins_table(diagnosis, lang),
        "quick_text": _t("page.quick_text", lang, risk=i18n.number(method.quick_win["min_risk"], lang, 1),
                         capacity=i18n.number(method.quick_win["min_capacity"], lang, 1)),
        "method_text": _t("page.method_text", lang, w_alt=i18n.number(method.weights["alternatives"], lang, 1),
                          w_hor=i18n.number(method.weights["contract_horizon"], lang, 1)),
        "data_text": (_t("page.data_lines", lang, n=len(authority.lines), file=file) if authority.lines is not None
                      else _t("page.data_categories", lang, file=file)),
        "given": data_given_table(authority, method, lang),
    }


#: Resolution of the figures of an authority's page, on screen (HTML, shown at the page's width) and
#: in its PDF: each figure is drawn once and the same PNG goes into both.
PAGE_FIGURE_DPI = 150


def figure_png(fig, dpi: int = PAGE_FIGURE_DPI) -> bytes:
    """The figure as PNG bytes (no timestamp in its metadata, so the same figure gives the same bytes)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def _content_and_figures(authority: Authority, method: Method, lang: str,
                         diagnosis: pd.DataFrame | None) -> tuple[dict, dict[str, bytes]]:
    content = authority_content(authority, method, lang, diagnosis)
    return content, {name: figure_png(make()) for name, make in content["figures"]}


def authority_page(authority: Authority, method: Method, lang: str = "fr", summary_href: str = "index.html",
                   diagnosis: pd.DataFrame | None = None) -> str:
    """The authority's page (HTML, self-contained)."""
    return _page_html(authority, *_content_and_figures(authority, method, lang, diagnosis), lang, summary_href)


def authority_page_and_pdf(authority: Authority, method: Method, lang: str = "fr", summary_href: str = "index.html",
                           diagnosis: pd.DataFrame | None = None) -> tuple[str, bytes]:
    """The authority's HTML page and its PDF (:func:`authority_page`, :func:`authority_pdf`), from one
    computation of its content and one drawing of each figure."""
    content, pngs = _content_and_figures(authority, method, lang, diagnosis)
    return _page_html(authority, content, pngs, lang, summary_href), _page_pdf(content, pngs, lang)


def _page_html(authority: Authority, c: dict, pngs: dict[str, bytes], lang: str, summary_href: str) -> str:
    cards_html = "".join(f'<div class="card">{html.escape(a)}<b>{html.escape(b)}</b>{html.escape(x)}</div>'
                         for a, b, x in c["cards"])
    pdf_href = f"{authority.id}.pdf"
    images = (f'<img alt="{html.escape(name)}" src="data:image/png;base64,{base64.b64encode(pngs[name]).decode("ascii")}">'
              for name, _ in c["figures"])
    body = [f"<p><a href=\"{html.escape(summary_href)}\">← {html.escape(_t('page.back', lang))}</a> · "
            f"<a href=\"{html.escape(pdf_href)}\">{html.escape(_t('page.pdf', lang))}</a></p>",
            f"<h1>{html.escape(c['title'])}</h1>",
            f"<p>{html.escape(c['description'])}</p>",
            f"<p class=\"source\">{html.escape(c['source'])}</p>",
            f"<h2>{html.escape(_t('page.indicators', lang))}</h2><div class=\"cards\">{cards_html}</div>",
            f"<p>{html.escape(c['summary_fr'])}</p>" if c["summary_fr"] else "",
            f"<h2>{html.escape(_t('page.figures', lang))}</h2>",
            *images,
            f"<h2>{html.escape(_t('page.priorities', lang))}</h2><p>{html.escape(_t('page.priorities_text', lang))}</p>",
            _table(c["priorities"], row_classes=c["priority_rows"]),
            f"<h2>{html.escape(_t('page.quick', lang))}</h2><p>" + html.escape(c["quick_text"]) + "</p>",
            _table(c["quick"]) if len(c["quick"]) else f"<p>{html.escape(_t('page.no_quick', lang))}</p>",
            f"<h2>{html.escape(_t('page.method', lang))}</h2><p>" + html.escape(c["method_text"]) + "</p>",
            f"<h2>{html.escape(_t('page.data', lang))}</h2><p>{html.escape(c['data_text'])}</p>", _table(c["given"])]
    return _page(c["title"], "\n".join(body), lang)


def _typst_table(frame: pd.DataFrame) -> str:
    from analysis.report_render import _ts

    cells = [f"table.header({', '.join('strong(' + _ts(h) + ')' for h in frame.columns)})"]
    cells += [_ts(v) for row in frame.itertuples(index=False) for v in row]
    # a column of long text (the reasons) takes the free width; the others their content's
    widths = ", ".join("1fr" if frame[c].astype(str).str.len().max() > 40 else "auto" for c in frame.columns)
    return (f"#text(size: 7pt, table(columns: ({widths},), inset: 3pt, "
            "stroke: (x, y) => (bottom: 0.4pt + luma(200)), " + ", ".join(cells) + "))\n")


def authority_pdf(authority: Authority, method: Method, lang: str = "fr",
                  diagnosis: pd.DataFrame | None = None) -> bytes:
    """The authority's page as an A4 PDF, typeset with Typst like the study's report (same content
    as its HTML page, from :func:`authority_content`)."""
    return _page_pdf(*_content_and_figures(authority, method, lang, diagnosis), lang)


def _page_pdf(c: dict, pngs: dict[str, bytes], lang: str) -> bytes:
    import tempfile

    import typst

    from analysis import plotting
    from analysis.report_render import FIXED_TIME, _ts

    out = ['#set page(paper: "a4", margin: (x: 1.6cm, y: 1.8cm), numbering: "1 / 1")',
           f'#set text(font: "Libertinus Serif", size: 10pt, lang: "{lang}")',
           f'#text(size: 17pt, weight: "bold", fill: rgb("{plotting.FRANCE_COLOUR}"), {_ts(c["title"])})',
           f"#par({_ts(c['description'])})", f"#text(size: 8pt, fill: luma(90), {_ts(c['source'])})",
           f"#heading(level: 2, {_ts(_t('page.indicators', lang))})",
           "#table(columns: 3, inset: 4pt, stroke: none, "
           + ", ".join(f"{_ts(a)}, strong({_ts(b)}), {_ts(x)}" for a, b, x in c["cards"]) + ")"]
    if c["summary_fr"]:
        out.append(f"#par({_ts(c['summary_fr'])})")
    files = {}
    out.append(f"#heading(level: 2, {_ts(_t('page.figures', lang))})")
    for name, _ in c["figures"]:
        files[f"{name}.png"] = pngs[name]
        out.append(f"#image({_ts(name + '.png')}, width: 100%)")
    out += [f"#heading(level: 2, {_ts(_t('page.priorities', lang))})", f"#par({_ts(_t('page.priorities_text', lang))})",
            _typst_table(c["priorities"]), f"#heading(level: 2, {_ts(_t('page.quick', lang))})",
            f"#par({_ts(c['quick_text'])})",
            _typst_table(c["quick"]) if len(c["quick"]) else f"#par({_ts(_t('page.no_quick', lang))})",
            f"#heading(level: 2, {_ts(_t('page.method', lang))})", f"#par({_ts(c['method_text'])})",
            f"#heading(level: 2, {_ts(_t('page.data', lang))})", f"#par({_ts(c['data_text'])})",
            _typst_table(c["given"])]
    with tempfile.TemporaryDirectory(prefix="authority-typst-") as folder:
        folder = Path(folder)
        (folder / "main.typ").write_text("\n".join(out) + "\n", encoding="utf-8")
        for name, data in files.items():
            (folder / name).write_bytes(data)
        return typst.compile(str(folder / "main.typ"), root=str(folder), format="pdf", timestamp=FIXED_TIME)


def summary_page(authorities: list[Authority], tidy: pd.DataFrame, summary: pd.DataFrame, method: Method,
                 lang: str = "fr", href=lambda authority_id: f"{authority_id}.html") -> str:
    """The page comparing every authority (HTML, self-contained), with a link to each page."""
    source = i18n.text("diagnostic.source.batch", lang, n=len(summary))
    shown = summary
    if len(summary) > MAX_AUTHORITIES_IN_FIGURE:   # a readable figure: the largest non-EU spend first
        keep = summary.nlargest(MAX_AUTHORITIES_IN_FIGURE, "non_eu_eur").index
        shown = summary.loc[sorted(keep)]
        source = _t("page.figure_subset", lang, n=MAX_AUTHORITIES_IN_FIGURE) + " " + source
    figure = diagnostic_figures.batch_summary_figure(shown, tidy[tidy["authority_id"].isin(shown["authority_id"])],
                                                     method, source, lang=lang)
    labels = dict(zip(method.categories["id"], method.categories["label_fr"]))
    rows = []
    for r in summary.itertuples():
        rows.append({
            _t("col.name_fr", lang): r.name_fr,
            _t("col.total_eur", lang): diagnostic_figures.eur(r.total_eur, lang),
            _t("col.eu_share", lang): i18n.percent(100 * r.eu_share, lang, 1),
            _t("col.non_eu_share", lang): i18n.percent(100 * r.non_eu_share, lang, 1),
            _t("col.unknown_share", lang): i18n.percent(100 * r.unknown_share, lang, 1),
            _t("col.n_p1", lang): getattr(r, f"n_{method.priority_classes[-1]['id']}"),
            _t("col.priority_1", lang): labels.get(r.priority_1, ""),
            _t("col.n_quick_wins", lang): r.n_quick_wins,
            _t("col.first_quick_win", lang): labels.get(r.first_quick_win, ""),
        })
    table = _table(pd.DataFrame(rows))
    links = "".join(f'<li><a href="{html.escape(href(a.id))}">{html.escape(a.name_fr)}</a></li>' for a in authorities)
    body = [f"<h1>{html.escape(_t('page.summary_title', lang, n=len(summary)))}</h1>",
            f"<p class=\"source\">{html.escape(source)}</p>", _img(figure, "batch"), table,
            f"<h2>{html.escape(_t('page.authorities', lang))}</h2><ul>{links}</ul>",
            f"<h2>{html.escape(_t('page.method', lang))}</h2><p>"
            + html.escape(_t("page.method_text", lang, w_alt=i18n.number(method.weights["alternatives"], lang, 1),
                             w_hor=i18n.number(method.weights["contract_horizon"], lang, 1))) + "</p>"]
    return _page(_t("page.summary_title", lang, n=len(summary)), "\n".join(body), lang)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    from analysis.io import write_csv, write_text
    from analysis.plotting import set_style

    parser = argparse.ArgumentParser(description="HTML pages of the self-diagnostic")
    sub = parser.add_subparsers(dest="command", required=True)
    page = sub.add_parser("page", help="the page of one authority")
    page.add_argument("file")
    page.add_argument("--out", required=True)
    page.add_argument("--pdf", help="also write the page as an A4 PDF here")
    pages = sub.add_parser("pages", help="the pages (HTML and PDF) of several authorities, in one process: "
                                         "every file is checked before any page is written")
    pages.add_argument("files", nargs="+", help="authority files")
    pages.add_argument("--out-dir", required=True, help="writes <id>.html and <id>.pdf for each authority")
    summary = sub.add_parser("summary", help="the summary page and the batch tables of several authorities")
    summary.add_argument("files", nargs="+", help="authority files or folders of them")
    summary.add_argument("--out-dir", required=True)
    for p in (page, pages, summary):
        p.add_argument("--method", default=str(diagnostic.METHOD_FILE.relative_to(diagnostic.config.ROOT)))
        p.add_argument("--lang", default="fr", choices=i18n.LANGUAGES)
    args = parser.parse_args(argv)
    set_style()
    try:
        method = diagnostic.load_method(args.method)
        if args.command == "page":
            authority = diagnostic.load_authority(args.file, method)
            if args.pdf:
                from analysis.io import atomic_path

                page_html, page_pdf = authority_page_and_pdf(authority, method, args.lang)
                write_text(page_html, args.out)
                with atomic_path(args.pdf) as tmp:
                    tmp.write_bytes(page_pdf)
            else:
                write_text(authority_page(authority, method, args.lang), args.out)
            print(args.out)
            return 0
        if args.command == "pages":
            authorities, errors = diagnostic.check_files([diagnostic.config.resolve(f) for f in args.files], method)
            if errors:
                raise diagnostic.DiagnosticError("\n\n".join(errors))
            from analysis.io import atomic_path

            out = Path(args.out_dir)
            for authority in authorities:
                page_html, page_pdf = authority_page_and_pdf(authority, method, args.lang)
                write_text(page_html, out / f"{authority.id}.html")
                with atomic_path(out / f"{authority.id}.pdf") as tmp:
                    tmp.write_bytes(page_pdf)
                print(os.fspath(out / f"{authority.id}.html"))
            return 0
        files = []
        for given in args.files:
            path = diagnostic.config.resolve(given)
            if path.is_dir():
                files += diagnostic.authority_files(path)
            elif path.suffix:          # a file (a folder that does not exist holds no authority)
                files.append(path)
        authorities, errors = diagnostic.check_files(files, method)
        if errors:
            raise diagnostic.DiagnosticError("\n".join(errors))
    except diagnostic.DiagnosticError as error:
        # the file is checked before anything is written: the previous page (or summary) stays
        print(f"{error}\n\nnothing was written", file=sys.stderr)
        return 1
    tidy, table = diagnostic.batch(authorities, method)
    out = Path(args.out_dir)
    write_csv(tidy, out / "summary_categories.csv")
    write_csv(table, out / "summary_authorities.csv")
    write_text(summary_page(authorities, tidy, table, method, args.lang), out / "index.html")
    print(os.fspath(out / "index.html"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
