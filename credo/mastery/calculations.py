"""Calculation methods that turn a student's assessment history into one mastery score.

Pure module: no Django. Every method works in `Decimal` on the values converted through
`str()`, inside a local decimal context, and rounds once, at the end, to two places with
ROUND_HALF_UP. `None` means "no score yet".

The precision of the local context grows with the history so that every method whose
result is a rational function of the values (all but `power_law`) is computed exactly
up to its final division, which is correctly rounded to at least 40 significant digits;
`power_law` uses the context's correctly rounded `ln` and `exp`. The same inputs always
give the same digits on every platform.
"""

from __future__ import annotations

import numbers
from collections import Counter
from collections.abc import Sequence
from decimal import (
    ROUND_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    getcontext,
    localcontext,
)
from functools import lru_cache

__all__ = [
    "METHODS",
    "calculate",
    "explain",
    "validate_param",
]

# name -> ((lowest, highest) allowed parameter, or None when the method takes none; default)
METHODS: dict[str, tuple[tuple[int, int] | None, int | None]] = {
    "latest": (None, None),
    "highest": (None, None),
    "average": (None, None),
    "mode": (None, None),
    "decaying_average": ((50, 99), 65),
    "weighted_average": ((1, 99), 65),
    "n_mastery": ((1, 10), 5),
    "power_law": (None, None),
}

_BASE_PRECISION = 40
_HUNDREDTH = Decimal("0.01")
_ONE = Decimal(1)
_ZERO = Decimal(0)


def validate_param(method: str, param: object = None) -> int | None:
    """Return the parameter `method` will use, the default when `param` is None.

    Raise ValueError, naming the method and what it allows, for an unknown method, a
    parameter given to a method that takes none, a non-integer or an out-of-range value.
    """
    if method not in METHODS:
        raise ValueError(
            f"Unknown calculation method {method!r}; choose one of {', '.join(METHODS)}."
        )
    allowed, default = METHODS[method]
    if allowed is None:
        if param is not None:
            raise ValueError(f"The {method} method takes no parameter (got {param!r}).")
        return None
    low, high = allowed
    if param is None:
        return default
    if isinstance(param, bool) or not isinstance(param, numbers.Integral):
        raise ValueError(
            f"The {method} parameter must be a whole number from {low} to {high} (got {param!r})."
        )
    if not low <= param <= high:
        raise ValueError(f"The {method} parameter must be from {low} to {high} (got {param}).")
    return int(param)


def calculate(
    method: str,
    values: Sequence,
    *,
    mastery_threshold,
    param=None,
    scale: tuple | None = None,
) -> Decimal | None:
    """Return the score of the chronologically ordered `values` rounded to 2 places, or None.

    `scale` is the proficiency scale's (min, max); `power_law` needs it. A bad method,
    parameter, threshold, scale or value raises ValueError.
    """
    return _run(method, values, mastery_threshold, param, scale, trace=None)


def explain(
    method: str,
    values: Sequence,
    *,
    mastery_threshold,
    param=None,
    scale: tuple | None = None,
) -> list[str]:
    """Return, one line per step, the arithmetic `calculate` does for these arguments.

    The lines are recorded while the same code computes the score, so they describe exactly
    what `calculate` does; numbers longer than 4 places are shown cut short, ending in "…".
    """
    trace: list[str] = []
    _run(method, values, mastery_threshold, param, scale, trace=trace)
    return [line.removesuffix(".") if line.endswith("….") else line for line in trace]


# --- driver -------------------------------------------------------------------------------


def _run(method, values, mastery_threshold, param, scale, *, trace):
    p = validate_param(method, param)
    vs = [_to_decimal(v, "value") for v in values]
    threshold = None
    if method == "n_mastery":
        if mastery_threshold is None:
            raise ValueError("The n_mastery method needs a mastery threshold.")
        threshold = _to_decimal(mastery_threshold, "mastery threshold")
    bounds = None
    if method == "power_law":
        bounds = _scale_bounds(scale)
        for v in vs:
            if not bounds[0] <= v <= bounds[1]:
                raise ValueError(
                    f"The power_law method needs values within the scale "
                    f"{bounds[0]}..{bounds[1]} (got {v})."
                )
    if not vs:
        if trace is not None:
            trace.append("No assessments count yet, so there is no score.")
        return None
    widest = max(_digits(v) for v in vs)
    if method == "power_law":
        # Logarithms are never exact; 40 digits keep the fit far below a hundredth.
        prec = _BASE_PRECISION + widest
    else:
        # Exact for every rational step: the widest value, two more digits per step of the
        # decaying average, and the base precision for the one final division.
        prec = _BASE_PRECISION + widest + 2 * len(vs) + 10
    ctx = Context(
        prec=prec,
        rounding=ROUND_HALF_EVEN,
        traps=[InvalidOperation, DivisionByZero, Overflow],
    )
    with localcontext(ctx):
        raw = _COMPUTE[method](vs, p=p, threshold=threshold, bounds=bounds, trace=trace)
        if raw is None:
            return None
        result = raw.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)
        if result.is_zero():
            result = abs(result)  # never report "-0.00"
    if trace is not None:
        if raw == result:
            trace.append(f"Score: {result}.")
        else:
            trace.append(
                f"Rounded once, to 2 places (halves away from zero): {_fmt(raw)} → {result}."
            )
    return result


