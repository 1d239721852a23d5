"""The package's style (analysis.plotting) without importing seaborn: the same matplotlib settings as
seaborn's own theme, and no seaborn or scipy in a process that only draws."""

from __future__ import annotations

import os
import subprocess
import sys

import matplotlib
import matplotlib.pyplot as plt
import pytest

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


@pytest.mark.parametrize("ticks, decimals, lang, labels", [
    ([0, 0.05, 0.1, 0.15, 0.2], 1, "fr", ["0,00", "0,05", "0,10", "0,15", "0,20"]),
    ([0, 0.5, 1.0, 1.5], 1, "fr", ["0,0", "0,5", "1,0", "1,5"]),
    ([0, 2.5, 5, 7.5], 0, "en", ["0.0", "2.5", "5.0", "7.5"]),
    ([0, 20, 40, 60], 0, "fr", ["0", "20", "40", "60"]),
    ([-10000, 0, 10000], 0, "fr", ["\u221210\u202f000", "0", "10\u202f000"]),
])
def test_tick_labels_have_the_decimals_the_ticks_need(ticks, decimals, lang, labels):
    assert plotting.tick_formatter(lang, decimals).format_ticks(ticks) == labels


def test_the_spending_split_of_a_small_authority_has_distinct_tick_labels():
    """Below 1 M EUR, the ticks fall every 0.05 M EUR: at one decimal they read 0,0 0,1 0,1 0,2 0,2."""
    from analysis import diagnostic, diagnostic_figures

    method = diagnostic.load_method("data/diagnostic/method.yaml")
    tidy, _summary = diagnostic.run_batch("data/diagnostic/authorities", method)
    commune = tidy[tidy["authority_id"] == "synthetique_commune"]
    fig = diagnostic_figures.spending_split_figure(commune, "Commune", "Note.", "Sources : test.")
    fig.canvas.draw()
    ax = fig.axes[0]
    left, right = ax.get_xlim()
    shown = [t.get_text() for t, x in zip(ax.get_xticklabels(), ax.get_xticks()) if left <= x <= right]
    plt.close(fig)
    assert len(shown) >= 3 and len(set(shown)) == len(shown), shown
