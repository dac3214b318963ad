"""A small QR Code encoder: byte mode, error correction level M, versions 1 to 10.

Enough for a verification URL of up to 213 bytes. Pure Python, no Django. Follows ISO/IEC 18004:
the bit stream (mode, count, data, terminator, pad bytes), Reed–Solomon error correction over
GF(256) with the polynomial x^8 + x^4 + x^3 + x^2 + 1, block interleaving, the function
patterns, the zig-zag placement, the eight masks with the standard penalty rules, and the
BCH-coded format and version information.

``encode(text)`` returns the matrix (rows of booleans, True = dark) without the quiet zone;
``to_svg(matrix)`` draws it with a four-module quiet zone as one SVG path.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["QRError", "capacity", "encode", "format_bits", "to_svg", "version_bits"]

# Per version at level M: (data codewords per block, number of blocks), EC codewords per block.
# Versions 8-10 mix two block lengths.
_BLOCKS_M: dict[int, tuple[tuple[tuple[int, int], ...], int]] = {
    1: (((16, 1),), 10),
    2: (((28, 1),), 16),
    3: (((44, 1),), 26),
    4: (((32, 2),), 18),
    5: (((43, 2),), 24),
    6: (((27, 4),), 16),
    7: (((31, 4),), 18),
    8: (((38, 2), (39, 2)), 22),
    9: (((36, 3), (37, 2)), 22),
    10: (((43, 4), (44, 1)), 26),
}
_ALIGNMENT: dict[int, tuple[int, ...]] = {
    1: (),
    2: (6, 18),
    3: (6, 22),
    4: (6, 26),
    5: (6, 30),
    6: (6, 34),
    7: (6, 22, 38),
    8: (6, 24, 42),
    9: (6, 26, 46),
    10: (6, 28, 50),
}
_REMAINDER_BITS = {1: 0, 2: 7, 3: 7, 4: 7, 5: 7, 6: 7, 7: 0, 8: 0, 9: 0, 10: 0}
_EC_LEVEL_M = 0b00  # the two format bits of level M
MAX_VERSION = 10


class QRError(ValueError):
    """The data does not fit in a version 1-10, level M symbol."""


def _data_codewords(version: int) -> int:
    groups, _ = _BLOCKS_M[version]
    return sum(length * count for length, count in groups)


def _count_bits(version: int) -> int:
    return 8 if version <= 9 else 16


def capacity(version: int) -> int:
    """Return how many bytes a symbol of ``version`` holds at level M in byte mode."""
    return (_data_codewords(version) * 8 - 4 - _count_bits(version)) // 8


# --- Reed-Solomon over GF(256) ------------------------------------------------------------------


def _gf_multiply(x: int, y: int) -> int:
    z = 0
    for i in reversed(range(8)):
        z = (z << 1) ^ ((z >> 7) * 0x11D)
        z ^= ((y >> i) & 1) * x
    return z


def _rs_divisor(degree: int) -> list[int]:
    """Return the generator polynomial's coefficients (highest power first, leading 1 dropped)."""
    result = [0] * (degree - 1) + [1]
    root = 1
    for _ in range(degree):
        for j in range(degree):
            result[j] = _gf_multiply(result[j], root)
            if j + 1 < degree:
                result[j] ^= result[j + 1]
        root = _gf_multiply(root, 0x02)
    return result


def rs_remainder(data: Sequence[int], degree: int) -> list[int]:
    """Return the ``degree`` error-correction codewords for ``data``."""
    divisor = _rs_divisor(degree)
    result = [0] * degree
    for byte in data:
        factor = byte ^ result.pop(0)
        result.append(0)
        for i, coefficient in enumerate(divisor):
            result[i] ^= _gf_multiply(coefficient, factor)
    return result


# --- the codeword sequence ------------------------------------------------------------------------


def _choose_version(length: int) -> int:
    for version in range(1, MAX_VERSION + 1):
        if length <= capacity(version):
            return version
    raise QRError(
        f"{length} bytes do not fit in a QR code of version {MAX_VERSION} at level M "
        f"(at most {capacity(MAX_VERSION)})."
    )


