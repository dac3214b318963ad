"""The vectorized compute stage gives calculate()'s result for every group, to the last digit."""

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credo.mastery import vectorized
from credo.mastery.calculations import METHODS, calculate
from credo.mastery.vectorized import calculate_groups, reference_calculate_groups

# name: (levels, (min, max), thresholds)
SCALES = {
    "1-4": ([1.0, 2.0, 3.0, 4.0], (1, 4), [3]),
    "0-4 by halves": ([i / 2 for i in range(9)], (0, 4), [2.5, 3]),
    "0-4 by quarters": ([i / 4 for i in range(17)], (0, 4), [2.75, 3]),
    "0-100": ([float(i) for i in range(101)], (0, 100), [70, 85]),
    "0-100 by hundredths": ([i / 100 for i in range(10001)], (0, 100), [70, 69.99]),
    "1-5 by thousandths": ([1 + i / 1000 for i in range(4001)], (1, 5), [3.5]),
}


def layout(groups):
    """Return (values, starts) for a list of groups."""
    sizes = [len(g) for g in groups]
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
    values = np.array([v for g in groups for v in g], dtype=np.float64)
    return values, starts


def expected(method, groups, **kw):
    scores = [calculate(method, g, **kw) for g in groups]
    hundredths = [0 if s is None else int(s * 100) for s in scores]
    return hundredths, [s is None for s in scores]


def run(method, groups, **kw):
    values, starts = layout(groups)
    h, none = calculate_groups(method, values, starts, **kw)
    assert h.dtype == np.int64 and none.dtype == bool
    assert h.shape == none.shape == (len(groups),)
    return h.tolist(), none.tolist()


def params_for(method):
    allowed, _ = METHODS[method]
    if allowed is None:
        return st.just(None)
    return st.one_of(st.none(), st.integers(*allowed))


@st.composite
def cases(draw, max_size=12):
    scale_name = draw(st.sampled_from(sorted(SCALES)))
    levels, scale, thresholds = SCALES[scale_name]
    method = draw(st.sampled_from(sorted(METHODS)))
    size = st.integers(0, max_size)
    groups = draw(
        st.lists(
            size.flatmap(lambda k: st.lists(st.sampled_from(levels), min_size=k, max_size=k)),
            min_size=1,
            max_size=25,
        )
    )
    kw = dict(
        mastery_threshold=draw(st.sampled_from(thresholds)),
        param=draw(params_for(method)),
        scale=scale,
    )
    return method, groups, kw


@settings(max_examples=600, deadline=None)
@given(cases())
def test_groups_equal_calculate(case):
    method, groups, kw = case
    assert run(method, groups, **kw) == expected(method, groups, **kw)


@settings(max_examples=150, deadline=None)
@given(cases(max_size=60))
def test_long_groups_equal_calculate(case):
    # Long decaying averages leave the exact integer path; long power laws stress the fit.
    method, groups, kw = case
    assert run(method, groups, **kw) == expected(method, groups, **kw)


@settings(max_examples=300, deadline=None)
@given(cases(), st.sampled_from([1 / 3, 0.123456789, 2.00001]))
def test_float_path_equals_calculate(case, odd):
    # One value that is not a whole number of ten-thousandths sends every group of the call
    # through float arithmetic and the boundary check.
    method, groups, kw = case
    low, high = kw["scale"]
    groups = [*groups, [min(max(odd + low, low), high)]]
    assert run(method, groups, **kw) == expected(method, groups, **kw)


# --- constructed cases --------------------------------------------------------------------


def test_the_design_example():
    assert run("weighted_average", [[2, 3, 4]], mastery_threshold=3, param=65) == ([348], [False])


BOUNDARY_CASES = [
    # (method, group, param, threshold, hundredths): each result is exactly x.xx5
    ("weighted_average", [2, 3, 4], 65, 3, 348),
    ("weighted_average", [1, 2.01], 50, 3, 151),
    ("average", [2.67, 2.68], None, 3, 268),
    ("average", [2.66, 2.67], None, 3, 267),
    ("average", [1.0] * 19 + [1.5], None, 3, 103),  # 1.025
    ("decaying_average", [2, 0, 1], 65, 3, 90),  # 0.895
    ("decaying_average", [2, 1, 1, 2], 50, 3, 163),  # 2 → 1.5 → 1.25 → 1.625
    ("n_mastery", [3.01, 3.0, 1.0], 2, 3, 301),  # 3.005
    ("latest", [2.675], None, 3, 268),
    ("highest", [1.0, 2.675], None, 3, 268),
    ("mode", [2.675, 2.675, 1.0], None, 3, 268),
    ("power_law", [2.675, 2.675, 2.675], None, 3, 268),
]


@pytest.mark.parametrize(("method", "group", "param", "threshold", "hundredths"), BOUNDARY_CASES)
def test_values_exactly_on_a_rounding_boundary(method, group, param, threshold, hundredths):
    kw = dict(mastery_threshold=threshold, param=param, scale=(0, 4))
    assert calculate(method, group, **kw) * 100 == hundredths
    assert run(method, [group], **kw) == ([hundredths], [False])


@pytest.mark.parametrize(("method", "group", "param", "threshold", "hundredths"), BOUNDARY_CASES)
def test_boundary_results_are_recomputed_exactly_on_the_float_path(
    monkeypatch, method, group, param, threshold, hundredths
):
    calls = []

    def counting(*args, **kwargs):
        calls.append(args)
        return calculate(*args, **kwargs)

    monkeypatch.setattr(vectorized, "calculate", counting)
    kw = dict(mastery_threshold=threshold, param=param, scale=(0, 4))
    # 1/3 is no whole number of ten-thousandths: the call computes in float64.
    h, none = run(method, [group, [1 / 3], [0.5]], **kw)
    assert h[0] == hundredths and not none[0]
    assert any(list(args[1]) == group for args in calls)  # the boundary group was redone


