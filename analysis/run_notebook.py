"""Execute a notebook with papermill and render its HTML page with nbconvert, in one process.

    python -m analysis.run_notebook notebooks/NAME.ipynb reports/notebooks/NAME.ipynb \
        --cwd notebooks --parameters_yaml '{"lang": "fr", ...}' --html reports/html/NAME.html

What the workflow's notebook rules run (Snakefile, PAPERMILL). It does what
``papermill IN OUT --kernel python3 --cwd DIR --parameters_yaml P --no-progress-bar --log-output``
then ``jupyter nbconvert --to html --no-input --output-dir DIR OUT`` did in two processes (the same
executed notebook with its injected ``parameters`` cell, the same HTML page from the same
configuration files), with one interpreter start and one import of nbformat/jsonschema instead of
two, and without papermill saving the whole notebook after every cell (``request_save_on_cell_execute=False``: the executed copy is written
once at the end, also when a cell fails).

Import cost: jsonschema's format checker imports ``rfc3987_syntax`` when it is installed, which
builds a Lark grammar at import time (about 2 s). Neither papermill nor nbconvert validates an
``iri`` format; as in every process of the package, ``import analysis`` (analysis/__init__.py)
marks that module as absent before anything imports jsonschema.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path


def execute(notebook: str, output: str, parameters: dict, cwd: str | None, kernel: str = "python3") -> None:
    """papermill's execution of ``notebook`` into ``output`` with ``parameters`` injected."""
    import papermill

    papermill.execute_notebook(notebook, output, parameters=parameters, kernel_name=kernel, cwd=cwd,
                               progress_bar=False, log_output=True, request_save_on_cell_execute=False)


def _nbconvert_config():
    """The configuration `jupyter nbconvert` would read: jupyter_config and jupyter_nbconvert_config
    (.json, .py) from the Jupyter configuration path (JUPYTER_CONFIG_PATH first), later files of
    higher priority overriding earlier ones as in jupyter_core's application."""
    from jupyter_core.paths import jupyter_config_dir, jupyter_config_path
    from traitlets.config import Application, Config

    paths = jupyter_config_path()
    if jupyter_config_dir() not in paths:
        paths.insert(0, jupyter_config_dir())
    config = Config()
    for name in ("jupyter_config", "jupyter_nbconvert_config"):
        for loaded, _filename in Application._load_config_files(name, path=paths):
            config.merge(loaded)
    config.merge(Config({"TemplateExporter": {"exclude_output_prompt": True, "exclude_input": True,
                                              "exclude_input_prompt": True}}))  # --no-input
    return config


def render_html(executed: str, html: str) -> None:
    """The executed notebook as an HTML page without code cells: what `jupyter nbconvert --to html
    --no-input --output-dir DIR executed` writes (same configuration files, e.g. workflow/nbconvert's
    offline template), without importing nbconvert's command-line application (whose import scans
    every installed exporter's entry point)."""
    from nbconvert.exporters.html import HTMLExporter

    target = Path(html)
    name = Path(executed).stem
    if target.name != f"{name}.html":
        raise SystemExit(f"run_notebook: the HTML page must be named after the notebook: {target.name}")
    exporter = HTMLExporter(config=_nbconvert_config())
    resources = {"unique_key": name, "output_files_dir": f"{name}_files"}
    body, resources = exporter.from_filename(executed, resources=resources)
    if resources.get("outputs"):
        raise SystemExit(f"run_notebook: {executed}: the HTML page would need support files")
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook")
    parser.add_argument("output")
    parser.add_argument("--parameters_yaml", default="{}", help="the parameters, as a YAML/JSON mapping")
    parser.add_argument("--cwd", default=None, help="the kernel's working folder")
    parser.add_argument("--kernel", default="python3")
    parser.add_argument("--html", default=None, help="also write the executed notebook's HTML page here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    import yaml
    from papermill.iorw import NoDatesSafeLoader  # what papermill's command line parses them with

    parameters = yaml.load(args.parameters_yaml, Loader=NoDatesSafeLoader) or {}
    start = time.perf_counter()
    execute(args.notebook, args.output, parameters, args.cwd, args.kernel)
    executed = time.perf_counter()
    if args.html:
        render_html(args.output, args.html)
    print(f"run_notebook: executed in {executed - start:.1f} s"
          + (f", HTML page in {time.perf_counter() - executed:.1f} s" if args.html else ""), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
