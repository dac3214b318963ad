"""The QR encoder, checked by decoding: format and version information, the codewords, the data.

The decoder here is written from the standard independently of the encoder's internals: it reads
the format bits from both copies, checks their BCH code, reads the version bits of versions 7+,
rebuilds which modules are function patterns, unmasks, reads the codewords in zig-zag order,
de-interleaves the blocks, checks every block's Reed-Solomon syndromes and parses byte mode.
"""

from __future__ import annotations

import random
import shutil
import struct
import subprocess
import zlib

import pytest

from credo.transcripts import qr

# ISO/IEC 18004 format information strings for level M (error-correction bits 00), masks 0-7.
FORMAT_M = {
    0: "101010000010010",
    1: "101000100100101",
    2: "101111001111100",
    3: "101101101001011",
    4: "100010111111001",
    5: "100000011001110",
    6: "100111110010111",
    7: "100101010100000",
}
# Version information strings from the standard's table.
VERSION_INFO = {
    7: "000111110010010100",
    8: "001000010110111100",
    9: "001001101010011001",
    10: "001010010011010011",
}
# (data codewords per block, blocks), EC codewords per block, at level M.
BLOCKS = {
    1: ([(16, 1)], 10),
    2: ([(28, 1)], 16),
    3: ([(44, 1)], 26),
    4: ([(32, 2)], 18),
    5: ([(43, 2)], 24),
    6: ([(27, 4)], 16),
    7: ([(31, 4)], 18),
    8: ([(38, 2), (39, 2)], 22),
    9: ([(36, 3), (37, 2)], 22),
    10: ([(43, 4), (44, 1)], 26),
}
ALIGN = {
    1: [],
    2: [6, 18],
    3: [6, 22],
    4: [6, 26],
    5: [6, 30],
    6: [6, 34],
    7: [6, 22, 38],
    8: [6, 24, 42],
    9: [6, 26, 46],
    10: [6, 28, 50],
}


# --- an independent decoder ------------------------------------------------------------------------


def _gf_tables():
    exp, log = [0] * 512, [0] * 256
    x = 1
    for i in range(255):
        exp[i], log[x] = x, i
        x <<= 1
        if x & 0x100:
            x ^= 0x11D
    for i in range(255, 512):
        exp[i] = exp[i - 255]
    return exp, log


EXP, LOG = _gf_tables()


def syndromes_zero(block: list[int], ec: int) -> bool:
    """Evaluate the received polynomial at alpha^0 .. alpha^(ec-1); all zero when uncorrupted."""
    for i in range(ec):
        value = 0
        for byte in block:
            value = (EXP[LOG[value] + i] if value else 0) ^ byte
        if value:
            return False
    return True


def read_format(m) -> tuple[int, int]:
    """Return both copies of the 15 format bits as integers (bit i at its place in the standard)."""
    size = len(m)
    first = (
        [m[i][8] for i in range(6)]
        + [m[7][8], m[8][8], m[8][7]]
        + [m[8][14 - i] for i in range(9, 15)]
    )
    second = [m[8][size - 1 - i] for i in range(8)] + [m[size - 15 + i][8] for i in range(8, 15)]
    return (
        sum(1 << i for i, b in enumerate(first) if b),
        sum(1 << i for i, b in enumerate(second) if b),
    )


def function_mask(version: int) -> list[list[bool]]:
    size = 17 + 4 * version
    f = [[False] * size for _ in range(size)]

    def box(r0, c0, h, w):
        for r in range(max(0, r0), min(size, r0 + h)):
            for c in range(max(0, c0), min(size, c0 + w)):
                f[r][c] = True

    box(0, 0, 9, 9)
    box(0, size - 8, 9, 8)
    box(size - 8, 0, 8, 9)
    box(6, 0, 1, size)
    box(0, 6, size, 1)
    pos = ALIGN[version]
    corners = {(pos[0], pos[0]), (pos[0], pos[-1]), (pos[-1], pos[0])} if pos else set()
    for r in pos:
        for c in pos:
            if (r, c) not in corners:  # the three corners hold finder patterns
                box(r - 2, c - 2, 5, 5)
    if version >= 7:
        box(0, size - 11, 6, 3)
        box(size - 11, 0, 3, 6)
    return f


