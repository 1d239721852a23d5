"""Which rule and notebook made each figure and table: read from the workflow's rule files.

The report names outputs by file name; this module finds, in ``workflow/rules/*.smk`` and the
``Snakefile``, the rule that declares ``{OUT}/figures/NAME.png`` or ``{OUT}/tables/NAME.csv`` and the
notebook that rule executes. Reading the rule files (rather than a copy of their lists) keeps the
report right when a part renames or adds an output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from analysis import config

RULE = re.compile(r"^rule\s+(\w+)\s*:", re.M)
NOTEBOOK = re.compile(r'notebook\s*=\s*"notebooks/([\w.-]+)\.ipynb"')
OUTPUT = re.compile(r"\{OUT\}/((figures|tables)/([\w.-]+)\.(png|csv))")
LEDGER = re.compile(r"\{OUT\}/(claims\.csv)")


@dataclass(frozen=True)
class Output:
    name: str        # file name without extension
    kind: str        # "figure" or "table"
    path: str        # relative to the output root, e.g. "figures/x.png"
    rule: str
    notebook: str    # e.g. "01_oecd_procurement"
    rule_file: str   # e.g. "workflow/rules/oecd.smk"


def rule_files(root: Path = config.ROOT) -> list[Path]:
    return sorted((root / "workflow" / "rules").glob("*.smk")) + [root / "Snakefile"]


def declared_outputs(root: Path = config.ROOT) -> dict[tuple[str, str], Output]:
    """``{(kind, name): Output}`` for every figure and table the rules declare as outputs."""
    found: dict[tuple[str, str], Output] = {}
    for path in rule_files(root):
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        starts = [(m.start(), m.group(1)) for m in RULE.finditer(text)] + [(len(text), None)]
        for (start, rule), (end, _) in zip(starts, starts[1:]):
            block = text[start:end]
            output_at = block.find("output:")
            if output_at < 0:
                continue
            notebook = NOTEBOOK.search(block)
            # outputs are declared after `output:` and before the next section (params/log/shell)
            tail = re.split(r"\n\s+(params|log|shell|run|script|benchmark|resources|threads|message)\s*:", block[output_at:])[0]
            for match in OUTPUT.finditer(tail):
                kind = "figure" if match.group(2) == "figures" else "table"
                found[(kind, match.group(3))] = Output(match.group(3), kind, match.group(1), rule,
                                                       notebook.group(1) if notebook else "",
                                                       str(path.relative_to(root)))
            for match in LEDGER.finditer(tail):
                found[("table", "claims")] = Output("claims", "table", "claims.csv", rule,
                                                    notebook.group(1) if notebook else "",
                                                    str(path.relative_to(root)))
    return found
