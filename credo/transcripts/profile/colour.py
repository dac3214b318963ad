"""Colours of the credit profile: contrast, mixing, ink that stays readable on an area's colour."""

from __future__ import annotations

# --------------------------------------------------------------------------------------------
# Colour


def _rgb(colour: str) -> tuple[int, int, int]:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _mix(colour: str, other: str, amount: float) -> str:
    """Return ``colour`` moved ``amount`` (0..1) of the way towards ``other``."""
    (r1, g1, b1), (r2, g2, b2) = _rgb(colour), _rgb(other)
    return _hex((r1 + (r2 - r1) * amount, g1 + (g2 - g1) * amount, b1 + (b2 - b1) * amount))


def _ink(colour: str, *, against: str = "#ffffff", ratio: float = 3.0) -> str:
    """Return the area colour, darkened just enough to stand out against white as a line."""
    for step in range(21):
        candidate = _mix(colour, "#000000", step * 0.05)
        if _contrast(candidate, against) >= ratio:
            return candidate.lower()
    return "#000000"


def _mark(colour: str) -> str:
    """Return white or near-black, whichever shows better as a pattern on the area colour."""
    return "#ffffff" if _contrast("#ffffff", colour) >= _contrast("#1a1a1a", colour) else "#1a1a1a"
