"""The compute stage of the bulk recompute: every group's score at once, with numpy.

Pure module: no Django. `calculate_groups` gives, to the last digit, what
`calculations.calculate` gives for each group, much faster:

* When every value is a whole number of hundredths (or thousandths, or ten-thousandths),
  which is the case for proficiency scales, the values are turned into exact integers and
  `latest`, `highest`, `mode`, `average`, `weighted_average`, `n_mastery` and
  `decaying_average` (for histories short enough that its denominators fit in 64 bits)
  are computed as exact integer fractions and rounded exactly.
* Otherwise, and always for `power_law`, the score is computed in float64 with an error
  bound per group; a group whose score lies within that bound of a rounding boundary
  (x.xx5) is recomputed with `calculate`. Such groups are rare, and only they are looped over.

Decimal and float values are compared the way `calculate` compares them: a float stands
for the decimal number its `str()` spells.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np

from credo.mastery.calculations import calculate, validate_param

__all__ = ["calculate_groups", "reference_calculate_groups"]

_EPS = float(np.finfo(np.float64).eps)
_INT_SAFE = 2**62  # every exact intermediate stays below this, well inside int64
_SCALED_LIMIT = 2**49  # integers below ~1e15 spell their float's shortest repr exactly
_TOL_FLOOR = 1e-9  # in hundredths; far above float error for ordinary histories


def calculate_groups(
    method: str,
    values: np.ndarray,
    starts: np.ndarray,
    *,
    mastery_threshold,
    param=None,
    scale: tuple | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (score × 100 as int64, is_none mask) for each group of `values`.

    `values` (float64) holds the groups one after another, each in chronological order;
    `starts` (int64) holds the offset of each group's first value, so it starts at 0 and
    never decreases (a repeated offset is an empty group). Where the score is None the
    hundredths are 0. Raises ValueError as `calculate` does, or for a malformed layout.
    """
    p = validate_param(method, param)
    values, starts = _check_layout(values, starts)
    threshold, bounds = _check_arguments(method, values, mastery_threshold, scale)
    n, g = values.size, starts.size
    lengths = np.diff(starts, append=n)
    hundredths = np.zeros(g, dtype=np.int64)
    is_none = np.ones(g, dtype=bool)
    nonempty = lengths > 0
    if not nonempty.any():
        return hundredths, is_none
    if nonempty.all():
        groups = _Groups(values, starts, lengths)
    else:
        groups = _Groups(values, starts[nonempty], lengths[nonempty])
    h, none, redo = _METHODS[method](groups, p=p, threshold=threshold, bounds=bounds)
    for j in np.flatnonzero(redo).tolist():
        a, b = int(groups.starts[j]), int(groups.ends[j])
        score = calculate(
            method,
            values[a:b].tolist(),
            mastery_threshold=mastery_threshold,
            param=param,
            scale=scale,
        )
        none[j] = score is None
        h[j] = 0 if score is None else int(score.scaleb(2))
    h = np.where(none, 0, h).astype(np.int64, copy=False)
    if nonempty.all():
        return h, none
    hundredths[nonempty] = h
    is_none[nonempty] = none
    return hundredths, is_none


