"""The malformed-input suite (issue 15): every loader, fed a broken copy of its file, raises an
error whose message names the file and the place (row/line/entry and column/field), in the one
error form of analysis.errors. Copies live in tmp_path; the repository's data are never touched.
Property-based tests (hypothesis) cover the readers and invariants of the numeric functions."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import claims, config, diagnostic, market, mcda, oecd, practices, variants
from analysis.errors import InputError, load_yaml, parse_yaml, unit_kind, unit_problem

DATA = config.DATA
PLACE = re.compile(r": (row \d+|line \d+|whole file|entry \S+|field \S+|variant \S+|authority \S+|"
                   r"profile \S+|criterion \S+|parameter \S+)")


# --------------------------------------------------------------------------------------------
# text transforms of a CSV file
# --------------------------------------------------------------------------------------------

def _rows(text):
    return list(csv.reader(io.StringIO(text)))


def _write(rows):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _set_cell(column, value, row=1):
    def transform(text):
        rows = _rows(text)
        rows[row][rows[0].index(column)] = value
        return _write(rows)
    return transform


def _drop_column(column):
    def transform(text):
        rows = _rows(text)
        i = rows[0].index(column)
        return _write([r[:i] + r[i + 1:] for r in rows])
    return transform


def _duplicate_row(text):
    rows = _rows(text)
    return _write(rows[:2] + [rows[1]] + rows[2:])


CSV_CASES = {
    "empty file": lambda t: "",
    "header only": lambda t: t.splitlines(keepends=True)[0],
    "wrong separator": lambda t: _write(_rows(t)).replace(",", ";"),
    "BOM": lambda t: "\ufeff" + t,
    "duplicate key": _duplicate_row,
}

# (loader taking a path, repository file, value column, key column of the first data row)
CSV_LOADERS = {
    "market inputs": (market.read_inputs, "market/inputs.csv", "value", "id"),
    "model parameters": (lambda p: variants.load_parameters(p), "variants/model_parameters.csv", "value", "name"),
    "gdp": (oecd.read_gdp_raw, "raw/eurostat/namq_10_gdp.csv", "values", "unit"),
    "cofog": (oecd.read_cofog_raw, "raw/eurostat/gov_10a_exp.csv", "values", "unit"),
    "tie break spending": (diagnostic.read_spending, "raw/slides/tie_break_example_spending.csv", "amount_eur",
                           "row_kind"),
}


def _broken_copy(tmp_path, relative, transform, encoding="utf-8"):
    source = DATA / relative
    copy = tmp_path / Path(relative).name
    text = source.read_text(encoding="utf-8")
    copy.write_bytes(transform(text).encode(encoding, errors="replace"))
    return copy


def _assert_names_file_and_place(error, copy):
    message = str(error)
    assert copy.name in message, message
    assert PLACE.search(message), message
    return message


@pytest.mark.parametrize("loader_name", sorted(CSV_LOADERS))
@pytest.mark.parametrize("case", sorted(CSV_CASES) + ["missing column", "wrong type", "NaN", "infinite",
                                                     "absurd", "Windows-1252", "unknown code"])
def test_csv_loader_refuses_malformed_file(tmp_path, loader_name, case):
    loader, relative, value_column, key_column = CSV_LOADERS[loader_name]
    encoding = "utf-8"
    if case in CSV_CASES:
        transform = CSV_CASES[case]
    elif case == "missing column":
        transform = _drop_column(value_column)
    elif case == "wrong type":
        transform = _set_cell(value_column, "twelve")
    elif case == "NaN":
        transform = _set_cell(value_column, "nan")
    elif case == "infinite":
        transform = _set_cell(value_column, "inf")
    elif case == "absurd":
        transform = _set_cell(value_column, "1e300")
    elif case == "unknown code":
        transform = _set_cell(key_column, "NOT_A_CODE") if loader_name in ("gdp", "cofog", "tie break spending") \
            else _set_cell("distribution", "not_a_distribution")
    else:  # Windows-1252: a non-ASCII character saved by a spreadsheet
        transform, encoding = _set_cell(value_column if loader_name == "gdp" else key_column, "é"), "cp1252"
        transform = (lambda t, f=transform: f(t) if "é" not in t else t)
    copy = _broken_copy(tmp_path, relative, transform, encoding)
    if case == "absurd" and loader_name in ("gdp", "cofog", "tie break spending"):
        pytest.skip("raw tables: an absurd value is caught by the sidecar's checksum")
    with pytest.raises((InputError, ValueError)) as caught:
        loader(copy)
    message = _assert_names_file_and_place(caught.value, copy)
    assert "Traceback" not in message


@pytest.mark.parametrize("loader_name, value", [("market inputs", "-5"), ("model parameters", "-5")])
def test_negative_amount_is_refused(tmp_path, loader_name, value):
    loader, relative, _, _ = CSV_LOADERS[loader_name]
    # an amount row: spend per pupil (market) / cost of a procedure (parameters)
    key = "spend_per_pupil_eur" if loader_name == "market inputs" else "cost_procedure_authority_eur"

    def transform(text):
        rows = _rows(text)
        i = next(i for i, r in enumerate(rows) if r[0] == key)
        for column in ("value", "low"):
            rows[i][rows[0].index(column)] = value
        return _write(rows)
    copy = _broken_copy(tmp_path, relative, transform)
    with pytest.raises(ValueError) as caught:
        loader(copy)
    message = _assert_names_file_and_place(caught.value, copy)
    assert "negative" in message or "below" in message


def test_percentage_over_100_is_refused(tmp_path):
    def transform(text):
        rows = _rows(text)
        i = next(i for i, r in enumerate(rows) if r[rows[0].index("unit")] == "%")
        for column in ("value", "low", "high"):
            rows[i][rows[0].index(column)] = "140"
        return _write(rows)
    copy = _broken_copy(tmp_path, "market/inputs.csv", transform)
    with pytest.raises(ValueError) as caught:
        market.read_inputs(copy)
    message = _assert_names_file_and_place(caught.value, copy)
    assert "percentage above 100" in message and "column 'value'" in message


def test_probability_above_one_is_refused(tmp_path):
    def transform(text):
        rows = _rows(text)
        i = next(i for i, r in enumerate(rows) if r[rows[0].index("unit")] == "probability")
        rows[i][rows[0].index("high")] = "3.15"
        return _write(rows)
    copy = _broken_copy(tmp_path, "variants/model_parameters.csv", transform)
    with pytest.raises(ValueError, match=r"model_parameters\.csv: row \d+: column 'high': probability above 1"):
        variants.load_parameters(copy)


def test_score_for_an_unknown_variant_is_an_error(tmp_path):
    criteria = mcda.load_criteria()
    ids = [v.id for v in variants.load_variants()]
    copy = _broken_copy(tmp_path, "variants/qualitative_scores.csv", _set_cell("variant_id", "V9"))
    with pytest.raises(mcda.MCDAError, match=r"qualitative_scores\.csv: row 2: column 'variant_id': unknown variant"):
        mcda.load_qualitative_scores(criteria, ids, copy)


def test_whole_row_check_is_reported_once(tmp_path):
    copy = _broken_copy(tmp_path, "variants/model_parameters.csv", _set_cell("value", "1e12"))
    with pytest.raises(ValueError) as caught:
        variants.load_parameters(copy)
    lines = [line for line in str(caught.value).splitlines() if "low <= value <= high" in line]
    assert len(lines) == 1, caught.value


# --------------------------------------------------------------------------------------------
# YAML loaders
# --------------------------------------------------------------------------------------------

def _method():
    return diagnostic.load_method()


YAML_LOADERS = {
    "variant": (variants.load_variant, "variants/V1_national_direct_purchase.yaml"),
    "criteria": (mcda.load_criteria, "variants/criteria.yaml"),
    "weights": (lambda p: mcda.load_weight_profiles(mcda.load_criteria(), p), "variants/weight_profiles.yaml"),
    "practices": (practices.load_definitions, "practices/practices.yaml"),
    "method": (diagnostic.load_method, "diagnostic/method.yaml"),
    "authority": (lambda p: diagnostic.load_authority(p, _method()), "diagnostic/authorities/synthetique_commune.yaml"),
    "claims": (lambda p: claims.load_registry(p.parent), "claims/market.yaml"),
}


def _first_number(replacement):
    def transform(text):
        return re.sub(r"(?m)^(\s*(?:- )?[a-z_]+: )(\d+(?:\.\d+)?)\s*$", lambda m: m.group(1) + replacement, text, count=1)
    return transform


YAML_CASES = {
    "YAML syntax error": lambda t: t + "\nbroken: [1, 2\n",
    "empty file": lambda t: "",
    "BOM": lambda t: "\ufeff" + t,
    "duplicate key": lambda t: t + "\n" + next(line for line in t.splitlines() if re.match(r"^[a-z_]+:", line)) + "\n",
    "NaN": _first_number(".nan"),
    "infinite": _first_number(".inf"),
    "absurd": _first_number("1.0e300"),
}


@pytest.mark.parametrize("loader_name", sorted(YAML_LOADERS))
@pytest.mark.parametrize("case", sorted(YAML_CASES) + ["Windows-1252"])
def test_yaml_loader_refuses_malformed_file(tmp_path, loader_name, case):
    loader, relative = YAML_LOADERS[loader_name]
    if case == "Windows-1252":
        copy = _broken_copy(tmp_path, relative, lambda t: t + "\n# é\n", "cp1252")
    else:
        text = (DATA / relative).read_text(encoding="utf-8")
        if YAML_CASES[case](text) == text:
            pytest.skip(f"{relative} has no field for this case")
        copy = _broken_copy(tmp_path, relative, YAML_CASES[case])
    with pytest.raises(ValueError) as caught:
        loader(copy)
    _assert_names_file_and_place(caught.value, copy)


def test_missing_kind_is_reported_as_missing_kind(tmp_path):
    copy = _broken_copy(tmp_path, "claims/market.yaml",
                        lambda t: re.sub(r"(?m)^(\s+)kind: \w+\n", "", t, count=1))
    with pytest.raises(claims.ClaimsError) as caught:
        claims.load_registry(copy.parent)
    message = str(caught.value)
    assert "kind" in message and "tolerance" not in message, message


def test_yaml_1_2_floats():
    assert parse_yaml("a: 1.0e300\nb: 1e5\nc: 2.5\nd: 3", "x.yaml") == {"a": 1e300, "b": 1e5, "c": 2.5, "d": 3}


def test_every_yaml_violation_is_reported(tmp_path):
    def transform(text):
        text = re.sub(r"national_share: [0-9.]+", "national_share: 1.4", text, count=1)
        return re.sub(r"orders_per_year: [0-9.]+", "orders_per_year: .nan", text, count=1)
    copy = _broken_copy(tmp_path, "variants/V1_national_direct_purchase.yaml", transform)
    with pytest.raises(variants.VariantError) as caught:
        variants.load_variant(copy)
    message = str(caught.value)
    assert "national_share" in message and "orders_per_year" in message and "finite" in message


# --------------------------------------------------------------------------------------------
# Raw files: missing sidecar, deleted raw file
# --------------------------------------------------------------------------------------------

def test_missing_sidecar_and_deleted_raw_file_are_noticed(tmp_path):
    from analysis import checks

    raw = tmp_path / "raw" / "slides"
    raw.mkdir(parents=True)
    source = DATA / "raw" / "slides" / "edtech_market_figures.csv"
    (raw / source.name).write_bytes(source.read_bytes())  # no sidecar
    sidecar = DATA / "raw" / "slides" / "tie_break_example_spending.csv.meta.yaml"
    (raw / sidecar.name).write_bytes(sidecar.read_bytes())  # sidecar without its file
    problems = checks.check_raw(tmp_path / "raw")
    text = "\n".join(problems)
    assert "edtech_market_figures.csv: whole file: (sidecar): no metadata sidecar" in text
    assert "tie_break_example_spending.csv: whole file: (file): raw file not found" in text


def test_notebook_parameters_are_checked():
    from analysis import checks

    defaults = checks.default_parameters()
    bad = {"01_oecd_procurement": {"prediction_alpha": 1.5, "reference_year": "2021"},
           "03_market_sizing": {"n_samples": 0, "inputs_file": "../../etc/passwd"}}
    problems = checks.check_inputs(bad)
    text = "\n".join(problems)
    assert "notebook 01_oecd_procurement: parameter prediction_alpha" in text and "(0, 1)" in text
    assert "parameter reference_year: wrong type" in text
    assert "parameter n_samples: must be a positive integer" in text
    assert "parameter inputs_file: path outside the project" in text
    assert set(defaults) >= set(bad)


# --------------------------------------------------------------------------------------------
# Property-based tests
# --------------------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(["%", "share of orders", "EUR per year",
                                                                        "pupils", "probability", "ratio"]))
def test_unit_check_accepts_exactly_the_allowed_values(value, unit):
    kind = unit_kind(unit)
    problem = unit_problem(value, unit)
    finite = np.isfinite(value) and abs(value) <= 1e15
    allowed = finite and value >= 0 and (kind not in ("percent",) or value <= 100) and (
        kind not in ("share", "probability") or value <= 1)
    assert (problem is None) == allowed


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.from_regex(r"[a-z]{1,8}", fullmatch=True),
                       st.one_of(st.integers(-10**6, 10**6), st.floats(-1e6, 1e6, allow_nan=False),
                                 st.text(alphabet="abcdefgh ", max_size=10)), max_size=6))
def test_yaml_reader_round_trips_mappings(tmp_path_factory, document):
    import yaml
    path = tmp_path_factory.mktemp("y") / "doc.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    assert load_yaml(path) == document


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0, 1e9, allow_nan=False), min_size=2, max_size=12))
def test_shares_are_in_unit_interval_and_parts_sum_to_total(amounts):
    total = sum(amounts)
    if total <= 0:
        return
    shares = np.array(amounts) / total
    assert np.all((shares >= 0) & (shares <= 1 + 1e-12))
    assert np.isclose(shares.sum(), 1.0)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_rank_acceptabilities_sum_to_one(seed):
    rng = np.random.default_rng(seed)
    n_draws, n_alternatives, n_criteria = 200, 4, 3
    values = rng.random((n_alternatives, n_criteria))
    weights = mcda.sample_simplex_weights(n_draws, n_criteria, rng)
    totals = weights @ values.T
    ranks = np.array([mcda.ranks(row) for row in totals])
    acceptability = np.stack([(ranks == r).mean(axis=0) for r in range(1, n_alternatives + 1)])
    assert np.allclose(acceptability.sum(axis=0), 1.0) and np.allclose(acceptability.sum(axis=1), 1.0)


@settings(max_examples=10, deadline=None)
@given(st.floats(1e8, 1e9), st.floats(1.01, 2.0))
def test_outcome_model_is_monotone_in_the_budget(budget, factor):
    parameters = variants.load_parameters()
    variant = variants.load_variants()[1]
    names = parameters["name"].tolist()
    central = {name: np.array([value]) for name, value in zip(names, parameters["value"])}
    low = dict(central, budget_eur=np.array([budget]))
    high = dict(central, budget_eur=np.array([budget * factor]))
    out_low, out_high = variants.evaluate(variant, low, parameters), variants.evaluate(variant, high, parameters)
    coverage = next(k for k in out_low if "coverage" in k)
    assert out_high[coverage][0] >= out_low[coverage][0] - 1e-12
