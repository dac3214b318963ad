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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
    "Exact",
    "Step",
    "calculate",
    "explain",
    "explain_steps",
    "format_number",
    "render_step",
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
    """Return, one English line per step, the arithmetic `calculate` does for these arguments.

    The lines are recorded while the same code computes the score, so they describe exactly
    what `calculate` does; numbers longer than 4 places are shown cut short, ending in "…".
    """
    steps = explain_steps(
        method, values, mastery_threshold=mastery_threshold, param=param, scale=scale
    )
    return [render_step(step) for step in steps]


def explain_steps(
    method: str,
    values: Sequence,
    *,
    mastery_threshold,
    param=None,
    scale: tuple | None = None,
) -> list[Step]:
    """Return the steps `explain` words, language-neutral: a message and its numbers.

    A caller that speaks another language translates `Step.message` (the English text, with
    named %-placeholders) and renders it with `render_step`, giving its own number format.
    """
    trace: list[Step] = []
    _run(method, values, mastery_threshold, param, scale, trace=trace)
    return trace


def gettext_noop(message: str) -> str:
    """Mark `message` for extraction into the translation catalogue (Django's makemessages knows
    this name); this pure module translates nothing itself."""
    return message


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the arithmetic: `message` is English with %(name)s placeholders (and %% for
    a percent sign); `params` holds ints, Decimals, tuples of Decimals (a list of values) and
    tuples of (Decimal, int) pairs (how often each value occurs)."""

    message: str
    params: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Exact:
    """A number a step shows with every digit it has (the rounded score: "3.00", not "3")."""

    value: Decimal


def format_number(d: Decimal, decimal_sep: str = ".") -> str:
    """Return `d` for a person, as in the steps, with `decimal_sep` as the decimal mark."""
    return _fmt(d).replace(".", decimal_sep)


def render_step(
    step: Step,
    message: str | None = None,
    *,
    decimal_sep: str = ".",
    list_sep: str = ", ",
) -> str:
    """Return `step` in words: `message` (a translation of `step.message`, default the English)
    with its numbers written with `decimal_sep` and its lists joined by `list_sep`."""

    def word(value: object) -> str:
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int):
            return str(value)
        if isinstance(value, Decimal):
            return format_number(value, decimal_sep)
        if isinstance(value, Exact):
            return str(value.value).replace(".", decimal_sep)
        if isinstance(value, tuple) and value and isinstance(value[0], tuple):
            return "; ".join(f"{format_number(v, decimal_sep)} × {c}" for v, c in value)
        if isinstance(value, tuple):
            return list_sep.join(format_number(v, decimal_sep) for v in value)
        return str(value)

    text = (step.message if message is None else message) % {
        k: word(v) for k, v in step.params.items()
    }
    return text.removesuffix(".") if text.endswith("….") else text


def _step(trace: list[Step] | None, message: str, **params: object) -> None:
    if trace is not None:
        trace.append(Step(message, params))


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
        _step(trace, gettext_noop("No assessments count yet, so there is no score."))
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
    if raw == result:
        _step(trace, gettext_noop("Score: %(score)s."), score=Exact(result))
    else:
        _step(
            trace,
            gettext_noop("Rounded once, to 2 places (halves away from zero): %(raw)s → %(score)s."),
            raw=raw,
            score=Exact(result),
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
    # Wide enough for every digit of `d`, whatever context the caller renders in.
    ctx = Context(prec=_digits(d) + 10, rounding=ROUND_HALF_EVEN)
    if d == d.to_integral_value() and abs(d) < 10**20:
        return str(d.quantize(_ONE, context=ctx))
    n = d.normalize(ctx)
    if -n.as_tuple().exponent <= 4:
        return f"{n:f}"
    return f"{d.quantize(Decimal('0.0001'), rounding=ROUND_DOWN, context=ctx):f}…"


# --- methods ------------------------------------------------------------------------------
# Each takes the values as Decimals (non-empty) and returns the unrounded score or None,
# appending its steps to `trace` when it is a list.


def _latest(vs, *, trace, **_):
    _step(
        trace,
        gettext_noop("Latest of %(count)s assessment(s): %(value)s."),
        count=len(vs),
        value=vs[-1],
    )
    return vs[-1]


def _highest(vs, *, trace, **_):
    top = max(vs)
    _step(trace, gettext_noop("Highest of %(values)s: %(value)s."), values=tuple(vs), value=top)
    return top


def _average(vs, *, trace, **_):
    total = sum(vs, _ZERO)
    mean = total / len(vs)
    _step(trace, gettext_noop("Sum of %(values)s = %(total)s."), values=tuple(vs), total=total)
    _step(
        trace,
        gettext_noop("Average = %(total)s / %(count)s = %(mean)s."),
        total=total,
        count=len(vs),
        mean=mean,
    )
    return mean


def _mode(vs, *, trace, **_):
    counts = Counter(vs)  # Decimal('3') and Decimal('3.0') are one value
    best = max(counts.values())
    pick = max(v for v, c in counts.items() if c == best)
    if trace is not None:
        tied = sorted((v for v, c in counts.items() if c == best), reverse=True)
        _step(
            trace,
            gettext_noop("How often each value occurs: %(counts)s."),
            counts=tuple(sorted(counts.items())),
        )
        if len(tied) > 1:
            _step(
                trace,
                gettext_noop(
                    "%(tied)s tie at %(times)s times each; the highest tied value counts: %(value)s."
                ),
                tied=tuple(tied),
                times=best,
                value=pick,
            )
        else:
            _step(
                trace,
                gettext_noop("Most frequent value: %(value)s (%(times)s times)."),
                value=pick,
                times=best,
            )
    return pick


def _decaying_average(vs, *, p, trace, **_):
    w = Decimal(p) / 100
    keep = _ONE - w
    d = vs[0]
    _step(
        trace,
        gettext_noop("Decaying average: each new value weighs %(p)s%%, the running score %(q)s%%."),
        p=p,
        q=100 - p,
    )
    _step(trace, gettext_noop("d1 = v1 = %(value)s."), value=d)
    for i, v in enumerate(vs[1:], start=2):
        new = keep * d + w * v  # exact: the context is wide enough for every step
        _step(
            trace,
            gettext_noop("d%(i)s = %(keep)s × %(d)s + %(w)s × %(v)s = %(new)s."),
            i=i,
            keep=keep,
            d=d,
            w=w,
            v=v,
            new=new,
        )
        d = new
    return d


def _weighted_average(vs, *, p, trace, **_):
    w = Decimal(p) / 100
    k = len(vs)
    if k == 1:
        _step(
            trace, gettext_noop("Only one assessment, so the score is v1 = %(value)s."), value=vs[0]
        )
        return vs[0]
    last = vs[-1]
    earlier = sum(vs[:-1], _ZERO)
    # An exact numerator and one division, so the only rounding before the final one is
    # the correctly rounded quotient.
    result = (w * last * (k - 1) + (_ONE - w) * earlier) / (k - 1)
    if trace is not None:
        mean = earlier / (k - 1)
        _step(
            trace,
            gettext_noop(
                "Weighted average: %(p)s%% on the latest value, "
                "%(q)s%% on the mean of the earlier ones."
            ),
            p=p,
            q=100 - p,
        )
        _step(
            trace,
            gettext_noop(
                "Mean of the %(count)s earlier value(s) = %(sum)s / %(count)s = %(mean)s."
            ),
            count=k - 1,
            sum=earlier,
            mean=mean,
        )
        _step(
            trace,
            gettext_noop("%(w)s × %(last)s + %(rest)s × %(mean)s = %(result)s."),
            w=w,
            last=last,
            rest=_ONE - w,
            mean=mean,
            result=result,
        )
    return result


def _n_mastery(vs, *, p, threshold, trace, **_):
    k = len(vs)
    if k < p:
        _step(
            trace,
            gettext_noop(
                "Needs at least %(p)s assessment(s); there are %(count)s, so no score yet."
            ),
            p=p,
            count=k,
        )
        return None
    hits = [v for v in vs if v >= threshold]
    if hits:
        _step(
            trace,
            gettext_noop(
                "%(hits)s of %(count)s value(s) reach the mastery threshold %(threshold)s: "
                "%(values)s."
            ),
            hits=len(hits),
            count=k,
            threshold=threshold,
            values=tuple(hits),
        )
    else:
        _step(
            trace,
            gettext_noop(
                "%(hits)s of %(count)s value(s) reach the mastery threshold %(threshold)s."
            ),
            hits=0,
            count=k,
            threshold=threshold,
        )
    if len(hits) < p:
        _step(
            trace,
            gettext_noop("Needs at least %(p)s at or above the threshold, so no score yet."),
            p=p,
        )
        return None
    total = sum(hits, _ZERO)
    mean = total / len(hits)
    _step(
        trace,
        gettext_noop("Mean of those = %(total)s / %(count)s = %(mean)s."),
        total=total,
        count=len(hits),
        mean=mean,
    )
    return mean


def _power_law(vs, *, bounds, trace, **_):
    low, high = bounds
    k = len(vs)
    if k == 1:
        _step(
            trace, gettext_noop("Only one assessment, so the score is v1 = %(value)s."), value=vs[0]
        )
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
        _step(
            trace,
            gettext_noop(
                "Power law: the %(count)s values lie exactly on a curve u = a × i^b, "
                "so the prediction at i = %(count)s is the latest value, %(value)s."
            ),
            count=k,
            value=vs[-1],
        )
        return vs[-1]
    fitted = (intercept + slope * xs[-1]).exp()
    predicted = fitted + shift
    clamped = min(max(predicted, low), high)
    _step(
        trace,
        gettext_noop(
            "Power law: shift the values so the scale starts at 1 (u = v - %(shift)s): %(values)s."
        ),
        shift=shift,
        values=tuple(us),
    )
    _step(
        trace,
        gettext_noop(
            "Least-squares fit of ln u = ln a + b × ln i for i = 1..%(count)s: "
            "ln a = %(a)s, b = %(b)s."
        ),
        count=k,
        a=intercept,
        b=slope,
    )
    _step(
        trace,
        gettext_noop(
            "Prediction at i = %(count)s: exp(%(a)s + %(b)s × ln %(count)s) = %(fitted)s; "
            "shifted back: %(predicted)s."
        ),
        count=k,
        a=intercept,
        b=slope,
        fitted=fitted,
        predicted=predicted,
    )
    if clamped != predicted:
        _step(
            trace,
            gettext_noop("Kept within the scale %(low)s..%(high)s: %(value)s."),
            low=low,
            high=high,
            value=clamped,
        )
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
