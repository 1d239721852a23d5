"""Execute source notebooks and store the outputs nbval checks (developer tool).

nbval compares, in lax mode, only the cells marked ``# NBVAL_CHECK_OUTPUT``; those cells need
their expected output stored in the source notebook. This tool executes the given notebooks in
order (outputs go to a temporary folder through EDTECH_OUTPUT_DIR, never to reports/), keeps the
outputs of the checked cells and clears every other output, so the repository holds no images.

    .venv/bin/python tools/refresh_notebook_outputs.py notebooks/*.ipynb
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

MARKER = "# NBVAL_CHECK_OUTPUT"


def refresh(paths: list[Path], output_dir: Path, write_back: bool = True) -> None:
    os.environ["EDTECH_OUTPUT_DIR"] = str(output_dir)
    os.environ.setdefault("MPLBACKEND", "Agg")
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(notebook, timeout=1200, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        client.execute()
        if not write_back:
            print(f"ran {path} (prerequisite)")
            continue
        for cell in notebook.cells:
            cell.metadata.pop("execution", None)  # execution timestamps: noise in every diff
            if cell.cell_type != "code":
                continue
            if MARKER not in cell.source:
                cell.outputs = []
                cell.execution_count = None
            else:
                for output in cell.outputs:
                    output.pop("execution_count", None) if output.get("output_type") != "execute_result" else None
        notebook.metadata.pop("widgets", None)
        nbformat.write(notebook, path)
        print(f"refreshed {path}")


def main() -> None:
    """Refresh the notebooks named (default: all). Earlier-numbered notebooks run first, as
    prerequisites (their outputs feed later ones), but only the named ones are rewritten."""
    every = sorted(Path("notebooks").glob("*.ipynb"))
    named = [Path(p) for p in sys.argv[1:]] or every
    last = max(p.name for p in named)
    with tempfile.TemporaryDirectory() as tmp:
        for path in every:
            if path.name > last:
                break
            write_back = any(path.resolve() == n.resolve() for n in named)
            refresh([path], Path(tmp), write_back=write_back)


if __name__ == "__main__":
    main()
