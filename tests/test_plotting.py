"""The package's style (analysis.plotting) without importing seaborn: the same matplotlib settings as
seaborn's own theme, and no seaborn or scipy in a process that only draws."""

from __future__ import annotations

import os
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
                            env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp")})
    assert result.stdout.strip() == "[]"


def test_show_displays_the_png_save_figure_wrote_without_drawing_again(tmp_path, monkeypatch):
    import IPython.display

    from analysis import io

    plotting.set_style()
    fig, ax = plt.subplots()
    ax.plot([0, 1, 4])
    path = io.save_figure(fig, tmp_path / "figure.png")
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda image: shown.append(image))

    def no_second_drawing(*args, **kwargs):
        raise AssertionError("the figure was drawn again")

    monkeypatch.setattr(fig, "savefig", no_second_drawing)
    plotting.show(fig)
    (image,) = shown
    assert image.data == path.read_bytes()
    width = int.from_bytes(path.read_bytes()[16:20], "big")
    assert image.width == round(width * plotting.SHOWN_DPI / 150)


def test_show_draws_a_figure_never_saved(monkeypatch):
    import IPython.display

    fig, ax = plt.subplots()
    ax.plot([0, 1])
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda image: shown.append(image))
    plotting.show(fig)
    (image,) = shown
    assert image.data[:8] == b"\x89PNG\r\n\x1a\n" and image.width is None
