"""The calculation methods of the mastery engine (pure: no database, no Django)."""

import math
from decimal import Decimal, getcontext
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credo.mastery.calculations import METHODS, calculate, explain, validate_param

D = Decimal


def calc(method, values, *, threshold=3, param=None, scale=(0, 4)):
    return calculate(method, values, mastery_threshold=threshold, param=param, scale=scale)


# --- every method, by hand ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "values", "param", "expected"),
    [
        ("latest", [1, 2, 3.5], None, "3.50"),
        ("latest", [4, 1], None, "1.00"),
        ("highest", [2, 4, 3], None, "4.00"),
        ("highest", [2.5, 1, 2], None, "2.50"),
        ("average", [1, 2, 4], None, "2.33"),
        ("average", [1, 2], None, "1.50"),
        ("average", ["2.67", "2.68"], None, "2.68"),  # exactly 2.675: half up
        ("average", ["2.66", "2.67"], None, "2.67"),  # exactly 2.665
        ("mode", [1, 2, 2, 3], None, "2.00"),
        ("mode", [4, 1, 1], None, "1.00"),
        ("mode", [1, 2, 2, 3, 3], None, "3.00"),  # tie: the highest tied value
        ("mode", [3, 1, 2], None, "3.00"),  # all tied
        ("mode", ["3", "3.0", "4"], None, "3.00"),  # 3 and 3.0 are one value
        ("decaying_average", [2, 3, 4], None, "3.53"),  # 2 → 2.65 → 3.5275
        ("decaying_average", [1, 3], 50, "2.00"),
        ("decaying_average", [1, 2, 3], 50, "2.25"),
        ("decaying_average", [4, 0], 99, "0.04"),
        ("decaying_average", [1, 1, 1, 4], 50, "2.50"),
        ("weighted_average", [2, 3, 4], None, "3.48"),  # exactly 3.475
        ("weighted_average", [1, 3], 50, "2.00"),
        ("weighted_average", [4, 4, 1], 1, "3.97"),  # 0.01·1 + 0.99·4
        ("weighted_average", [1, 2, 3, 4], 99, "3.98"),  # 0.99·4 + 0.01·2
        ("n_mastery", [3, 1, 4], 2, "3.50"),
        ("n_mastery", [4, 3, 3, 3, 3], None, "3.20"),
        ("n_mastery", [2, 4, 4, 4, 4, 4, 4], 5, "4.00"),  # mean of all that reach, not of n
        ("power_law", [1, 2, 3, 4], None, "4.00"),  # exactly u = i on the 1..4 scale
        ("power_law", [1, 2, 4], None, "3.66"),  # u = 2, 3, 5
        ("power_law", [2.5, 2.5, 2.5], None, "2.50"),
    ],
)
def test_method_results(method, values, param, expected):
    scale = (1, 4) if values == [1, 2, 3, 4] else (0, 4)
    assert calc(method, values, param=param, scale=scale) == D(expected)


def test_weighted_average_of_the_design_example_rounds_up():
    # 0.65·4 + 0.35·2.5 = 3.475 exactly, which no binary float can hold.
    result = calc("weighted_average", [2, 3, 4], param=65)
    assert result == D("3.48")
    assert str(result) == "3.48"


@pytest.mark.parametrize("method", list(METHODS))
def test_empty_history_has_no_score(method):
    assert calc(method, []) is None
    assert calc(method, (), param=METHODS[method][1]) is None


@pytest.mark.parametrize("method", [m for m in METHODS if m != "n_mastery"])
def test_a_single_value_is_the_score(method):
    assert calc(method, [2.5]) == D("2.50")
    assert calc(method, ["3.125"]) == D("3.13")


def test_n_mastery_with_one_value():
    assert calc("n_mastery", [2.5], param=1, threshold=2) == D("2.50")
    assert calc("n_mastery", [2.5], param=1, threshold=3) is None
    assert calc("n_mastery", [4]) is None  # default n = 5


