"""The workflow's job priorities (Snakefile, STEP_PRIORITY) name rules that exist: a renamed rule
would otherwise lose its place in the schedule without a word."""

from __future__ import annotations

import ast
import re

from analysis import config


def _priorities() -> dict[str, int]:
    text = (config.ROOT / "Snakefile").read_text(encoding="utf-8")
    match = re.search(r"^STEP_PRIORITY = (\{.*?^\})", text, re.S | re.M)
    assert match, "STEP_PRIORITY not found in the Snakefile"
    return ast.literal_eval(match.group(1))


def test_every_prioritised_step_is_a_rule_of_the_workflow():
    sources = [config.ROOT / "Snakefile", *sorted((config.ROOT / "workflow" / "rules").glob("*.smk"))]
    rules = {name for path in sources for name in re.findall(r"^rule (\w+):", path.read_text(encoding="utf-8"), re.M)}
    assert set(_priorities()) - rules == set()


def test_the_market_sizing_starts_before_the_notebooks_that_read_it():
    priority = _priorities()
    assert priority["market_notebook"] > max(priority["sensitivity_notebook"], priority["variants_notebook"])