def _bit_stream(data: bytes, version: int) -> list[int]:
    bits: list[int] = []

    def put(value: int, width: int) -> None:
        bits.extend((value >> i) & 1 for i in reversed(range(width)))

    put(0b0100, 4)  # byte mode
    put(len(data), _count_bits(version))
    for byte in data:
        put(byte, 8)
    room = _data_codewords(version) * 8
    put(0, min(4, room - len(bits)))  # terminator
    put(0, (-len(bits)) % 8)
    codewords = [int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits), 8)]
    pad = (0xEC, 0x11)
    while len(codewords) < _data_codewords(version):
        codewords.append(pad[(len(codewords) - len(bits) // 8) % 2])
    return codewords


def _interleave(codewords: list[int], version: int) -> list[int]:
    groups, ec = _BLOCKS_M[version]
    blocks: list[list[int]] = []
    at = 0
    for length, count in groups:
        for _ in range(count):
            blocks.append(codewords[at : at + length])
            at += length
    ecc = [rs_remainder(block, ec) for block in blocks]
    out: list[int] = []
    for i in range(max(len(b) for b in blocks)):
        out.extend(b[i] for b in blocks if i < len(b))
    for i in range(ec):
        out.extend(e[i] for e in ecc)
    return out


# --- format and version information ------------------------------------------------------------------


def format_bits(mask: int, ec_level: int = _EC_LEVEL_M) -> int:
    """Return the 15 format bits (BCH(15,5), XOR 0x5412) for an error-correction level and mask."""
    data = (ec_level << 3) | mask
    rem = data
    for _ in range(10):
        rem = (rem << 1) ^ ((rem >> 9) * 0x537)
    return ((data << 10) | rem) ^ 0x5412


def version_bits(version: int) -> int:
    """Return the 18 version bits (BCH(18,6)) of versions 7 and up."""
    rem = version
    for _ in range(12):
        rem = (rem << 1) ^ ((rem >> 11) * 0x1F25)
    return (version << 12) | rem


# --- the matrix ------------------------------------------------------------------------------------


class _Symbol:
    def __init__(self, version: int):
        self.version = version
        self.size = 17 + 4 * version
        self.dark = [[False] * self.size for _ in range(self.size)]
        self.function = [[False] * self.size for _ in range(self.size)]

    def set(self, x: int, y: int, dark: bool) -> None:
        self.dark[y][x] = dark
        self.function[y][x] = True

    def draw_function_patterns(self) -> None:
        size = self.size
        for i in range(size):
            self.set(6, i, i % 2 == 0)
            self.set(i, 6, i % 2 == 0)
        for cx, cy in ((3, 3), (size - 4, 3), (3, size - 4)):
            for dy in range(-4, 5):
                for dx in range(-4, 5):
                    x, y = cx + dx, cy + dy
                    if 0 <= x < size and 0 <= y < size:
                        self.set(x, y, max(abs(dx), abs(dy)) not in (2, 4))
        positions = _ALIGNMENT[self.version]
        last = len(positions) - 1
        for i, ay in enumerate(positions):
            for j, ax in enumerate(positions):
                if (i, j) in ((0, 0), (0, last), (last, 0)):
                    continue  # these would sit on a finder pattern
                for dy in range(-2, 3):
                    for dx in range(-2, 3):
                        self.set(ax + dx, ay + dy, max(abs(dx), abs(dy)) != 1)
        self.draw_format(0)  # reserve the areas; the real bits come after masking
        if self.version >= 7:
            bits = version_bits(self.version)
            for i in range(18):
                dark = (bits >> i) & 1 == 1
                a, b = size - 11 + i % 3, i // 3
                self.set(a, b, dark)
                self.set(b, a, dark)

    def draw_format(self, mask: int) -> None:
        size = self.size
        bits = format_bits(mask)

        def bit(i: int) -> bool:
            return (bits >> i) & 1 == 1

        for i in range(6):
            self.set(8, i, bit(i))
        self.set(8, 7, bit(6))
        self.set(8, 8, bit(7))
        self.set(7, 8, bit(8))
        for i in range(9, 15):
            self.set(14 - i, 8, bit(i))
        for i in range(8):
            self.set(size - 1 - i, 8, bit(i))
        for i in range(8, 15):
            self.set(8, size - 15 + i, bit(i))
        self.set(8, size - 8, True)  # the dark module

    def draw_codewords(self, codewords: list[int]) -> None:
        size = self.size
        total = len(codewords) * 8
        i = 0
        right = size - 1
        while right >= 1:
            if right == 6:
                right = 5  # skip the vertical timing pattern
            upward = ((right + 1) & 2) == 0
            for vert in range(size):
                y = size - 1 - vert if upward else vert
                for j in range(2):
                    x = right - j
                    if not self.function[y][x] and i < total:
                        self.dark[y][x] = (codewords[i >> 3] >> (7 - (i & 7))) & 1 == 1
                        i += 1
            right -= 2

    def apply_mask(self, mask: int) -> None:
        test = _MASKS[mask]
        for y in range(self.size):
            row, function = self.dark[y], self.function[y]
            for x in range(self.size):
                if not function[x] and test(x, y):
                    row[x] = not row[x]


_MASKS = (
    lambda x, y: (x + y) % 2 == 0,
    lambda x, y: y % 2 == 0,
    lambda x, y: x % 3 == 0,
    lambda x, y: (x + y) % 3 == 0,
    lambda x, y: (x // 3 + y // 2) % 2 == 0,
    lambda x, y: x * y % 2 + x * y % 3 == 0,
    lambda x, y: (x * y % 2 + x * y % 3) % 2 == 0,
    lambda x, y: ((x + y) % 2 + x * y % 3) % 2 == 0,
)
_FINDER_LIKE = ((1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0), (0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1))


def penalty(dark: list[list[bool]]) -> int:
    """Return the mask penalty score (ISO/IEC 18004 rules N1-N4) of a finished matrix."""
    size = len(dark)
    score = 0
    lines = [list(map(int, row)) for row in dark]
    lines += [[int(dark[y][x]) for y in range(size)] for x in range(size)]
    for line in lines:
        run, previous = 0, None
        for value in line:
            if value == previous:
                run += 1
            else:
                if run >= 5:
                    score += 3 + run - 5
                run, previous = 1, value
        if run >= 5:
            score += 3 + run - 5
        for start in range(size - 10):
            if tuple(line[start : start + 11]) in _FINDER_LIKE:
                score += 40
    for y in range(size - 1):
        for x in range(size - 1):
            if dark[y][x] == dark[y][x + 1] == dark[y + 1][x] == dark[y + 1][x + 1]:
                score += 3
    total = size * size
    darks = sum(sum(row) for row in dark)
    k = (abs(darks * 20 - total * 10) + total - 1) // total - 1
    return score + k * 10


def encode(data: str | bytes, *, mask: int | None = None) -> list[list[bool]]:
    """Return the QR matrix for ``data`` (UTF-8 when text), True for dark modules.

    The smallest version that holds the data is used; the mask with the lowest penalty is
    chosen unless ``mask`` (0-7) is given.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    version = _choose_version(len(raw))
    codewords = _interleave(_bit_stream(raw, version), version)
    base = _Symbol(version)
    base.draw_function_patterns()
    base.draw_codewords(codewords)
    best: tuple[int, list[list[bool]]] | None = None
    for candidate in range(8) if mask is None else (mask,):
        symbol = _Symbol(version)
        symbol.dark = [row[:] for row in base.dark]
        symbol.function = base.function
        symbol.apply_mask(candidate)
        symbol.draw_format(candidate)
        score = penalty(symbol.dark)
        if best is None or score < best[0]:
            best = (score, symbol.dark)
    assert best is not None
    return best[1]


def to_svg(
    matrix: list[list[bool]],
    *,
    module: float = 4.0,
    border: int = 4,
    colour: str = "#000000",
    title: str = "",
) -> str:
    """Return the matrix as a standalone SVG with a ``border``-module quiet zone."""
    size = len(matrix)
    full = (size + 2 * border) * module
    parts = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                parts.append(f"M{start + border},{y + border}h{x - start}v1h{start - x}z")
            else:
                x += 1
    title_el = f"<title>{_escape(title)}</title>" if title else ""
    role = ' role="img"' if title else ' aria-hidden="true"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{full:g}" height="{full:g}" '
        f'viewBox="0 0 {size + 2 * border} {size + 2 * border}"{role} shape-rendering="crispEdges">'
        f'{title_el}<rect width="{size + 2 * border}" height="{size + 2 * border}" fill="#ffffff"/>'
        f'<path fill="{colour}" d="{"".join(parts)}"/></svg>'
    )


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