def test_n_mastery_counts_values_at_the_threshold():
    assert calc("n_mastery", [3, 3], param=2, threshold=3) == D("3.00")
    assert calc("n_mastery", ["2.99", 3], param=2, threshold=3) is None
    assert calc("n_mastery", [3, 4], param=2, threshold="3.0") == D("3.50")
    assert calc("n_mastery", [3, 4], param=2, threshold=D("3.000001")) is None


def test_n_mastery_needs_n_values_then_n_at_the_threshold():
    assert calc("n_mastery", [4, 4, 4, 4]) is None  # k < n
    assert calc("n_mastery", [4, 4, 4, 4, 1]) is None  # k = n, only 4 reach
    assert calc("n_mastery", [4, 4, 4, 4, 1, 3]) == D("3.80")


def test_decreasing_histories():
    assert calc("latest", [4, 3, 2]) == D("2.00")
    assert calc("highest", [4, 3, 2]) == D("4.00")
    assert calc("decaying_average", [4, 3, 2], param=65) == D("2.47")  # 4 → 3.35 → 2.4725
    assert calc("weighted_average", [4, 3, 2], param=65) == D("2.53")  # 1.3 + 1.225
    assert calc("power_law", [4, 3, 2, 1], scale=(1, 4)) == D("1.28")


def test_rounding_is_half_away_from_zero_and_happens_once():
    assert round(2.675, 2) == 2.67  # the binary float 2.675 is a little below 2.675
    assert calc("latest", ["2.675"]) == D("2.68")
    assert calc("latest", [2.675]) == D("2.68")  # via str(): not the binary 2.67499…
    assert calc("latest", ["2.665"]) == D("2.67")  # not half-even
    assert calc("latest", ["-2.675"]) == D("-2.68")
    assert calc("latest", ["2.6749999"]) == D("2.67")
    # Two roundings (2.6749 → 2.675 → 2.68) would differ from one.
    assert calc("latest", ["2.6749"]) == D("2.67")
    assert str(calc("latest", ["-0.001"])) == "0.00"


def test_inputs_of_any_numeric_type_agree():
    as_floats = calc("weighted_average", [2.1, 3.3, 4.05])
    assert as_floats == calc("weighted_average", ["2.1", "3.3", "4.05"])
    assert as_floats == calc("weighted_average", [D("2.1"), D("3.30"), D("4.050")])
    assert calc("average", [np.float64(2.5), np.int64(3)]) == D("2.75")


def test_the_global_decimal_context_is_left_alone():
    before = getcontext().prec
    calc("decaying_average", [1, 2, 3] * 30)
    calc("power_law", [1, 2, 3])
    assert getcontext().prec == before


# --- power law ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "scale"),
    [
        ([1, 2, 4], (1, 4)),
        ([4, 3, 2], (1, 4)),
        ([1, 2, 3], (0, 4)),
        ([3, 1, 2, 3], (0, 4)),
        ([2, 2.5, 3], (0, 4)),
        ([0, 0, 4], (0, 4)),
        ([55, 70, 68, 81, 90], (0, 100)),
    ],
)
def test_power_law_matches_a_float_least_squares_fit(values, scale):
    u = np.array(values, dtype=float) - scale[0] + 1
    x = np.log(np.arange(1, len(values) + 1))
    slope, intercept = np.polyfit(x, np.log(u), 1)
    expected = min(max(math.exp(intercept + slope * x[-1]) + scale[0] - 1, scale[0]), scale[1])
    result = calc("power_law", values, scale=scale)
    assert abs(float(result) - expected) <= 0.005 + 1e-9


def test_power_law_with_two_values_predicts_the_second():
    assert calc("power_law", [1, 3], scale=(1, 4)) == D("3.00")
    assert calc("power_law", [3.5, 1.5], scale=(0, 4)) == D("1.50")


def test_power_law_is_clamped_to_the_scale():
    assert calc("power_law", [1, 3, 4], scale=(1, 4)) == D("4.00")
    assert calc("power_law", [4, 1, 1], scale=(1, 4)) == D("1.00")
    lines = explain("power_law", [1, 3, 4], mastery_threshold=3, scale=(1, 4))
    assert any("Kept within the scale 1..4" in line for line in lines)


