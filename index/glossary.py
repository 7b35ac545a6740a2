"""The field's shorthand for search: acronyms and synonyms, bundled and the centre's own.

A question that uses a term is searched with its expansions too ("IHA timescale" also finds
"initial health assessment"), and one that uses an expansion with its term.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

BUNDLED = Path(__file__).parent / "data" / "glossary.txt"


class GlossaryError(ValueError):
    """A glossary file cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Glossary:
    """Terms and what they stand for, both ways round."""

    entries: Mapping[str, tuple[str, ...]]  # term (case-folded) -> expansions
    exact_case: frozenset[str] = frozenset()  # terms matched only as written ("SEND", not "send")

    def expand(self, question: str) -> str:
        """The question followed by the expansions of the terms it uses (each added once).

        >>> Glossary({"iha": ("initial health assessment",)}).expand("IHA timescale")
        'IHA timescale (initial health assessment)'
        """
        folded = " " + " ".join(_WORD.findall(question.casefold())) + " "
        written = " " + " ".join(_WORD.findall(question)) + " "
        added: list[str] = []
        for term, expansions in self.entries.items():
            if term in self.exact_case:
                used = f" {term} " in written
            else:
                used = f" {term.casefold()} " in folded
            if used:
                added.extend(e for e in expansions if e.casefold() not in folded)
            elif any(f" {' '.join(_WORD.findall(e.casefold()))} " in folded for e in expansions):
                added.append(term)
        unique = list(dict.fromkeys(added))
        return f"{question} ({'; '.join(unique)})" if unique else question


_WORD = re.compile(r"[\w+]+")


def parse(text: str, source: str) -> tuple[dict[str, tuple[str, ...]], set[str]]:
    """Lines of `TERM = expansion; another expansion`; `#` starts a comment line.

    A term ending in `!` (`SEND! = ...`) is matched only in the case written, because in lower
    case it is an ordinary word.
    """
    entries: dict[str, tuple[str, ...]] = {}
    exact: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        term, sep, rest = line.partition("=")
        expansions = tuple(e.strip() for e in rest.split(";") if e.strip())
        if not sep or not term.strip() or not expansions:
            raise GlossaryError(
                f"{source}, line {number}: expected `TERM = expansion; another`, got {line!r}"
            )
        term = term.strip()
        if term.endswith("!"):
            term = term[:-1]
        key = " ".join(_WORD.findall(term))
        if line.partition("=")[0].strip().endswith("!"):
            exact.add(key)
        else:
            key = key.casefold()
        entries[key] = tuple(dict.fromkeys((*entries.get(key, ()), *expansions)))
    return entries, exact


@functools.cache
def load_glossary(extra: Path | None = None) -> Glossary:
    """The bundled glossary, with the centre's own file (if any) added to it."""
    entries, exact = parse(BUNDLED.read_text(encoding="utf-8"), str(BUNDLED))
    if extra is not None:
        try:
            text = extra.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise GlossaryError(f"cannot read the glossary {extra}: {error}") from error
        more, more_exact = parse(text, str(extra))
        exact |= more_exact
        for term, expansions in more.items():
            entries[term] = tuple(dict.fromkeys((*entries.get(term, ()), *expansions)))
    return Glossary(entries, frozenset(exact))
