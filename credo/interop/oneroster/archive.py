"""Reading a OneRoster set from a folder or a zip, with limits against hostile archives
(too many members, too large unpacked, too compressed)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath

MAX_UNPACKED = 256 * 1024 * 1024  # bytes, all files of a set together
MAX_RATIO = 100  # unpacked ÷ packed, for any member larger than RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
MAX_MEMBERS = 200


class ArchiveRefused(ValueError):
    """The zip cannot be read safely (too big unpacked, too compressed, or broken)."""


def read_source(path: str | Path) -> dict[str, bytes]:
    """Return the CSV files of a OneRoster zip or folder as {file name: bytes}."""
    path = Path(path)
    files: dict[str, bytes] = {}
    if path.is_dir():
        total = 0
        for p in sorted(path.iterdir()):
            if p.suffix.lower() == ".csv" and p.is_file():
                total += p.stat().st_size
                if total > MAX_UNPACKED:
                    raise ArchiveRefused(
                        f"the CSV files of the folder come to more than {MAX_UNPACKED // 2**20} MB"
                    )
                files[p.name] = p.read_bytes()
        return files
    return read_zip(path.read_bytes())


def read_zip(data: bytes) -> dict[str, bytes]:
    """Return the CSV files of a zip (at any depth; the names without folders).

    Refuse (ArchiveRefused) a zip whose files would unpack to more than MAX_UNPACKED bytes or
    that is compressed more than MAX_RATIO to 1, before unpacking anything; and stop unpacking a
    member the moment it yields more than its header declared, so a lying header cannot make
    memory grow either.
    """
    files: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [
                info
                for info in archive.infolist()
                if not info.is_dir()
                and PurePosixPath(info.filename).name.lower().endswith(".csv")
                and not PurePosixPath(info.filename).name.startswith("._")
            ]
            if len(members) > MAX_MEMBERS:
                raise ArchiveRefused(
                    f"the zip holds {len(members)} CSV files (at most {MAX_MEMBERS})"
                )
            total = sum(info.file_size for info in members)
            if total > MAX_UNPACKED:
                raise ArchiveRefused(
                    f"the zip would unpack to {total / 2**20:,.0f} MB "
                    f"(at most {MAX_UNPACKED // 2**20} MB)"
                )
            for info in members:
                if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(
                    info.compress_size, 1
                ):
                    raise ArchiveRefused(
                        f"{PurePosixPath(info.filename).name} is compressed "
                        f"{info.file_size // max(info.compress_size, 1):,} to 1 "
                        f"(at most {MAX_RATIO} to 1): not a roster export"
                    )
            for info in members:
                files[PurePosixPath(info.filename).name] = _read_member(archive, info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise ArchiveRefused(f"not a zip file this reader can open: {exc}") from None
    except zipfile.error as exc:  # pragma: no cover - other zipfile errors
        raise ArchiveRefused(f"the zip is damaged: {exc}") from None
    return files


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    chunks, size = [], 0
    with archive.open(info) as member:
        while chunk := member.read(1024 * 1024):
            size += len(chunk)
            if size > info.file_size:
                raise ArchiveRefused(
                    f"{PurePosixPath(info.filename).name} unpacks to more than its header says"
                )
            chunks.append(chunk)
    return b"".join(chunks)


def _list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]