def test_power_law_needs_a_scale_and_values_on_it():
    with pytest.raises(ValueError, match="power_law.*scale"):
        calc("power_law", [1, 2], scale=None)
    with pytest.raises(ValueError, match="within the scale"):
        calc("power_law", [1, 5], scale=(1, 4))
    with pytest.raises(ValueError, match="within the scale"):
        calc("power_law", [0.5], scale=(1, 4))
    with pytest.raises(ValueError, match="minimum"):
        calc("power_law", [2], scale=(4, 1))
    with pytest.raises(ValueError, match="pair"):
        calc("power_law", [2], scale=(4,))


def test_power_law_on_a_scale_that_does_not_start_at_zero_or_one():
    # Shifting by the scale minimum: u = v − 50 + 1.
    assert calc("power_law", [50, 50, 50], scale=(50, 60)) == D("50.00")
    assert calc("power_law", [51, 53], scale=(50, 60)) == D("53.00")


# --- parameters and errors ----------------------------------------------------------------


def test_methods_table():
    assert METHODS["decaying_average"] == ((50, 99), 65)
    assert METHODS["weighted_average"] == ((1, 99), 65)
    assert METHODS["n_mastery"] == ((1, 10), 5)
    for method in ("latest", "highest", "average", "mode", "power_law"):
        assert METHODS[method] == (None, None)


def test_validate_param_returns_the_effective_parameter():
    assert validate_param("decaying_average") == 65
    assert validate_param("weighted_average", None) == 65
    assert validate_param("n_mastery") == 5
    assert validate_param("n_mastery", 10) == 10
    assert validate_param("decaying_average", np.int64(50)) == 50
    assert validate_param("latest") is None


@pytest.mark.parametrize(
    ("method", "param", "message"),
    [
        ("decaying_average", 49, "decaying_average.*50 to 99"),
        ("decaying_average", 100, "decaying_average.*50 to 99"),
        ("weighted_average", 0, "weighted_average.*1 to 99"),
        ("weighted_average", 100, "weighted_average.*1 to 99"),
        ("n_mastery", 0, "n_mastery.*1 to 10"),
        ("n_mastery", 11, "n_mastery.*1 to 10"),
        ("n_mastery", 2.5, "n_mastery.*whole number from 1 to 10"),
        ("n_mastery", 5.0, "n_mastery.*whole number"),
        ("n_mastery", "5", "n_mastery.*whole number"),
        ("weighted_average", True, "weighted_average.*whole number"),
        ("latest", 3, "latest method takes no parameter"),
        ("power_law", 65, "power_law method takes no parameter"),
        ("median", None, "Unknown calculation method 'median'"),
    ],
)
def test_bad_parameters_are_refused(method, param, message):
    with pytest.raises(ValueError, match=message):
        validate_param(method, param)
    with pytest.raises(ValueError, match=message):
        calc(method, [1, 2], param=param)
    with pytest.raises(ValueError, match=message):
        calc(method, [], param=param)  # even with nothing to compute


@pytest.mark.parametrize("bad", ["NaN", "Infinity", float("nan"), "abc", None, True, [1]])
def test_values_must_be_finite_numbers(bad):
    with pytest.raises(ValueError, match="value"):
        calc("average", [1, bad])


def test_n_mastery_needs_a_threshold():
    with pytest.raises(ValueError, match="threshold"):
        calc("n_mastery", [3], threshold=None)
    with pytest.raises(ValueError, match="threshold"):
        calc("n_mastery", [3], threshold="high")
    assert calc("average", [3], threshold=None) == D("3.00")  # only n_mastery uses it


# --- explain ------------------------------------------------------------------------------


def test_explain_decaying_average_lists_every_step():
    lines = explain("decaying_average", [2, 3, 4], mastery_threshold=3)
    assert lines == [
        "Decaying average: each new value weighs 65%, the running score 35%.",
        "d1 = v1 = 2.",
        "d2 = 0.35 × 2 + 0.65 × 3 = 2.65.",
        "d3 = 0.35 × 2.65 + 0.65 × 4 = 3.5275.",
        "Rounded once, to 2 places (halves away from zero): 3.5275 → 3.53.",
    ]


