"""The package's style (analysis.plotting) without importing seaborn: the same matplotlib settings as
seaborn's own theme, and no seaborn or scipy in a process that only draws."""

from __future__ import annotations

import subprocess
import sys

import matplotlib
import matplotlib.pyplot as plt

from analysis import config, plotting


def _style(apply) -> dict:
    with matplotlib.rc_context():
        plt.rcdefaults()
        apply()
        return {key: str(value) for key, value in plt.rcParams.items()}


def test_the_style_equals_seaborns_theme_followed_by_the_packages_settings():
    import seaborn as sns

    def with_seaborn():
        sns.set_theme(style="whitegrid", context="notebook", palette=plotting.PALETTE)
        plt.rcParams.update(plotting.PACKAGE_STYLE)

    expected, found = _style(with_seaborn), _style(plotting.set_style)
    differing = {key: (expected[key], found[key]) for key in expected if expected[key] != found[key]}
    assert differing == {}


def test_drawing_with_the_style_imports_neither_seaborn_nor_scipy():
    code = ("import sys; from analysis import plotting; plotting.set_style(); "
            "import matplotlib.pyplot as plt; fig, ax = plt.subplots(); ax.plot([0, 1]); "
            "print(sorted(m for m in ('seaborn', 'scipy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=config.ROOT, capture_output=True, text=True, check=True,
                            env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin"})
    assert result.stdout.strip() == "[]"
