"""Record of how data/raw/oecd and data/raw/eurostat were filled (run once, by a developer).

The OECD and Eurostat files are kept byte for byte as downloaded (raw data is immutable); this
script copies them from a folder of reference copies given as an argument and prints the SHA-256
and size to put in each sidecar. The pipeline's own path to fresh data is analysis.download.

    python scripts/copy_reference_extracts.py PATH/TO/reference
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "oecd/OECD.GOV.GIP_DF_GOV_PPROC_2025.csv": "data/raw/oecd/OECD.GOV.GIP_DF_GOV_PPROC_2025.csv",
    "eurostat/gov_10a_exp.csv": "data/raw/eurostat/gov_10a_exp.csv",
    "eurostat/namq_10_gdp.csv": "data/raw/eurostat/namq_10_gdp.csv",
}


def main(reference: Path) -> None:
    for source, destination in FILES.items():
        target = ROOT / destination
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(reference / source, target)
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        print(f"{destination}: sha256 {digest}, size_bytes {target.stat().st_size}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
