"""analysis.mpl_text: the two replacements of matplotlib's text measurement give the same lines and
the same PNG bytes as matplotlib's own code."""

from __future__ import annotations

import functools
import random

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.text as mtext
import pytest

from analysis import diagnostic, io, mpl_text, plotting

AUTHORITIES = "data/diagnostic/authorities"
METHOD = "data/diagnostic/method.yaml"




def test_the_replacements_are_installed_for_the_pinned_matplotlib():
    assert matplotlib.__version__ == mpl_text.MATPLOTLIB_VERSION, "the pin and analysis.mpl_text disagree"
    assert mtext._get_text_metrics_function is mpl_text.shared_metrics_function
    assert mtext.Text._get_wrapped_text is mpl_text.wrapped_text


def _sentences(count: int, seed: int = 7) -> list[str]:
    """Sentences of French-looking words of random lengths, some with double spaces, some with a
    forced line break, a few with one very long word."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyzéèàç"
    sentences = []
    for index in range(count):
        words = ["".join(rng.choice(letters) for _ in range(rng.randint(1, 14))) for _ in range(rng.randint(1, 60))]
        if index % 7 == 0:
            words.insert(rng.randrange(len(words) + 1), "x" * 180)  # wider than the figure
        text = " ".join(words)
        if index % 5 == 0:
            text = text.replace(" ", "  ", 3)
        if index % 3 == 0:
            text = text.replace(" ", "\n", 1)
        sentences.append(text)
    return sentences + ["", " ", "un", "deux mots", "Sources : OCDE, Eurostat (gov_10a_exp), calculs de l'auteur."]


@pytest.mark.parametrize("width_inches, x, alignment",
                         [(8.0, 0.01, "left"), (5.0, 0.5, "center"), (11.0, 0.9, "right")])
def test_wrapping_by_bisection_gives_matplotlibs_lines(width_inches, x, alignment):
    fig = plt.figure(figsize=(width_inches, 3), dpi=150)
    renderer = fig.canvas.get_renderer()
    try:
        for text in _sentences(10):
            artist = fig.text(x, 0.5, text, ha=alignment, fontsize=8, wrap=True)
            artist._renderer = renderer
            assert mpl_text.wrapped_text(artist) == mpl_text.ORIGINAL_WRAPPED_TEXT(artist), text[:60]
            artist.remove()
    finally:
        plt.close(fig)


def test_shared_metrics_equal_matplotlibs_per_renderer_metrics():
    fig = plt.figure(dpi=150)
    renderer = fig.canvas.get_renderer()
    other = plt.figure(figsize=(3, 2), dpi=150).canvas.get_renderer()  # another renderer, same dpi
    try:
        for text in [s.replace("\n", " ") for s in _sentences(12)] + ["$x^2$", "12,9\u202f%"]:
            for size in (8, 10.5):
                prop = matplotlib.font_manager.FontProperties(family="DejaVu Sans", size=size)
                ismath = mtext.cbook.is_math_text(text)
                expected = mpl_text.ORIGINAL_METRICS_FUNCTION(renderer)(text, prop.copy(), ismath, 150)
                assert mpl_text.shared_metrics_function(renderer)(text, prop.copy(), ismath, 150) == expected
                assert mpl_text.shared_metrics_function(other)(text, prop.copy(), ismath, 150) == expected
    finally:
        plt.close("all")


@functools.lru_cache(maxsize=1)
def _example_authority():
    method = diagnostic.load_method(METHOD)
    return method, diagnostic.run_batch(AUTHORITIES, method)[0]


def _package_figures():
    """A figure of the package with every kind of text: title, ticks, annotations, a wrapped source
    (the pipeline benchmark compares every figure of a regeneration)."""
    method, tidy = _example_authority()
    example = tidy[tidy["authority_id"] == "exemple_tie_break"]
    from analysis import diagnostic_figures

    source = ("Sources : grille de dépenses de l'exemple, méthode TIE Break (data/diagnostic/method.yaml), "
              "catégories et pondérations du diagnostic ; calculs du paquet, arrondis à l'euro près. ") * 2
    return [diagnostic_figures.priority_matrix_figure(example, "Exemple", method, source)]


def _png_bytes(tmp_path, name):
    plotting.set_style()
    paths = []
    for index, fig in enumerate(_package_figures()):
        paths.append(io.save_figure(fig, tmp_path / f"{name}-{index}.png"))
        plt.close(fig)
    return [path.read_bytes() for path in paths]


def test_figures_are_byte_identical_with_matplotlibs_own_text_code(tmp_path):
    ours = _png_bytes(tmp_path, "ours")
    mpl_text.uninstall()
    try:
        theirs = _png_bytes(tmp_path, "theirs")
    finally:
        assert mpl_text.install()
    assert len(ours) == 1
    for index, (mine, reference) in enumerate(zip(ours, theirs)):
        assert mine == reference, f"figure {index}"
