"""Reproducible regeneration of a French study on the school EdTech market and public procurement.

One module per part of the study (the README describes each part and its method):

- :mod:`analysis.config`      every path, derived from the project root
- :mod:`analysis.io`          atomic writes of tables and figures, YAML/CSV reading
- :mod:`analysis.validation`  schema validation with errors naming file, row and column
- :mod:`analysis.provenance`  metadata sidecars of raw files (schema, checksum)
- :mod:`analysis.claims`      the claims ledger (every number on the slides, with a status)
- :mod:`analysis.countries`   country codes and French/English names
- :mod:`analysis.oecd`        OECD procurement comparisons and the Eurostat cross-check
- :mod:`analysis.download`    refresh of the OECD extract from the publisher's SDMX API
- :mod:`analysis.plotting`    the one visual style (palette, France's colour, language-aware ticks)
- :mod:`analysis.i18n`        the translation table and number formats (French by default, English)
- :mod:`analysis.report`      the study report (HTML, PDF, Word), workbook and provenance annex
"""

__version__ = "0.1.0"

import sys as _sys

# jsonschema imports the optional IRI grammar `rfc3987_syntax` whenever it is installed (a Jupyter
# dependency brings it in); building that grammar costs about 1.7 s in every process importing
# jsonschema. It serves only jsonschema's format checker, which no validation in this package
# uses (without a checker, "format" is an annotation), so processes of the package skip it.
_sys.modules.setdefault("rfc3987_syntax", None)