def test_float_rounding_alone_would_be_wrong():
    # The reason for the boundary check: binary floats put these just below the half.
    assert round((2.67 + 2.68) / 2, 2) == 2.67
    assert round(2.675, 2) == 2.67
    assert run("average", [[2.67, 2.68], [1 / 3]], mastery_threshold=3)[0][0] == 268


def test_long_decaying_averages_leave_the_exact_path_and_still_agree():
    rng = np.random.default_rng(7)
    groups = [list(rng.choice([0.0, 1.0, 2.5, 3.0, 4.0], size=k)) for k in range(1, 80)]
    for p in (50, 51, 65, 99):
        kw = dict(mastery_threshold=3, param=p)
        assert run("decaying_average", groups, **kw) == expected("decaying_average", groups, **kw)


@pytest.mark.parametrize("method", sorted(METHODS))
def test_a_very_long_group_among_short_ones(method):
    # Longer than the (length, position) tables are built for.
    rng = np.random.default_rng(3)
    groups = [list(rng.choice([1.0, 2.0, 3.0, 4.0], size=k)) for k in (150, 1, 0, 7, 2)]
    kw = dict(mastery_threshold=3, param=METHODS[method][1], scale=(1, 4))
    assert run(method, groups, **kw) == expected(method, groups, **kw)


def test_mode_with_many_distinct_values_and_ties():
    groups = [[10.5, 20.25, 10.5, 20.25, 99.99], [1.0, 2.0, 3.0], [50.01] * 3 + [50.02] * 3]
    groups += [[i / 100 for i in range(k, k + 40)] for k in range(0, 4000, 400)]
    kw = dict(mastery_threshold=70)
    assert run("mode", groups, **kw) == expected("mode", groups, **kw)
    assert run("mode", groups, **kw)[0][:3] == [2025, 300, 5002]


def test_threshold_comparisons_are_exact():
    group = [[2.5, 2.5]]
    # float("2.5000000000000001") == 2.5, but the decimal threshold is above 2.5
    above = Decimal("2.5000000000000001")
    below = Decimal("2.4999999999999999")
    assert run("n_mastery", group, mastery_threshold=above, param=2) == ([0], [True])
    assert run("n_mastery", group, mastery_threshold=below, param=2) == ([250], [False])
    assert run("n_mastery", group, mastery_threshold="2.5", param=2) == ([250], [False])
    assert run("n_mastery", [[0.1, 0.3]], mastery_threshold=0.1, param=2) == ([20], [False])


def test_empty_groups_and_empty_input():
    kw = dict(mastery_threshold=3)
    assert run("average", [[], [2, 3], [], [4]], **kw) == (
        [0, 250, 0, 400],
        [True, False, True, False],
    )
    assert run("average", [[], []], **kw) == ([0, 0], [True, True])
    h, none = calculate_groups("latest", np.array([]), np.array([], dtype=np.int64), **kw)
    assert h.size == 0 and none.size == 0


def test_negative_values_round_away_from_zero():
    kw = dict(mastery_threshold=0)
    groups = [[-2.675], [-1.0, -2.01], [-0.001, 0.0]]
    assert run("latest", groups, **kw) == ([-268, -201, 0], [False, False, False])
    assert run("average", groups, **kw) == expected("average", groups, **kw)


def test_reference_matches_on_a_mixed_batch():
    rng = np.random.default_rng(11)
    sizes = rng.integers(0, 15, 400)
    values = rng.choice(np.arange(0, 4.01, 0.5), sizes.sum())
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    for method, (_allowed, default) in METHODS.items():
        kw = dict(mastery_threshold=2.5, param=default, scale=(0, 4))
        fast = calculate_groups(method, values, starts, **kw)
        slow = reference_calculate_groups(method, values, starts, **kw)
        assert np.array_equal(fast[0], slow[0]) and np.array_equal(fast[1], slow[1])


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "starts", "message"),
    [
        ([1.0, 2.0], [1], "begin at 0"),
        ([1.0, 2.0], [0, 2, 1], "never decrease"),
        ([1.0, 2.0], [0, 3], "stay within"),
        ([1.0, 2.0], [], "names no group"),
        ([[1.0], [2.0]], [0], "one-dimensional"),
        ([1.0, 2.0], [0.0, 1.5], "integer offsets"),
        ([1.0, np.nan], [0], "finite"),
        ([1.0, np.inf], [0], "finite"),
    ],
)
def test_malformed_layouts_are_refused(values, starts, message):
    for compute in (calculate_groups, reference_calculate_groups):
        with pytest.raises(ValueError, match=message):
            compute("average", np.array(values), np.array(starts), mastery_threshold=3)


@pytest.mark.parametrize(
    ("method", "kw", "message"),
    [
        ("decaying_average", dict(param=20), "decaying_average.*50 to 99"),
        ("latest", dict(param=3), "takes no parameter"),
        ("median", dict(), "Unknown calculation method"),
        ("n_mastery", dict(mastery_threshold=None), "threshold"),
        ("power_law", dict(scale=None), "scale"),
        ("power_law", dict(scale=(2, 4)), "within the scale"),
    ],
)
def test_bad_arguments_raise_like_calculate(method, kw, message):
    kw = {"mastery_threshold": 3, **kw}
    values, starts = layout([[1.0, 3.0]])
    with pytest.raises(ValueError, match=message):
        calculate_groups(method, values, starts, **kw)
    with pytest.raises(ValueError, match=message):
        calculate(method, [1.0, 3.0], **kw)
