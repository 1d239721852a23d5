"""analysis.snakemake_parse_cache: a sweep's translations of the Snakefile, kept once per file, are
Snakemake's own translations (code, rule count, line map) at every rule count."""

from __future__ import annotations

import snakemake
import snakemake.api  # noqa: F401  (before snakemake.parser and snakemake.workflow)
from snakemake import parser
from snakemake.sourcecache import LocalSourceFile

from analysis import config, snakemake_parse_cache

WORKFLOW_FILES = [config.ROOT / "Snakefile", *sorted((config.ROOT / "workflow" / "rules").glob("*.smk"))]


class _Sources:
    """What ``parse`` asks of a workflow: its source cache's ``open``."""

    def open(self, path):
        return open(path.get_path_or_uri(secret_free=True), encoding="utf-8")


class _Workflow:
    sourcecache = _Sources()


def _snakemakes_own(path, rulecount):
    linemap: dict[int, int] = {}
    code, count = parser.parse(LocalSourceFile(str(path)), _Workflow(), linemap, rulecount=rulecount)
    return code, count, linemap


def _cached(cache, path, rulecount):
    linemap: dict[int, int] = {}
    code, count = cache(LocalSourceFile(str(path)), _Workflow(), linemap, rulecount=rulecount)
    return code, count, linemap


def test_the_cache_is_written_for_the_pinned_snakemake():
    assert snakemake.__version__ == snakemake_parse_cache.SNAKEMAKE_VERSION, \
        "the pin and analysis.snakemake_parse_cache disagree"


def test_every_workflow_file_translates_as_snakemake_translates_it_at_every_rule_count():
    cache = snakemake_parse_cache.ParseCache(parser.parse)
    counts = [0, 37, 37, 512, 0, 1999]   # the sweep's modules: each starts after the rules before it
    for rulecount in counts:
        for path in WORKFLOW_FILES:
            assert _cached(cache, path, rulecount) == _snakemakes_own(path, rulecount), (path.name, rulecount)
    # each file translated at its first count and once more at another, then given back
    assert cache.translations == 2 * len(WORKFLOW_FILES)
    assert cache.hits == (len(counts) - 2) * len(WORKFLOW_FILES)


def test_an_unnamed_rule_is_translated_at_each_rule_count(tmp_path):
    snakefile = tmp_path / "Snakefile"
    snakefile.write_text('rule:\n    output: "a.txt"\n    run:\n        print("a")\n\n'
                         'rule named:\n    output: "b.txt"\n    shell: "touch {output}"\n', encoding="utf-8")
    cache = snakemake_parse_cache.ParseCache(parser.parse)
    first, second = _cached(cache, snakefile, 0), _cached(cache, snakefile, 5)
    assert first == _snakemakes_own(snakefile, 0) and second == _snakemakes_own(snakefile, 5)
    assert first[0] != second[0], "an unnamed rule's function is named after the rule count"
    assert "def __rule_1(" in first[0] and "def __rule_6(" in second[0]
    assert _cached(cache, snakefile, 0) == first   # the first count's translation is kept
    assert _cached(cache, snakefile, 9) == _snakemakes_own(snakefile, 9)   # renumbered, not translated
    assert cache.translations == 2 and cache.hits == 2


def test_code_that_differs_otherwise_at_another_count_is_translated_at_every_count(tmp_path):
    snakefile = tmp_path / "Snakefile"
    snakefile.write_text('rule a:\n    output: "a.txt"\n    shell: "touch {output}"\n', encoding="utf-8")
    own_translations = {0: ("code at 0", 1, {1: 1}), 5: ("other code at 5", 1, {1: 1}),
                        9: ("yet other code at 9", 1, {1: 1})}

    def parse(path, workflow, linemap, overwrite_shellcmd=None, rulecount=0):   # a parser unlike Snakemake's
        code, rules, lines = own_translations[rulecount]
        linemap.update(lines)
        return code, rulecount + rules

    cache = snakemake_parse_cache.ParseCache(parse)
    for rulecount in (0, 5, 9, 0):
        assert _cached(cache, snakefile, rulecount) == (own_translations[rulecount][0], rulecount + 1, {1: 1})
    assert cache.translations == 3 and cache.hits == 1


def test_a_changed_file_is_translated_again(tmp_path):
    snakefile = tmp_path / "Snakefile"
    snakefile.write_text('rule a:\n    output: "a.txt"\n    shell: "touch {output}"\n', encoding="utf-8")
    cache = snakemake_parse_cache.ParseCache(parser.parse)
    before = _cached(cache, snakefile, 0)
    snakefile.write_text('rule b:\n    output: "b.txt"\n    shell: "touch {output}"\n', encoding="utf-8")
    after = _cached(cache, snakefile, 0)
    assert after == _snakemakes_own(snakefile, 0) and after[0] != before[0]
    assert cache.translations == 2 and cache.hits == 0


def test_install_replaces_the_translation_that_include_calls_once():
    import snakemake.workflow as snakemake_workflow

    original = snakemake_workflow.parse
    try:
        installed = snakemake_parse_cache.install()
        assert isinstance(installed, snakemake_parse_cache.ParseCache)
        assert snakemake_workflow.parse is installed and installed.original is original
        assert snakemake_parse_cache.install() is installed   # not wrapped twice
    finally:
        snakemake_workflow.parse = original
