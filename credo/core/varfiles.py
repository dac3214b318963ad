"""Everything Credo keeps under ``var/`` is for its own user only: files 0600, folders 0700.

The database, the secret key, the key-encryption key, uploaded evidence, rendered transcripts and
backups hold students' records or the keys that protect them. `private_umask` runs when the
settings load (every process: the `credo` command, the web server, the worker), so whatever
Credo creates from then on is private; `tighten` removes the group and other bits from what an
older Credo, a copy or an unpacked archive left readable. Pure: no Django.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
FILE_MODE = 0o600
DIR_MODE = 0o700


def private_umask() -> None:
    """Make every file and folder this process creates private to its user."""
    os.umask(PRIVATE_UMASK)


def tighten(path: Path, *, recursive: bool = True) -> int:
    """Take the group and other bits off `path` and (recursively) what it holds; return how many changed.

    Symbolic links are left alone (their own mode means nothing, and their target may be
    anywhere); a missing path changes nothing.
    """
    changed = 0
    try:
        changed += _tighten_one(path)
    except FileNotFoundError:
        return 0
    if not path.is_dir() or path.is_symlink():
        return changed
    entries = os.walk(path) if recursive else [(str(path), [], _names(path))]
    for folder, dirs, files in entries:
        for name in [*dirs, *files]:
            try:
                changed += _tighten_one(Path(folder) / name)
            except FileNotFoundError:  # removed meanwhile (a temporary file)
                continue
    return changed


def _names(path: Path) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


def _tighten_one(path: Path) -> int:
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return 0
    mode = stat.S_IMODE(info.st_mode)
    if not mode & 0o077:
        return 0
    try:
        os.chmod(path, mode & 0o700)
    except PermissionError:  # another user's file: not ours to change, and not fatal
        return 0
    return 1


def make_private_dir(path: Path) -> Path:
    """Create `path` (and its parents) if needed and make sure it is 0700; return it."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        os.chmod(path, mode & 0o700)
    return path