def _to_decimal(value, what: str) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"A {what} must be a number (got {value!r}).")
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValueError(f"A {what} must be a number (got {value!r}).") from None
    if not d.is_finite():
        raise ValueError(f"A {what} must be a finite number (got {value!r}).")
    return d


def _scale_bounds(scale) -> tuple[Decimal, Decimal]:
    if scale is None:
        raise ValueError("The power_law method needs the scale's (min, max).")
    try:
        low, high = scale
    except (TypeError, ValueError):
        raise ValueError(f"A scale must be a (min, max) pair (got {scale!r}).") from None
    low = _to_decimal(low, "scale minimum")
    high = _to_decimal(high, "scale maximum")
    if low > high:
        raise ValueError(f"A scale's minimum must not exceed its maximum (got {low}..{high}).")
    return low, high


def _digits(d: Decimal) -> int:
    """Return how many digits `d` spans from its leading digit down to its last place."""
    _sign, digits, exponent = d.as_tuple()
    return max(len(digits), -exponent) + max(exponent, 0) + 1


def _fmt(d: Decimal) -> str:
    """Return `d` for a person: in full up to 4 places, else cut after 4 places and marked "…"."""
    if d == d.to_integral_value() and abs(d) < 10**20:
        return str(d.quantize(_ONE))
    n = d.normalize()
    if -n.as_tuple().exponent <= 4:
        return f"{n:f}"
    return f"{d.quantize(Decimal('0.0001'), rounding=ROUND_DOWN):f}…"


def _list(vs: Sequence[Decimal]) -> str:
    return ", ".join(_fmt(v) for v in vs)


# --- methods ------------------------------------------------------------------------------
# Each takes the values as Decimals (non-empty) and returns the unrounded score or None,
# appending readable steps to `trace` when it is a list.


def _latest(vs, *, trace, **_):
    if trace is not None:
        trace.append(f"Latest of {len(vs)} assessment(s): {_fmt(vs[-1])}.")
    return vs[-1]


def _highest(vs, *, trace, **_):
    top = max(vs)
    if trace is not None:
        trace.append(f"Highest of {_list(vs)}: {_fmt(top)}.")
    return top


def _average(vs, *, trace, **_):
    total = sum(vs, _ZERO)
    mean = total / len(vs)
    if trace is not None:
        trace.append(f"Sum of {_list(vs)} = {_fmt(total)}.")
        trace.append(f"Average = {_fmt(total)} / {len(vs)} = {_fmt(mean)}.")
    return mean


def _mode(vs, *, trace, **_):
    counts = Counter(vs)  # Decimal('3') and Decimal('3.0') are one value
    best = max(counts.values())
    pick = max(v for v, c in counts.items() if c == best)
    if trace is not None:
        tied = sorted((v for v, c in counts.items() if c == best), reverse=True)
        listing = "; ".join(f"{_fmt(v)} × {c}" for v, c in sorted(counts.items()))
        trace.append(f"How often each value occurs: {listing}.")
        if len(tied) > 1:
            trace.append(
                f"{_list(tied)} tie at {best} times each; "
                f"the highest tied value counts: {_fmt(pick)}."
            )
        else:
            trace.append(f"Most frequent value: {_fmt(pick)} ({best} times).")
    return pick


def _decaying_average(vs, *, p, trace, **_):
    w = Decimal(p) / 100
    keep = _ONE - w
    d = vs[0]
    if trace is not None:
        trace.append(f"Decaying average: each new value weighs {p}%, the running score {100 - p}%.")
        trace.append(f"d1 = v1 = {_fmt(d)}.")
    for i, v in enumerate(vs[1:], start=2):
        new = keep * d + w * v  # exact: the context is wide enough for every step
        if trace is not None:
            trace.append(f"d{i} = {_fmt(keep)} × {_fmt(d)} + {_fmt(w)} × {_fmt(v)} = {_fmt(new)}.")
        d = new
    return d


