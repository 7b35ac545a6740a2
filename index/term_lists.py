"""Word-list files of `NAME = value; another value` lines, bundled and the centre's own: the
glossary of the field's shorthand and the scope markers are both kept this way."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

Entry = tuple[str, tuple[str, ...]]


class TermListError(ValueError):
    """A word-list file cannot be read; the message names the file and line."""


def read_term_lists(
    bundled: Path, extra: Path | None, *, form: str, what: str, error: type[TermListError]
) -> list[Entry]:
    """The entries of the bundled file, then of the centre's own file (if any), in file order.

    Args:
        form: the line's shape for error messages, such as "TERM = expansion; another".
        what: what the file is, for error messages ("the glossary").
        error: the exception to raise.
    """
    entries = parse_term_list(bundled.read_text(encoding="utf-8"), str(bundled), form, error)
    if extra is not None:
        try:
            text = extra.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as failure:
            raise error(f"cannot read {what} {extra}: {failure}") from failure
        entries += parse_term_list(text, str(extra), form, error)
    return entries


def parse_term_list(text: str, source: str, form: str, error: type[TermListError]) -> list[Entry]:
    """Lines of `NAME = value; another`, names stripped; blank lines and `#` comments skipped."""
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, rest = line.partition("=")
        values = tuple(v.strip() for v in rest.split(";") if v.strip())
        if not sep or not name.strip() or not values:
            raise error(f"{source}, line {number}: expected `{form}`, got {line!r}")
        entries.append((name.strip(), values))
    return entries


def merged(entries: Iterable[Entry], key: Callable[[str], str]) -> dict[str, tuple[str, ...]]:
    """Entries under the same key joined, each value once, in the order first seen."""
    out: dict[str, tuple[str, ...]] = {}
    for name, values in entries:
        k = key(name)
        out[k] = tuple(dict.fromkeys((*out.get(k, ()), *values)))
    return out
