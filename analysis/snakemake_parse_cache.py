"""Snakemake's translation of a Snakefile into Python, made once per file in a sweep (installed by
``workflow/sweep.smk``).

A sweep imports the study's Snakefile once per scenario as a Snakemake module
(``workflow.module`` and ``use rule * from ...``), and Snakemake translates the Snakefile and each
file it includes (``snakemake.parser.parse``, a tokenizer written in Python) again for every
module: for the 100-scenario sweep, 900 translations of the same nine files, about a sixth of its
dry run. The translation depends only on the file's text, on ``overwrite_shellcmd`` and on the
number of rules defined before it (``rulecount``): the parser writes that count into one place
only, the name of the function of a rule written without a name (``rule:`` with a ``name:``
directive, as the Snakefile's ``reuse_baseline_*`` rules in a loop), ``def __rule_<count>(``. This
module keeps each translation by (file, digest of its text, ``overwrite_shellcmd``) and gives it
back, with its line map, when the same text is translated again. At another ``rulecount`` it
translates once more and compares: the same code (every rule named) is then given back at any
count; code that differs only in those function names is given back renumbered from then on;
anything else is translated at every count, as Snakemake does.
``tests/test_snakemake_parse_cache.py`` compares the cache with Snakemake's own translations.

Installed only for the pinned Snakemake whose ``parse`` signature and use in ``Workflow.include``
it relies on; with another version nothing is changed.
"""

from __future__ import annotations

import hashlib
import re

#: The Snakemake version this cache was written against and checked with.
SNAKEMAKE_VERSION = "9.27.1"


def renumbered(code: str, rules: int, old_count: int, new_count: int) -> str:
    """``code`` translated at rule count ``old_count``, with the functions of its unnamed rules
    (``def __rule_<n>(`` for ``old_count < n <= old_count + rules``) named as at ``new_count``."""
    def rename(match):
        number = int(match.group(1))
        if old_count < number <= old_count + rules:
            number += new_count - old_count
        return f"def __rule_{number}("
    return _UNNAMED_RULE_FUNCTION.sub(rename, code)


_UNNAMED_RULE_FUNCTION = re.compile(r"def __rule_(\d+)\(")


class ParseCache:
    """``parse(path, workflow, linemap, overwrite_shellcmd=None, rulecount=0)`` as Snakemake's, with
    translations kept (see the module docstring). ``hits`` and ``translations`` count the calls
    answered from the cache and the translations made."""

    def __init__(self, original):
        self.original = original
        self.entries: dict[tuple, dict] = {}
        self.hits = 0
        self.translations = 0

    def _translate(self, path, workflow, overwrite_shellcmd, rulecount):
        linemap: dict[int, int] = {}
        code, count = self.original(path, workflow, linemap, overwrite_shellcmd=overwrite_shellcmd,
                                    rulecount=rulecount)
        self.translations += 1
        return code, count - rulecount, linemap

    def __call__(self, path, workflow, linemap, overwrite_shellcmd=None, rulecount=0):
        from snakemake.parser import Shell

        with workflow.sourcecache.open(path) as handle:
            text = handle.read()
        digest = hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()
        key = (path.get_path_or_uri(secret_free=True), digest, overwrite_shellcmd)
        entry = self.entries.get(key)
        if entry is None:   # first translation of this text
            code, rules, lines = self._translate(path, workflow, overwrite_shellcmd, rulecount)
            self.entries[key] = {"code": code, "rules": rules, "linemap": lines, "rulecount": rulecount,
                                 "other_counts": None}
        elif entry["rulecount"] == rulecount or entry["other_counts"] in ("same", "renumbered"):
            Shell.overwrite_cmd = overwrite_shellcmd   # parse's one side effect
            self.hits += 1
            code, rules, lines = entry["code"], entry["rules"], entry["linemap"]
            if entry["other_counts"] == "renumbered":
                code = renumbered(code, rules, entry["rulecount"], rulecount)
        else:   # another count: translated, and (the first time) compared with the kept translation
            code, rules, lines = self._translate(path, workflow, overwrite_shellcmd, rulecount)
            if entry["other_counts"] is None:
                kept = (entry["rules"], entry["linemap"])
                if (rules, lines) != kept:
                    entry["other_counts"] = "translated"
                elif code == entry["code"]:
                    entry["other_counts"] = "same"
                elif code == renumbered(entry["code"], rules, entry["rulecount"], rulecount):
                    entry["other_counts"] = "renumbered"
                else:
                    entry["other_counts"] = "translated"
        linemap.update(lines)
        return code, rulecount + rules


def install() -> ParseCache | None:
    """Make ``Workflow.include`` translate through a :class:`ParseCache`; return it (``None`` where
    the Snakemake version is not the pinned one)."""
    import snakemake
    import snakemake.api  # noqa: F401  (snakemake.workflow is importable only after it)
    import snakemake.workflow as snakemake_workflow

    if snakemake.__version__ != SNAKEMAKE_VERSION or not callable(getattr(snakemake_workflow, "parse", None)):
        return None
    if isinstance(snakemake_workflow.parse, ParseCache):
        return snakemake_workflow.parse
    cache = ParseCache(snakemake_workflow.parse)
    snakemake_workflow.parse = cache
    return cache
