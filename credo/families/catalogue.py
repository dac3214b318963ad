"""Reading and checking Credo's translation catalogues with the standard library alone (no
gettext tools, no polib): the tests use it to prove the Spanish catalogue complete, the compiled
`.mo` in step with the `.po`, and every string of the family-facing templates translated.

No Django import at module level (`template_msgids` asks Django's `templatize` when called)."""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "locale"


@dataclass
class Entry:
    msgid: str
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    context: str | None = None

    @property
    def key(self) -> str:
        return f"{self.context}\x04{self.msgid}" if self.context else self.msgid

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr) and "fuzzy" not in self.flags


def _unquote(text: str) -> str:
    return ast.literal_eval(text) if text else ""


def read_po(path: Path) -> list[Entry]:
    """Return the entries of a `.po` file (the header, msgid "", included; obsolete ones left out)."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None
    flags: set[str] = set()

    def finish():
        nonlocal current
        if current is not None:
            entries.append(current)
        current = None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            flags = set()
            target = None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            flags |= {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        if line.startswith("msgctxt "):
            finish()
            current = Entry("", flags=set(flags), context=_unquote(line[8:]))
            target = ("context", 0)
        elif line.startswith("msgid_plural "):
            current.msgid_plural = _unquote(line[13:])
            target = ("plural", 0)
        elif line.startswith("msgid "):
            if current is None or current.msgid or target != ("context", 0):
                finish()
                current = Entry("", flags=set(flags))
            current.msgid = _unquote(line[6:])
            target = ("msgid", 0)
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            while len(current.msgstr) <= index:
                current.msgstr.append("")
            current.msgstr[index] = _unquote(line[line.index("]") + 1 :].strip())
            target = ("msgstr", index)
        elif line.startswith("msgstr "):
            current.msgstr = [_unquote(line[7:])]
            target = ("msgstr", 0)
        elif line.startswith('"') and current is not None and target is not None:
            part = _unquote(line)
            kind, index = target
            if kind == "msgid":
                current.msgid += part
            elif kind == "plural":
                current.msgid_plural += part
            elif kind == "context":
                current.context += part
            else:
                current.msgstr[index] += part
    finish()
    return entries


def untranslated(entries: list[Entry]) -> list[str]:
    """Return the msgids left empty or marked fuzzy (the header aside)."""
    return [e.msgid for e in entries if e.msgid and not e.translated]


def mo_messages(path: Path) -> dict:
    """Return the messages of a compiled `.mo` file, as the running site reads them."""
    with path.open("rb") as fh:
        return dict(gettext.GNUTranslations(fh)._catalog)


def po_messages(entries: list[Entry]) -> dict:
    """Return what a faithful compilation of the entries holds (fuzzy and empty ones left out)."""
    out: dict = {}
    for e in entries:
        if not e.msgid:
            continue
        if not e.translated:
            continue
        if e.msgid_plural is None:
            out[e.key] = e.msgstr[0]
        else:
            for i, text in enumerate(e.msgstr):
                out[(e.key, i)] = text
    return out


_GETTEXT = re.compile(
    r"""\b(?P<fn>n?p?gettext(?:_lazy|_noop)?|_)\(\s*(?P<args>(?:u?'(?:[^'\\]|\\.)*'|u?"(?:[^"\\]|\\.)*"|\s|,)+)"""
)
_STRING = re.compile(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*\"""")


def template_msgids(path: Path) -> set[str]:
    """Return every msgid a template marks for translation, as `makemessages` extracts them
    (Django's own `templatize` turns the template into gettext calls; these are read back)."""
    from django.utils.translation.template import templatize

    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    found = set()
    for match in _GETTEXT.finditer(code):
        strings = [ast.literal_eval(s) for s in _STRING.findall(match.group("args"))]
        # (templatize writes u'…' literals; literal_eval reads them as plain strings)
        if not strings:
            continue
        fn = match.group("fn")
        if fn.lstrip("n").startswith("p"):  # (n)pgettext(context, message, …)
            found.add(strings[1])
        else:  # gettext(message) / ngettext(singular, plural, n)
            found.add(strings[0])
    return found
