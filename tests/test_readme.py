"""The README stays true to the package: every figure and table the workflow declares is in its
table of outputs, every notebook parameter in its table of parameters, every scenario listed."""

from __future__ import annotations

import re

import pytest
import yaml

from analysis import config

README = (config.ROOT / "README.md").read_text(encoding="utf-8")
RULES = "".join(p.read_text(encoding="utf-8") for p in sorted((config.ROOT / "workflow" / "rules").glob("*.smk")))
RULES += (config.ROOT / "Snakefile").read_text(encoding="utf-8")


def _declared_outputs() -> list[str]:
    """figures/… and tables/… paths the rules declare (relative to the output root)."""
    return sorted(set(re.findall(r"\{OUT\}/((?:figures|tables)/[\w.-]+\.(?:png|csv))", RULES)))


def test_the_rules_declare_outputs():
    assert len(_declared_outputs()) > 20


@pytest.mark.parametrize("output", _declared_outputs())
def test_every_declared_figure_and_table_is_in_the_readme(output):
    assert f"`{output}`" in README, f"README's table of figures and tables lacks {output}"


def _parameters() -> list[tuple[str, str, object]]:
    rows = []
    for path in sorted((config.CONFIG / "parameters").glob("*.yaml")):
        for name, value in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            if name != "output_dir":
                rows.append((path.stem, name, value))
    return rows


@pytest.mark.parametrize("notebook, name, value", _parameters(), ids=lambda x: str(x))
def test_every_notebook_parameter_and_its_default_is_in_the_readme(notebook, name, value):
    shown = "{}" if value == {} else str(value)
    row = re.search(rf"^\|[^|\n]*\| `{re.escape(name)}` \| {re.escape(shown)} \|", README, flags=re.M)
    assert row, f"README's table of parameters lacks {notebook}:{name} = {shown}"
    assert f"`{notebook}`" in README


@pytest.mark.parametrize("path", sorted((config.CONFIG / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_scenario_is_listed_in_the_readme(path):
    assert f"| `{path.stem}` |" in README
