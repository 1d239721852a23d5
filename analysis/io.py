"""Reading and atomic writing of tables, figures and YAML files.

Every output is written to a temporary file in the destination folder and moved into place
only when complete (``os.replace`` is atomic on one file system), so a failure never leaves a
partial or half-updated output behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import yaml

if TYPE_CHECKING:  # pandas is imported by whoever passes a frame: light processes (the manifest) need none
    import pandas as pd

#: Float format of every CSV the package writes: enough digits to round-trip what we compute,
#: fixed so that the same inputs give byte-identical tables.
CSV_FLOAT_FORMAT = "%.10g"


@contextlib.contextmanager
def atomic_path(destination: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``destination``; move it into place if the block succeeds."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{destination.stem}.", suffix=destination.suffix + ".tmp", dir=destination.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; outputs get the usual permissions
    try:
        yield tmp
        os.replace(tmp, destination)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_csv(frame: pd.DataFrame, destination: str | os.PathLike, index: bool = False) -> Path:
    """Write ``frame`` as UTF-8 CSV, atomically, with the package's fixed float format."""
    with atomic_path(destination) as tmp:
        frame.to_csv(tmp, index=index, float_format=CSV_FLOAT_FORMAT, lineterminator="\n")
    return Path(destination)


def write_text(text: str, destination: str | os.PathLike) -> Path:
    with atomic_path(destination) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(destination)


def write_yaml(data, destination: str | os.PathLike) -> Path:
    return write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), destination)


#: Attribute :func:`save_figure` sets on a figure it saved as PNG: (the PNG's bytes, its dpi), so
#: that :func:`analysis.plotting.show` displays the same image without drawing the figure again.
SAVED_PNG_ATTRIBUTE = "_analysis_saved_png"


def save_figure(fig, destination: str | os.PathLike, dpi: int = 150) -> Path:
    """Save a matplotlib figure (PNG unless the suffix says otherwise), atomically, without
    time-dependent metadata. The figure is drawn once: the PNG's bytes stay on the figure for
    :func:`analysis.plotting.show` (a figure changed after saving must be saved again)."""
    import io

    destination = Path(destination)
    image_format = destination.suffix.lstrip(".") or "png"
    buffer = io.BytesIO()
    fig.savefig(buffer, dpi=dpi, bbox_inches="tight", format=image_format, metadata={"Software": None})
    with atomic_path(destination) as tmp:
        tmp.write_bytes(buffer.getvalue())
    if image_format == "png":
        setattr(fig, SAVED_PNG_ATTRIBUTE, (buffer.getvalue(), dpi))
    return destination


def read_yaml(path: str | os.PathLike):
    """Read a YAML input file with :func:`analysis.errors.load_yaml`: UTF-8 without BOM, not empty,
    YAML 1.2 numbers (``1.0e300`` is a float), no key given twice; every failure is an
    :class:`analysis.errors.YAMLInputError` (also a ``yaml.YAMLError``) naming file, line and column."""
    from analysis.errors import load_yaml

    return load_yaml(path, mapping=False)
