"""Convergence of the Sobol indices at N / 2 and N from one sample (analysis.sensitivity)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis import sensitivity

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-math.pi, math.pi]] * 3}


def _ishigami(x):
    return {"y": np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])}


def test_the_sample_of_half_n_is_the_start_of_the_sample_of_n():
    full = sensitivity.sobol_sample(ISHIGAMI, 512, seed=4)
    half = sensitivity.sobol_sample(ISHIGAMI, 256, seed=4)
    np.testing.assert_array_equal(full[:len(half)], half)


def test_convergence_table_repeats_the_indices_computed_at_each_size():
    outputs = _ishigami(sensitivity.sobol_sample(ISHIGAMI, 1024, seed=2))
    table = sensitivity.sobol_convergence(ISHIGAMI, outputs, 1024, seed=2, names=("y",)).set_index("factor")
    at_half = sensitivity.sobol_indices(ISHIGAMI, _ishigami, 512, seed=2).set_index("factor")
    at_full = sensitivity.sobol_indices(ISHIGAMI, _ishigami, 1024, seed=2).set_index("factor")
    np.testing.assert_allclose(table["ST_half_n"], at_half["ST"], rtol=1e-12)
    np.testing.assert_allclose(table["ST_n"], at_full["ST"], rtol=1e-12)
    np.testing.assert_allclose(table["ST_change"], at_full["ST"] - at_half["ST"], rtol=1e-9, atol=1e-15)
    assert (table["half_n"] == 512).all() and (table["n"] == 1024).all()


def test_convergence_needs_an_even_n():
    with pytest.raises(ValueError, match="even"):
        sensitivity.sobol_convergence(ISHIGAMI, {"y": np.zeros(5 * 7)}, 7, seed=1, names=("y",))