def decode(m) -> tuple[bytes, int, int]:
    """Return (data, version, mask) of a matrix, asserting every check on the way."""
    size = len(m)
    version = (size - 17) // 4
    assert size == 17 + 4 * version and 1 <= version <= 10
    first, second = read_format(m)
    assert first == second, "the two copies of the format information differ"
    # Unmask the format bits, then check the BCH(15,5) remainder.
    assert format(first, "015b") in FORMAT_M.values(), "not a level M format string"
    word = first ^ 0x5412
    data = word >> 10
    rem = data
    for _ in range(10):
        rem = (rem << 1) ^ ((rem >> 9) * 0x537)
    assert (data << 10 | rem) == word, "format information fails its BCH check"
    ec_level, mask = data >> 3, data & 7
    assert ec_level == 0b00, "error correction level is not M"
    if version >= 7:
        bits = [m[i // 3][size - 11 + i % 3] for i in range(18)]
        other = [m[size - 11 + i % 3][i // 3] for i in range(18)]
        assert bits == other
        value = sum(1 << i for i, b in enumerate(bits) if b)
        assert value >> 12 == version
        assert format(value, "018b") == VERSION_INFO[version]
    assert m[size - 8][8], "the dark module is missing"
    f = function_mask(version)
    masks = [
        lambda r, c: (r + c) % 2 == 0,
        lambda r, c: r % 2 == 0,
        lambda r, c: c % 3 == 0,
        lambda r, c: (r + c) % 3 == 0,
        lambda r, c: (r // 2 + c // 3) % 2 == 0,
        lambda r, c: (r * c) % 2 + (r * c) % 3 == 0,
        lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
        lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0,
    ]
    bits = []
    col = size - 1
    upward = True
    while col > 0:
        if col == 6:
            col -= 1
        rows = range(size - 1, -1, -1) if upward else range(size)
        for r in rows:
            for c in (col, col - 1):
                if not f[r][c]:
                    bits.append(int(m[r][c] ^ masks[mask](r, c)))
        upward = not upward
        col -= 2
    groups, ec = BLOCKS[version]
    lengths = [n for n, count in groups for _ in range(count)]
    total = sum(lengths) + ec * len(lengths)
    codewords = [int("".join(map(str, bits[i * 8 : i * 8 + 8])), 2) for i in range(total)]
    blocks = [[] for _ in lengths]
    at = 0
    for i in range(max(lengths)):
        for b, n in enumerate(lengths):
            if i < n:
                blocks[b].append(codewords[at])
                at += 1
    for b in range(len(lengths)):
        blocks[b].extend(codewords[at + b + k * len(lengths)] for k in range(ec))
    for block in blocks:
        assert syndromes_zero(block, ec), "a block fails its Reed-Solomon check"
    stream = "".join(
        format(byte, "08b") for block, n in zip(blocks, lengths, strict=True) for byte in block[:n]
    )
    assert stream[:4] == "0100", "not byte mode"
    count_bits = 8 if version <= 9 else 16
    length = int(stream[4 : 4 + count_bits], 2)
    start = 4 + count_bits
    payload = bytes(int(stream[start + 8 * i : start + 8 * i + 8], 2) for i in range(length))
    return payload, version, mask


# --- the tests -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mask", range(8))
def test_format_bits_match_the_standard_table(mask):
    assert format(qr.format_bits(mask), "015b") == FORMAT_M[mask]


@pytest.mark.parametrize("version", [7, 8, 9, 10])
def test_version_bits_match_the_standard_table(version):
    assert format(qr.version_bits(version), "018b") == VERSION_INFO[version]


def test_reed_solomon_matches_the_standard_example():
    # ISO/IEC 18004 annex I: "01234567" at 1-M, its data codewords and error correction codewords.
    data = [
        0x10,
        0x20,
        0x0C,
        0x56,
        0x61,
        0x80,
        0xEC,
        0x11,
        0xEC,
        0x11,
        0xEC,
        0x11,
        0xEC,
        0x11,
        0xEC,
        0x11,
    ]
    assert qr.rs_remainder(data, 10) == [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55]


def test_a_verification_url_round_trips():
    url = "https://credo.example.edu/v/0eddb746-b7c4-407d-8b2f-6903def993f8/"
    matrix = qr.encode(url)
    data, version, _ = decode(matrix)
    assert data.decode() == url
    assert version == 5  # 64 bytes: version 4 holds at most 62 at level M


@pytest.mark.parametrize("length", [1, 14, 26, 42, 62, 84, 106, 122, 152, 180, 213])
def test_every_version_and_mask_decodes(length):
    rng = random.Random(length)
    text = bytes(rng.randrange(256) for _ in range(length))
    for mask in range(8):
        data, version, used = decode(qr.encode(text, mask=mask))
        assert data == text and used == mask
        assert qr.capacity(version) >= length and (
            version == 1 or qr.capacity(version - 1) < length
        )


def test_too_much_data_is_refused():
    with pytest.raises(qr.QRError):
        qr.encode("x" * (qr.capacity(10) + 1))


def test_svg_has_a_quiet_zone_and_one_path():
    svg = qr.to_svg(qr.encode("hello"), module=2, border=4, title="Code")
    assert svg.startswith("<svg") and svg.count("<path") == 1
    assert 'viewBox="0 0 29 29"' in svg and "<title>Code</title>" in svg


def _png(matrix, scale=4, border=4) -> bytes:
    n = len(matrix) + 2 * border
    rows = []
    for y in range(n * scale):
        my = y // scale - border
        row = bytearray([0])
        for x in range(n * scale):
            mx = x // scale - border
            dark = 0 <= my < len(matrix) and 0 <= mx < len(matrix) and matrix[my][mx]
            row.append(0 if dark else 255)
        rows.append(bytes(row))

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", n * scale, n * scale, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


@pytest.mark.skipif(
    not shutil.which("zbarimg"), reason="zbarimg (apt-get install zbar-tools) is not installed"
)
def test_an_independent_reader_decodes_it(tmp_path):
    for text in ("https://credo.example.edu/v/0eddb746-b7c4-407d-8b2f-6903def993f8/", "x" * 150):
        path = tmp_path / "code.png"
        path.write_bytes(_png(qr.encode(text)))
        out = subprocess.run(
            ["zbarimg", "-q", "--raw", str(path)], capture_output=True, text=True, check=False
        )
        assert out.stdout.strip() == text