def test_explain_weighted_average_shows_the_exact_value_before_rounding():
    lines = explain("weighted_average", [2, 3, 4], mastery_threshold=3)
    assert "0.65 × 4 + 0.35 × 2.5 = 3.475." in lines
    assert lines[-1].endswith("3.475 → 3.48.")


def test_explain_marks_numbers_it_cuts_short():
    lines = explain("average", [1, 2, 4], mastery_threshold=3)
    assert lines[-1] == "Rounded once, to 2 places (halves away from zero): 2.3333… → 2.33."


def test_explain_says_why_there_is_no_score():
    assert explain("latest", [], mastery_threshold=3) == [
        "No assessments count yet, so there is no score."
    ]
    lines = explain("n_mastery", [4, 4, 1], mastery_threshold=3, param=3)
    assert lines[-1] == "Needs at least 3 at or above the threshold, so no score yet."
    lines = explain("n_mastery", [4], mastery_threshold=3)
    assert "there are 1" in lines[-1]


def test_explain_mode_names_the_tie():
    lines = explain("mode", [1, 2, 2, 3, 3], mastery_threshold=3)
    assert "How often each value occurs: 1 × 1; 2 × 2; 3 × 2." in lines
    assert any("highest tied value counts: 3" in line for line in lines)
    assert lines[-1] == "Score: 3.00."


@pytest.mark.parametrize("method", list(METHODS))
def test_explain_ends_with_the_score_calculate_returns(method):
    values = [1, 2.5, 4, 3, 3.5, 4, 3]
    kw = dict(mastery_threshold=3, param=2 if method == "n_mastery" else None, scale=(0, 4))
    score = calculate(method, values, **kw)
    lines = explain(method, values, **kw)
    assert len(lines) >= 2
    assert lines[-1].endswith(f"{score}.")


def test_explain_raises_like_calculate():
    with pytest.raises(ValueError, match="takes no parameter"):
        explain("latest", [1], mastery_threshold=3, param=1)


# --- exactness against rational arithmetic --------------------------------------------------


def _half_up(q: Fraction) -> Decimal:
    hundredths = math.floor(abs(q) * 100 + Fraction(1, 2))
    return Decimal(hundredths if q >= 0 else -hundredths).scaleb(-2)


def _exact(method, values, p, threshold):
    vs = [Fraction(D(str(v))) for v in values]
    k = len(vs)
    if method == "average":
        return sum(vs) / k
    if method == "decaying_average":
        w = Fraction(p, 100)
        d = vs[0]
        for v in vs[1:]:
            d = (1 - w) * d + w * v
        return d
    if method == "weighted_average":
        w = Fraction(p, 100)
        return vs[0] if k == 1 else w * vs[-1] + (1 - w) * sum(vs[:-1]) / (k - 1)
    if method == "n_mastery":
        hits = [v for v in vs if v >= threshold]
        return None if k < p or len(hits) < p else sum(hits) / len(hits)
    raise AssertionError(method)


@settings(max_examples=400, deadline=None)
@given(
    method=st.sampled_from(["average", "decaying_average", "weighted_average", "n_mastery"]),
    values=st.lists(
        st.one_of(
            st.integers(0, 400).map(lambda h: Fraction(h, 100)),
            st.integers(0, 4000).map(lambda h: Fraction(h, 1000)),
        ),
        min_size=1,
        max_size=60,
    ),
    data=st.data(),
)
def test_rational_methods_are_exact(method, values, data):
    param_range, _ = METHODS[method]
    p = None if param_range is None else data.draw(st.integers(*param_range))
    decimals = [D(v.numerator) / D(v.denominator) for v in values]
    threshold = Fraction(data.draw(st.sampled_from([1, 2, 3])))
    expected = _exact(method, decimals, p, threshold)
    result = calculate(method, decimals, mastery_threshold=int(threshold), param=p)
    assert result == (None if expected is None else _half_up(expected))
