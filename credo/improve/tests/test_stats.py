"""The pure statistics: suppression, gaps, spreads and agreement, against known answers."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credo.improve import stats


def test_no_cell_small_nothing_hidden():
    s = stats.suppress([12, 30, 0], 10)
    assert s.hidden == (False, False, False) and not s.total_hidden


def test_one_small_cell_hides_the_next_smallest_too():
    s = stats.suppress([3, 40, 12, 25], 10)
    assert s.hidden == (True, False, True, False)
    assert not s.total_hidden


def test_two_small_cells_need_nothing_more():
    assert stats.suppress([3, 4, 50], 10).hidden == (True, True, False)


def test_zero_is_shown_and_never_taken_as_the_complement():
    # The complement must be a cell above zero: here 11, not the 0.
    assert stats.suppress([0, 2, 11, 40], 10).hidden == (False, True, True, False)


def test_a_lone_small_cell_with_only_zeros_beside_it_hides_the_total():
    s = stats.suppress([4, 0, 0], 10)
    assert s.hidden == (True, False, False) and s.total_hidden


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        stats.suppress([1, 2], 0)
    with pytest.raises(ValueError):
        stats.suppress([-1, 2], 5)


def _solutions(counts, hidden, total_hidden, limit):
    """Every assignment of non-negative integers to the hidden cells that agrees with what is
    published (the shown cells and, unless hidden, the total)."""
    shown_sum = sum(c for c, h in zip(counts, hidden, strict=True) if not h)
    k = sum(hidden)
    total = sum(counts)
    for values in itertools.product(range(limit + 1), repeat=k):
        if total_hidden or shown_sum + sum(values) == total:
            yield values


@settings(max_examples=300, deadline=None)
@given(
    counts=st.lists(st.integers(min_value=0, max_value=14), min_size=1, max_size=4),
    min_n=st.integers(min_value=2, max_value=8),
)
def test_no_hidden_count_can_be_worked_out_from_the_published_ones(counts, min_n):
    s = stats.suppress(counts, min_n)
    # Primary: every cell of 1 to min_n - 1 is hidden.
    for c, h in zip(counts, s.hidden, strict=True):
        if 0 < c < min_n:
            assert h
    hidden_idx = [i for i, h in enumerate(s.hidden) if h]
    if not hidden_idx:
        return
    limit = sum(counts) + 1
    sols = list(_solutions(counts, s.hidden, s.total_hidden, limit))
    truth = tuple(counts[i] for i in hidden_idx)
    assert truth in sols
    for j in range(len(hidden_idx)):
        assert len({sol[j] for sol in sols}) > 1, (counts, min_n, s)


def test_gap_in_points():
    assert stats.gap(0.55, 0.70) == -15.0
    assert stats.gap(None, 0.5) is None


def test_spread_quartiles():
    sp = stats.spread([1, 2, 3, 4, 5])
    assert (sp.n, sp.q1, sp.median, sp.q3) == (5, 2.0, 3.0, 4.0)
    assert stats.spread([]).median is None


def test_grouped_spreads_equal_one_group_at_a_time():
    rng = np.random.default_rng(3)
    groups = rng.integers(0, 5, 400)
    values = rng.integers(0, 200, 400).astype(float)
    out = stats.grouped_spreads(groups, values)
    for g in range(5):
        expected = np.percentile(values[groups == g], [25, 50, 75])
        got = out[g]
        assert got.n == int((groups == g).sum())
        assert np.allclose([got.q1, got.median, got.q3], expected)


def test_agreement_exact_and_adjacent():
    exact, adjacent = stats.agreement([1, 2, 3, 4], [1, 3, 1, 4])
    assert exact == 0.5 and adjacent == 0.75


def test_weighted_kappa_hand_computed():
    # Levels 1-3; pairs (1,1) (2,3) (3,3) (1,2). Σw·O = 0.125, Σw·E = 0.40625: κ = 1 - 0.125/0.40625.
    k = stats.weighted_kappa([1, 2, 3, 1], [1, 3, 3, 2], [1, 2, 3])
    assert k == pytest.approx(9 / 13)


def test_weighted_kappa_edges():
    assert stats.weighted_kappa([1, 2, 3], [1, 2, 3], [1, 2, 3]) == pytest.approx(1.0)
    assert stats.weighted_kappa([2, 2], [2, 2], [1, 2, 3]) is None
    assert stats.weighted_kappa([], [], [1, 2]) is None
    # Opposite ends every time: as bad as it gets.
    assert stats.weighted_kappa([1, 3], [3, 1], [1, 2, 3]) == pytest.approx(-1.0)
    with pytest.raises(ValueError):
        stats.weighted_kappa([1, 7], [1, 2], [1, 2, 3])


def test_level_shares():
    assert stats.level_shares([1, 1, 2, 4], [1, 2, 3, 4]) == [0.5, 0.25, 0.0, 0.25]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 9)), max_size=60))
def test_distinct_values_per_label_equal_a_set_count(pairs):
    from credo.improve.selectors.proficiency import _distinct_per_label

    labels = np.array([p[0] for p in pairs], dtype=np.int64)
    values = np.array([p[1] for p in pairs], dtype=np.int64)
    expected: dict[int, set] = {}
    for label, value in pairs:
        expected.setdefault(label, set()).add(value)
    assert _distinct_per_label(labels, values) == {k: len(v) for k, v in expected.items()}


def test_raw_columns_read_as_the_orm_would():
    import datetime as dt

    from credo.improve.selectors.scope import _day, days, flags

    assert flags([True, False, None, 1, 0]).tolist() == [1, 0, -1, 1, 0]
    assert flags([]).tolist() == []
    when = [dt.date(2025, 9, 1), dt.date(1969, 12, 31)]
    assert days(when).tolist() == [_day(d) for d in when]
    assert days(["2025-09-01", "1969-12-31"]).tolist() == [_day(d) for d in when]
