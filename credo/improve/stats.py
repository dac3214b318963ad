"""The statistics of the continuous-improvement pages, with no Django in them.

Small-cell suppression, gaps between groups, distributions (quartiles, level shares) and
agreement between assessors (exact, adjacent, quadratic-weighted Cohen's kappa). Every function
takes plain numbers and returns plain numbers, so the pages, the CSV and the tests share them.

Suppression's promise: a reader who knows every published count of a group and the group's
published total cannot work out any hidden count by arithmetic. A group is a partition of one
population (the students of a scope split by sex, or into "yes / no / not recorded" for one
flag); its total is published unless the rule below hides it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Suppression:
    """Which cells of one group are hidden, and whether the group's total is hidden too."""

    hidden: tuple[bool, ...]
    total_hidden: bool = False

    @property
    def any(self) -> bool:
        return any(self.hidden) or self.total_hidden


def suppress(counts: Sequence[int], min_n: int) -> Suppression:
    """Hide every cell of 1 to `min_n` − 1 students, then enough more that none can be derived.

    A cell of zero is shown: it says no student is in it and nothing about anyone. When exactly one
    cell is hidden, the next smallest cell above zero is hidden with it, so the total minus the
    shown cells gives only the sum of two; when there is no such cell, the total is hidden instead.
    """
    if min_n < 1:
        raise ValueError("The minimum cell size must be at least 1.")
    counts = [int(c) for c in counts]
    if any(c < 0 for c in counts):
        raise ValueError("Counts cannot be negative.")
    hidden = [0 < c < min_n for c in counts]
    total_hidden = False
    if sum(hidden) == 1:
        candidates = [(c, i) for i, c in enumerate(counts) if not hidden[i] and c > 0]
        if candidates:
            hidden[min(candidates)[1]] = True
        else:
            total_hidden = True
    return Suppression(tuple(hidden), total_hidden)


def rate(numerator: float, denominator: float) -> float | None:
    """Return numerator / denominator, or None when there is nothing to divide by."""
    return None if not denominator else numerator / denominator


def gap(group_rate: float | None, rest_rate: float | None) -> float | None:
    """Return the group's rate minus the rest's, in percentage points (None if either is unknown)."""
    if group_rate is None or rest_rate is None:
        return None
    return round((group_rate - rest_rate) * 100, 1)


@dataclass(frozen=True)
class Spread:
    """The distribution of a list of numbers: how many, quartiles, median."""

    n: int
    q1: float | None
    median: float | None
    q3: float | None


def spread(values: Sequence[float] | np.ndarray) -> Spread:
    """Return count, lower quartile, median and upper quartile (linear interpolation)."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return Spread(0, None, None, None)
    q1, med, q3 = np.percentile(arr, [25, 50, 75])
    return Spread(int(arr.size), float(q1), float(med), float(q3))


def level_shares(values: Sequence[float], levels: Sequence[float]) -> list[float]:
    """Return the share of `values` at each of `levels` (values off the list count nowhere)."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return [0.0 for _ in levels]
    return [float(np.count_nonzero(np.isclose(arr, lv)) / arr.size) for lv in levels]


def agreement(a: Sequence[float], b: Sequence[float], *, step: float = 1.0) -> tuple[float, float]:
    """Return the shares of paired scores that agree exactly, and within one `step` (adjacent)."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.shape != y.shape:
        raise ValueError("Both assessors must score the same pieces.")
    if x.size == 0:
        return (0.0, 0.0)
    diff = np.abs(x - y)
    exact = float(np.count_nonzero(np.isclose(diff, 0)) / x.size)
    adjacent = float(np.count_nonzero(diff <= step + 1e-9) / x.size)
    return exact, adjacent


def weighted_kappa(a: Sequence[float], b: Sequence[float], levels: Sequence[float]) -> float | None:
    """Return Cohen's kappa with quadratic weights for two raters' scores on the ordered `levels`.

    κ = 1 − Σ w·O / Σ w·E, with w_ij = (i − j)² / (k − 1)², O the observed joint proportions and E
    the product of the two raters' margins. None when it is undefined (no pairs, a single level,
    or both raters always giving one and the same level).
    """
    levels = list(levels)
    k = len(levels)
    if len(a) != len(b):
        raise ValueError("Both assessors must score the same pieces.")
    if not len(a) or k < 2:
        return None
    index = {float(v): i for i, v in enumerate(levels)}
    try:
        ia = np.array([index[float(v)] for v in a])
        ib = np.array([index[float(v)] for v in b])
    except KeyError as exc:
        raise ValueError(f"Score {exc.args[0]} is not a level of the scale.") from None
    observed = np.zeros((k, k))
    np.add.at(observed, (ia, ib), 1)
    observed /= observed.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    i, j = np.indices((k, k))
    weights = (i - j) ** 2 / (k - 1) ** 2
    denominator = float((weights * expected).sum())
    if denominator == 0:
        return None
    return 1.0 - float((weights * observed).sum()) / denominator


def grouped_spreads(groups: np.ndarray, values: np.ndarray) -> dict[int, Spread]:
    """Return the spread of `values` within each distinct label of `groups`, without a loop over
    rows: one sort, then each group's quartiles by position."""
    groups = np.asarray(groups)
    values = np.asarray(values, dtype=float)
    if groups.size == 0:
        return {}
    order = np.lexsort((values, groups))
    g, v = groups[order], values[order]
    labels, starts, counts = np.unique(g, return_index=True, return_counts=True)

    def at(fraction: float) -> np.ndarray:
        pos = starts + fraction * (counts - 1)
        low = np.floor(pos).astype(np.int64)
        high = np.minimum(low + 1, starts + counts - 1)
        return v[low] + (v[high] - v[low]) * (pos - low)

    q1, med, q3 = at(0.25), at(0.5), at(0.75)
    return {
        int(label): Spread(int(n), float(a), float(m), float(b))
        for label, n, a, m, b in zip(labels, counts, q1, med, q3, strict=True)
    }