def _weighted_average(vs, *, p, trace, **_):
    w = Decimal(p) / 100
    k = len(vs)
    if k == 1:
        if trace is not None:
            trace.append(f"Only one assessment, so the score is v1 = {_fmt(vs[0])}.")
        return vs[0]
    last = vs[-1]
    earlier = sum(vs[:-1], _ZERO)
    # An exact numerator and one division, so the only rounding before the final one is
    # the correctly rounded quotient.
    result = (w * last * (k - 1) + (_ONE - w) * earlier) / (k - 1)
    if trace is not None:
        mean = earlier / (k - 1)
        trace.append(
            f"Weighted average: {p}% on the latest value, {100 - p}% on the mean of the earlier ones."
        )
        trace.append(
            f"Mean of the {k - 1} earlier value(s) = {_fmt(earlier)} / {k - 1} = {_fmt(mean)}."
        )
        trace.append(
            f"{_fmt(w)} × {_fmt(last)} + {_fmt(_ONE - w)} × {_fmt(mean)} = {_fmt(result)}."
        )
    return result


def _n_mastery(vs, *, p, threshold, trace, **_):
    k = len(vs)
    if k < p:
        if trace is not None:
            trace.append(f"Needs at least {p} assessment(s); there are {k}, so no score yet.")
        return None
    hits = [v for v in vs if v >= threshold]
    if trace is not None:
        reached = f": {_list(hits)}" if hits else ""
        trace.append(
            f"{len(hits)} of {k} value(s) reach the mastery threshold {_fmt(threshold)}{reached}."
        )
    if len(hits) < p:
        if trace is not None:
            trace.append(f"Needs at least {p} at or above the threshold, so no score yet.")
        return None
    total = sum(hits, _ZERO)
    mean = total / len(hits)
    if trace is not None:
        trace.append(f"Mean of those = {_fmt(total)} / {len(hits)} = {_fmt(mean)}.")
    return mean


def _power_law(vs, *, bounds, trace, **_):
    low, high = bounds
    k = len(vs)
    if k == 1:
        if trace is not None:
            trace.append(f"Only one assessment, so the score is v1 = {_fmt(vs[0])}.")
        return vs[0]
    prec = getcontext().prec
    shift = low - _ONE
    us = [v - shift for v in vs]
    xs = [_ln_int(i, prec) for i in range(1, k + 1)]
    ys = [_ln(u, prec) for u in us]
    sx = sum(xs, _ZERO)
    sy = sum(ys, _ZERO)
    sxx = sum((x * x for x in xs), _ZERO)
    sxy = sum((x * y for x, y in zip(xs, ys, strict=True)), _ZERO)
    slope = (k * sxy - sx * sy) / (k * sxx - sx * sx)
    intercept = (sy - slope * sx) / k
    # When the points lie on a power curve (always so for two points; also for a constant
    # history) the fitted value at i = k is u_k itself. Return it exactly, so that exp(ln u)
    # landing a hair below an exact x.xx5 cannot change the rounding.
    residual = max(abs(y - intercept - slope * x) for x, y in zip(xs, ys, strict=True))
    if residual <= Decimal(10) ** (15 - prec):
        if trace is not None:
            trace.append(
                f"Power law: the {k} values lie exactly on a curve u = a × i^b, "
                f"so the prediction at i = {k} is the latest value, {_fmt(vs[-1])}."
            )
        return vs[-1]
    fitted = (intercept + slope * xs[-1]).exp()
    predicted = fitted + shift
    clamped = min(max(predicted, low), high)
    if trace is not None:
        trace.append(
            f"Power law: shift the values so the scale starts at 1 (u = v - {_fmt(shift)}): "
            f"{_list(us)}."
        )
        trace.append(
            f"Least-squares fit of ln u = ln a + b × ln i for i = 1..{k}: "
            f"ln a = {_fmt(intercept)}, b = {_fmt(slope)}."
        )
        trace.append(
            f"Prediction at i = {k}: exp({_fmt(intercept)} + {_fmt(slope)} × ln {k}) = "
            f"{_fmt(fitted)}; shifted back: {_fmt(predicted)}."
        )
        if clamped != predicted:
            trace.append(f"Kept within the scale {_fmt(low)}..{_fmt(high)}: {_fmt(clamped)}.")
    return clamped


def _ln_int(i: int, prec: int) -> Decimal:
    return _ln(Decimal(i), prec)


@lru_cache(maxsize=8192)
def _ln(u: Decimal, prec: int) -> Decimal:
    """Return ln u correctly rounded to `prec` digits (scale levels repeat, so it is cached)."""
    return u.ln(Context(prec=prec, rounding=ROUND_HALF_EVEN))


_COMPUTE = {
    "latest": _latest,
    "highest": _highest,
    "average": _average,
    "mode": _mode,
    "decaying_average": _decaying_average,
    "weighted_average": _weighted_average,
    "n_mastery": _n_mastery,
    "power_law": _power_law,
}
assert set(_COMPUTE) == set(METHODS)  # a table kept in step with METHODS
