"""What each notebook and module of the package depends on, derived from the code itself.

:func:`code_inputs` reads a notebook's code cells, finds the modules of ``analysis`` it imports
(``from analysis import market``, ``from analysis.io import write_csv``, ``import analysis.x``)
and follows the imports of those modules transitively, so that a rule's code inputs can never
miss a module (nor list one it no longer uses). The Snakemake rules take their ``code`` inputs
from it (``workflow/rules/checks.smk``).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from analysis import config

PACKAGE = "analysis"
PACKAGE_DIR = config.ROOT / PACKAGE


def _imported_modules(tree: ast.AST) -> set[str]:
    """Modules of the package named by the import statements of ``tree`` (dotted names)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == PACKAGE or alias.name.startswith(PACKAGE + "."):
                    found.add(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == PACKAGE:
                found.update(f"{PACKAGE}.{alias.name}" for alias in node.names)
            elif node.module.startswith(PACKAGE + "."):
                found.add(node.module)
    return found


def module_file(module: str) -> Path | None:
    """The file of a dotted module name of the package (``None`` if it is not a module file,
    e.g. a name imported from the package's ``__init__``)."""
    parts = module.split(".")[1:]
    if not parts:
        return PACKAGE_DIR / "__init__.py"
    candidate = PACKAGE_DIR.joinpath(*parts)
    if candidate.with_suffix(".py").is_file():
        return candidate.with_suffix(".py")
    if (candidate / "__init__.py").is_file():
        return candidate / "__init__.py"
    return None


#: Where the workflow keeps the imports found in each module file, by content digest: Snakemake
#: parses the Snakefile (and so derives every rule's code inputs) at each start, also for a no-op
#: run; parsing the package's modules again costs more than reading this file. A module whose
#: content changed is parsed again (its digest differs); the file is only an optimisation.
IMPORTS_CACHE = config.ROOT / ".snakemake" / "analysis-deps-imports.json"
_cache: dict[str, list[str]] | None = None
_cache_dirty = False


def _load_cache() -> dict[str, list[str]]:
    global _cache
    if _cache is None:
        try:
            _cache = json.loads(IMPORTS_CACHE.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            _cache = {}
    return _cache


def save_imports_cache() -> None:
    """Write the imports found so far to :data:`IMPORTS_CACHE` (when a run's folder exists; a
    failed write is ignored: the next start parses the modules again)."""
    global _cache_dirty
    if not _cache_dirty or _cache is None or not IMPORTS_CACHE.parent.is_dir():
        return
    try:
        temporary = IMPORTS_CACHE.with_name(f"{IMPORTS_CACHE.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(_cache, sort_keys=True), encoding="utf-8")
        os.replace(temporary, IMPORTS_CACHE)
        _cache_dirty = False
    except OSError:
        pass


@lru_cache(maxsize=None)
def _module_imports(path: Path) -> frozenset[str]:
    global _cache_dirty
    source = path.read_bytes()
    key = hashlib.sha256(source).hexdigest()
    cache = _load_cache()
    if key not in cache:
        tree = ast.parse(source.decode("utf-8"), filename=str(path))
        cache[key] = sorted(_imported_modules(tree))
        _cache_dirty = True
    return frozenset(cache[key])


def notebook_code(notebook: str | os.PathLike) -> str:
    """The code of a notebook's code cells, without IPython magics and shell lines."""
    cells = json.loads(config.resolve(notebook).read_text(encoding="utf-8"))["cells"]
    lines = []
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        for line in source.splitlines():
            lines.append("" if line.lstrip().startswith(("%", "!")) else line)
        lines.append("")
    return "\n".join(lines)


def module_closure(modules: set[str]) -> list[Path]:
    """Files of ``modules`` and of every package module they import, transitively."""
    seen: set[Path] = {PACKAGE_DIR / "__init__.py"}
    todo = list(modules)
    while todo:
        path = module_file(todo.pop())
        if path is None or path in seen:
            continue
        seen.add(path)
        todo.extend(_module_imports(path))
    save_imports_cache()
    return sorted(seen)


#: Data files a module reads whatever the notebook's parameters (globs relative to the root).
MODULE_DATA = {
    "analysis/i18n.py": ["data/i18n/*.csv"],
    "analysis/countries.py": ["data/mappings/countries.csv"],
}


def _with_module_data(files: list[Path]) -> list[str]:
    names = [str(p.relative_to(config.ROOT)) for p in files]
    extra = []
    for name in names:
        for pattern in MODULE_DATA.get(name, []):
            extra.extend(str(p.relative_to(config.ROOT)) for p in sorted(config.ROOT.glob(pattern)))
    return names + sorted(set(extra) - set(names))


#: code_files() results by (notebook, inode, mtime, size): a sweep parses the Snakefile once per
#: scenario, which asked for the same notebooks' code files hundreds of times. A notebook changed
#: in the last two seconds is not cached (two writes within one tick could leave the same key).
_CODE_FILES: dict[tuple, list[str]] = {}


def code_files(notebook: str | os.PathLike) -> list[str]:
    """The package's source files a notebook runs (paths relative to the project root, sorted),
    then the data files those modules always read (:data:`MODULE_DATA`)."""
    import time

    path = config.resolve(notebook)
    stat = path.stat()
    key = (str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)
    if key in _CODE_FILES:
        return list(_CODE_FILES[key])
    tree = ast.parse(notebook_code(notebook), filename=str(notebook))
    files = _with_module_data(module_closure(_imported_modules(tree)))
    if time.time_ns() - stat.st_mtime_ns > 2_000_000_000:
        _CODE_FILES[key] = files
    return list(files)


@lru_cache(maxsize=None)
def _module_code_files(modules: frozenset[str]) -> tuple[str, ...]:
    return tuple(_with_module_data(module_closure(set(modules))))


def module_code_files(*modules: str) -> list[str]:
    """The source files a command-line module (``analysis.oecd``) runs, relative to the root."""
    return list(_module_code_files(frozenset(modules)))


def code_inputs(notebook: str | os.PathLike) -> list[str]:
    """Code inputs of a notebook's rule: :func:`code_files` (the Snakefile adds the input check)."""
    return code_files(notebook)