def reference_calculate_groups(
    method: str,
    values: np.ndarray,
    starts: np.ndarray,
    *,
    mastery_threshold,
    param=None,
    scale: tuple | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return what `calculate_groups` returns, by calling `calculate` on each group in turn."""
    validate_param(method, param)
    values, starts = _check_layout(values, starts)
    ends = np.append(starts[1:], values.size).tolist()
    hundredths = np.zeros(starts.size, dtype=np.int64)
    is_none = np.zeros(starts.size, dtype=bool)
    flat = values.tolist()
    for j, (a, b) in enumerate(zip(starts.tolist(), ends, strict=True)):
        score = calculate(
            method, flat[a:b], mastery_threshold=mastery_threshold, param=param, scale=scale
        )
        if score is None:
            is_none[j] = True
        else:
            hundredths[j] = int(score.scaleb(2))
    return hundredths, is_none


# --- input checks -------------------------------------------------------------------------


def _check_layout(values, starts) -> tuple[np.ndarray, np.ndarray]:
    values = np.ascontiguousarray(values, dtype=np.float64)
    starts = np.asarray(starts)
    if values.ndim != 1 or starts.ndim != 1:
        raise ValueError("values and starts must be one-dimensional arrays.")
    if starts.size and not np.issubdtype(starts.dtype, np.integer):
        raise ValueError("starts must hold integer offsets.")
    starts = np.ascontiguousarray(starts, dtype=np.int64)
    if starts.size == 0:
        if values.size:
            raise ValueError("values are given but starts names no group.")
        return values, starts
    if starts[0] != 0 or starts[-1] > values.size or (np.diff(starts) < 0).any():
        raise ValueError(
            "starts must begin at 0, never decrease and stay within the values "
            f"(got {starts.size} offsets for {values.size} values)."
        )
    if values.size and not (np.isfinite(values.min()) and np.isfinite(values.max())):
        raise ValueError("Every value must be a finite number.")
    return values, starts


def _check_arguments(method, values, mastery_threshold, scale):
    """Return the threshold and scale bounds as Decimals, checked as `calculate` checks them."""
    threshold = bounds = None
    if method == "n_mastery":
        if mastery_threshold is None:
            raise ValueError("The n_mastery method needs a mastery threshold.")
        # calculate() does the checking and the error message
        calculate(method, [], mastery_threshold=mastery_threshold, param=None)
        threshold = Decimal(str(mastery_threshold).strip())
    if method == "power_law":
        calculate(method, [], mastery_threshold=mastery_threshold, scale=scale)
        low, high = (Decimal(str(b).strip()) for b in scale)
        bounds = (low, high)
        inside = _at_least(values, low) & _at_most(values, high)
        if not inside.all():
            bad = values[np.argmin(inside)]
            raise ValueError(
                f"The power_law method needs values within the scale {low}..{high} (got {bad!r})."
            )
    return threshold, bounds


def _at_least(values: np.ndarray, bound: Decimal) -> np.ndarray:
    """Return where Decimal(str(value)) >= bound, exactly."""
    t = float(bound)
    if math.isinf(t):
        return np.full(values.shape, t < 0)
    # Floats are ordered as the shortest decimals that spell them, so only a value equal
    # to the float nearest the bound needs a closer look.
    return values >= t if Decimal(repr(t)) >= bound else values > t


def _at_most(values: np.ndarray, bound: Decimal) -> np.ndarray:
    """Return where Decimal(str(value)) <= bound, exactly."""
    t = float(bound)
    if math.isinf(t):
        return np.full(values.shape, t > 0)
    return values <= t if Decimal(repr(t)) <= bound else values < t


# --- shared machinery ---------------------------------------------------------------------


class _Groups:
    """Non-empty contiguous groups and per-element helpers, each computed on first use."""

    def __init__(self, values: np.ndarray, starts: np.ndarray, lengths: np.ndarray):
        self.values = values
        self.starts = starts
        self.lengths = lengths
        self.ends = starts + lengths
        self.kmax = int(lengths.max())
        self.vmax = max(abs(float(values.min())), abs(float(values.max())), 1.0)
        self._scaled: tuple[np.ndarray, int] | None | bool = False
        self._pos: np.ndarray | None = None
        self._k: np.ndarray | None = None
        self._cell: np.ndarray | None | bool = False

    @property
    def scaled(self) -> tuple[np.ndarray, int] | None:
        """Return (values × 10**s as exact int64, s) for the smallest s in 2..4 that works."""
        if self._scaled is False:
            self._scaled = _scaled_integers(self.values, self.vmax)
        return self._scaled  # type: ignore[return-value]

    @property
    def pos(self) -> np.ndarray:
        """Return each element's 0-based position within its group."""
        if self._pos is None:
            pos = np.arange(self.values.size, dtype=np.int64)
            pos -= np.repeat(self.starts, self.lengths)
            self._pos = pos
        return self._pos

    @property
    def k(self) -> np.ndarray:
        """Return, for each element, the length of its group."""
        if self._k is None:
            self._k = np.repeat(self.lengths, self.lengths)
        return self._k

    @property
    def cell(self) -> np.ndarray | None:
        """Return each element's index in a triangular (length, position) table, or None.

        Row k (k = 1..kmax) of the table starts at k·(k − 1)/2 and holds k cells, one per
        position; None when such a table would be larger than the values themselves.
        """
        if self._cell is False:
            if self.kmax * (self.kmax + 1) // 2 > max(self.values.size, 1 << 12):
                self._cell = None
            else:
                row = self.lengths * (self.lengths - 1) // 2 - self.starts
                cell = np.arange(self.values.size, dtype=np.int64)
                cell += np.repeat(row, self.lengths)
                self._cell = cell
        return self._cell  # type: ignore[return-value]

    def per_element(self, fill) -> np.ndarray:
        """Return fill(k, pos) for every element, where k is its group's length.

        `fill` maps arrays of lengths and 0-based positions to one number each. When the
        groups are short it is evaluated once per (length, position) pair and looked up.
        """
        cell = self.cell
        if cell is None:
            return fill(self.k, self.pos)
        sizes = np.arange(1, self.kmax + 1, dtype=np.int64)
        k = np.repeat(sizes, sizes)
        pos = np.arange(k.size, dtype=np.int64) - np.repeat(sizes * (sizes - 1) // 2, sizes)
        return fill(k, pos)[cell]

    def float_tolerance(self) -> np.ndarray:
        """Return, per group, a bound (in hundredths) on the float error of sums and means."""
        return np.maximum(_TOL_FLOOR, 100.0 * _EPS * self.vmax * 8.0 * (self.lengths + 16.0))


def _scaled_integers(values: np.ndarray, vmax: float) -> tuple[np.ndarray, int] | None:
    for s in (2, 3, 4):
        factor = float(10**s)
        if vmax * factor >= _SCALED_LIMIT:
            return None
        h = values * factor
        np.rint(h, out=h)
        # A float equal to h / 10**s (correctly rounded) is spelled exactly h / 10**s
        # by str(), since both have at most 15 significant digits.
        if np.array_equal(h / factor, values):
            return h.astype(np.int64), s
    return None


def _round_exact(num: np.ndarray, den: np.ndarray | int) -> np.ndarray:
    """Return num / den rounded to an integer, halves away from zero (den > 0)."""
    a = np.abs(num)
    q = (2 * a + den) // (2 * den)
    return np.where(num < 0, -q, q)


def _round_float(x: np.ndarray, tol: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Return (x × 100 rounded half away from zero, where that rounding is not certain)."""
    y = np.abs(x) * 100.0
    fine = y < 2.0**52
    y = np.where(fine, y, 0.0)
    r = np.floor(y + 0.5)
    near = (np.abs(y - np.floor(y) - 0.5) <= tol) | ~fine
    return np.where(x < 0, -r, r).astype(np.int64), near


def _selected(groups: _Groups, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (hundredths, uncertain) for one chosen value per group."""
    if groups.scaled is not None:
        h, s = groups.scaled
        return _round_exact(h[index], 10 ** (s - 2)), np.zeros(index.size, dtype=bool)
    return _round_float(groups.values[index], groups.float_tolerance())


def _top(groups: _Groups, s: int) -> int:
    """Return a bound on the magnitude of the values as integers of 10**-s."""
    return math.ceil(groups.vmax * 10**s) + 1


def _fits(*bounds: int) -> bool:
    return all(b < _INT_SAFE for b in bounds)


# --- methods ------------------------------------------------------------------------------
# Each returns (hundredths, is_none, recompute) for the non-empty groups.


def _latest(groups: _Groups, **_):
    h, redo = _selected(groups, groups.ends - 1)
    return h, np.zeros(h.size, dtype=bool), redo


def _highest(groups: _Groups, **_):
    if groups.scaled is not None:
        ints, s = groups.scaled
        top = np.maximum.reduceat(ints, groups.starts)
        h = _round_exact(top, 10 ** (s - 2))
        return h, np.zeros(h.size, dtype=bool), np.zeros(h.size, dtype=bool)
    top = np.maximum.reduceat(groups.values, groups.starts)
    h, redo = _round_float(top, groups.float_tolerance())
    return h, np.zeros(h.size, dtype=bool), redo


def _mean_of(groups: _Groups, mask: np.ndarray | None, count: np.ndarray):
    """Return (hundredths, recompute) of the mean of the (masked) values of each group."""
    safe = np.maximum(count, 1)
    scaled = groups.scaled
    if scaled is not None:
        ints, s = scaled
        top = _top(groups, s)
        if _fits(2 * groups.kmax * top + groups.kmax * 10 ** (s - 2)):
            picked = ints if mask is None else np.where(mask, ints, 0)
            total = np.add.reduceat(picked, groups.starts)
            return _round_exact(total, safe * 10 ** (s - 2)), np.zeros(count.size, dtype=bool)
    picked = groups.values if mask is None else np.where(mask, groups.values, 0.0)
    total = np.add.reduceat(picked, groups.starts)
    return _round_float(total / safe, groups.float_tolerance())


def _average(groups: _Groups, **_):
    h, redo = _mean_of(groups, None, groups.lengths)
    return h, np.zeros(h.size, dtype=bool), redo


def _n_mastery(groups: _Groups, *, p: int, threshold: Decimal, **_):
    reached = _at_least(groups.values, threshold)
    count = np.add.reduceat(reached, groups.starts, dtype=np.int64)
    none = (groups.lengths < p) | (count < p)
    h, redo = _mean_of(groups, reached, count)
    return h, none, redo & ~none


def _weighted_average(groups: _Groups, *, p: int, **_):
    k = groups.lengths
    single = k == 1
    earlier_n = np.maximum(k - 1, 1)
    last_index = groups.ends - 1
    scaled = groups.scaled
    if scaled is not None:
        ints, s = scaled
        top = _top(groups, s)
        unit = 10 ** (s - 2)
        if _fits(2 * 100 * groups.kmax * top + 100 * groups.kmax * unit):
            total = np.add.reduceat(ints, groups.starts)
            last = ints[last_index]
            # w·vk + (1 − w)·mean(earlier) = (p·vk·(k − 1) + (100 − p)·Σearlier) / (100·(k − 1))
            num = p * last * earlier_n + (100 - p) * (total - last)
            den = 100 * earlier_n * unit
            num = np.where(single, last, num)
            den = np.where(single, unit, den)
            h = _round_exact(num, den)
            return h, np.zeros(h.size, dtype=bool), np.zeros(h.size, dtype=bool)
    w = p / 100.0
    total = np.add.reduceat(groups.values, groups.starts)
    last = groups.values[last_index]
    x = np.where(single, last, w * last + (1.0 - w) * ((total - last) / earlier_n))
    h, redo = _round_float(x, groups.float_tolerance())
    return h, np.zeros(h.size, dtype=bool), redo


def _decaying_average(groups: _Groups, *, p: int, **_):
    g = groups.lengths.size
    h = np.zeros(g, dtype=np.int64)
    redo = np.zeros(g, dtype=bool)
    exact = np.zeros(g, dtype=bool)
    scaled = groups.scaled
    if scaled is not None:
        ints, s = scaled
        unit = 10 ** (s - 2)
        top = _top(groups, s)
        # With w = new/q in lowest terms and keep = q − new, d_k · q^(k−1) is the integer
        #   keep^(k−1)·v1 + Σ_{i≥2} new·keep^(k−i)·q^(i−2)·vi,
        # whose coefficients are all ≥ 0 and add up to q^(k−1): exact while that fits.
        gcd = math.gcd(p, 100)
        q, new = 100 // gcd, p // gcd
        keep = q - new
        longest = 1
        while longest < groups.kmax and _fits(2 * q**longest * (top + unit)):
            longest += 1
        exact = groups.lengths <= longest
        pow_keep = np.array([keep**j for j in range(longest)], dtype=np.int64)
        # new·q^(i−2) for the i-th value (i ≥ 2); 1 for the first
        pow_new = np.array([1] + [new * q**j for j in range(longest - 1)], dtype=np.int64)

        def coefficient(k, pos):
            inside = k <= longest
            from_end = np.where(inside, k - 1 - pos, 0)
            return np.where(inside, pow_keep[from_end] * pow_new[np.where(inside, pos, 0)], 0)

        coef = groups.per_element(coefficient)
        num = np.add.reduceat(coef * ints, groups.starts)
        den = np.array([q**j * unit for j in range(longest)], dtype=np.int64)
        h = np.where(exact, _round_exact(num, den[np.minimum(groups.lengths, longest) - 1]), 0)
    if not exact.all():
        # Float for the rest: d_k = (1 − w)^(k−1)·v1 + Σ_{i≥2} w·(1 − w)^(k−i)·vi.
        w = p / 100.0
        powers = np.power(1.0 - w, np.arange(groups.kmax, dtype=np.float64))

        def weight(k, pos):
            return powers[k - 1 - pos] * np.where(pos == 0, 1.0, w)

        x = np.add.reduceat(groups.per_element(weight) * groups.values, groups.starts)
        hf, redo = _round_float(x, groups.float_tolerance())
        h = np.where(exact, h, hf)
        redo &= ~exact
    return h, np.zeros(g, dtype=bool), redo


def _mode(groups: _Groups, **_):
    codes, distinct = _value_codes(groups)
    bits = groups.kmax.bit_length()  # a count never exceeds kmax
    per_word = 63 // bits
    if distinct.size <= 2 * per_word:
        best_code = _mode_by_packed_counts(groups, codes, distinct.size, bits, per_word)
    else:
        best_code = _mode_by_sorting(groups, codes, distinct.size)
    chosen = distinct[best_code]
    g = groups.lengths.size
    scaled = groups.scaled
    if scaled is not None:
        _ints, s = scaled
        h = _round_exact(chosen, 10 ** (s - 2))
        return h, np.zeros(g, dtype=bool), np.zeros(g, dtype=bool)
    h, redo = _round_float(chosen, groups.float_tolerance())
    return h, np.zeros(g, dtype=bool), redo


def _mode_by_packed_counts(groups: _Groups, codes, v: int, bits: int, per_word: int):
    """Return each group's mode code, counting every value code in a bit field of an int64."""
    words = []
    for first in range(0, v, per_word):
        local = codes - first
        if first == 0 and v <= per_word:
            field = np.left_shift(np.int64(1), local * bits)
        else:
            inside = (local >= 0) & (local < per_word)
            field = np.where(
                inside, np.left_shift(np.int64(1), np.where(inside, local, 0) * bits), 0
            )
        words.append(np.add.reduceat(field, groups.starts))
    mask = (1 << bits) - 1
    best = np.zeros(groups.lengths.size, dtype=np.int64)
    for code in range(v):
        count = (words[code // per_word] >> ((code % per_word) * bits)) & mask
        # count·v + code orders by count, then by value: a tie goes to the highest value
        count *= v
        count += code
        np.maximum(best, count, out=best)
    return best % v


def _mode_by_sorting(groups: _Groups, codes, v: int):
    """Return each group's mode code from runs of equal codes in the sorted (group, code) keys."""
    g = groups.lengths.size
    dtype = np.int32 if g * v < 2**31 else np.int64
    base = np.repeat(np.arange(g, dtype=dtype) * dtype(v), groups.lengths)
    key = base + codes.astype(dtype, copy=False)
    key.sort()  # groups are already in order, so this only sorts within each group
    n = key.size
    change = np.empty(n, dtype=bool)
    change[0] = True
    np.not_equal(key[1:], key[:-1], out=change[1:])
    run_start = np.flatnonzero(change)
    run_len = np.empty_like(run_start)
    np.subtract(run_start[1:], run_start[:-1], out=run_len[:-1])
    run_len[-1] = n - run_start[-1]
    key -= base  # each element's own code again, now sorted within its group
    # run_len·v + code orders runs by count, then by value: a tie goes to the highest value
    run_len *= v
    run_len += key[run_start]
    group_start = np.zeros(n, dtype=bool)
    group_start[groups.starts] = True
    first_run = np.flatnonzero(group_start[run_start])
    return np.maximum.reduceat(run_len, first_run) % v


def _value_codes(groups: _Groups) -> tuple[np.ndarray, np.ndarray]:
    """Return (a code per element, ascending with its value; the distinct values by code)."""
    scaled = groups.scaled
    if scaled is None:
        distinct, codes = np.unique(groups.values, return_inverse=True)
        return codes.astype(np.int64), distinct
    ints, _s = scaled
    low = int(ints.min())
    span = int(ints.max()) - low + 1
    if span <= max(4 * ints.size, 1 << 16):
        shifted = ints - low
        present = np.bincount(shifted, minlength=span) > 0
        code_of = np.cumsum(present) - 1
        return code_of[shifted], np.flatnonzero(present) + low
    distinct, codes = np.unique(ints, return_inverse=True)
    return codes.astype(np.int64), distinct


def _power_law(groups: _Groups, *, bounds: tuple[Decimal, Decimal], **_):
    low, high = bounds
    k = groups.lengths
    shift = float(low - 1)
    lo, hi = float(low), float(high)
    y = np.log(groups.values - shift)
    # Per length n = 1..kmax (index n): ln n, the mean of ln 1..ln n, Σ (ln i − mean)².
    idx = np.arange(groups.kmax + 1, dtype=np.float64)
    size = np.maximum(idx, 1.0)
    ln = np.log(size)
    sum_x = np.cumsum(ln)
    mean_x = sum_x / size
    spread = np.maximum(np.cumsum(ln * ln) - sum_x * mean_x, 0.0)
    spread[:2] = 1.0  # lengths 0 and 1 have no fit
    lever = (ln - mean_x) / spread

    def weight(n, pos):
        # The fitted ln u at i = n is Σ c_i·ln u_i, c_i = 1/n + (ln i − mean)·(ln n − mean)/spread.
        return 1.0 / n + (ln[pos + 1] - mean_x[n]) * lever[n]

    fitted = np.exp(np.add.reduceat(groups.per_element(weight) * y, groups.starts))
    x = np.clip(fitted + shift, lo, hi)
    single = k == 1
    x = np.where(single, groups.values[groups.starts], x)
    # Error bound: Σ|c_i| ≤ 1 + |ln n − mean|·sqrt(n / spread) (Cauchy–Schwarz), times the
    # size of the logs, the summation length and the conditioning of the tables.
    weight_sum = 1.0 + np.abs(ln - mean_x) * np.sqrt(size / spread)
    y_top = max(abs(float(y.min())), abs(float(y.max()))) + 1.0
    reach = hi - lo + 1.0 + abs(shift) + 1.0
    tol = 100.0 * _EPS * 64.0 * reach * y_top * weight_sum[k] * (k + 16.0) * (1.0 + ln[k] ** 2)
    tol = np.maximum(tol, groups.float_tolerance())
    h, redo = _round_float(x, tol)
    return h, np.zeros(k.size, dtype=bool), redo


_METHODS = {
    "latest": _latest,
    "highest": _highest,
    "average": _average,
    "mode": _mode,
    "decaying_average": _decaying_average,
    "weighted_average": _weighted_average,
    "n_mastery": _n_mastery,
    "power_law": _power_law,
}
