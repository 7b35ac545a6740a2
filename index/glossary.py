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

from index.term_lists import TermListError, merged, read_term_lists

BUNDLED = Path(__file__).parent / "data" / "glossary.txt"


class GlossaryError(TermListError):
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


def _key(term: str) -> str:
    """A term as matched: its words, case-folded unless it ends in `!` (`SEND!`)."""
    key = " ".join(_WORD.findall(term.removesuffix("!")))
    return key if term.endswith("!") else key.casefold()


@functools.cache
def load_glossary(extra: Path | None = None) -> Glossary:
    """The bundled glossary, with the centre's own file (if any) added to it.

    Lines are `TERM = expansion; another expansion`. A term ending in `!` (`SEND! = ...`) is
    matched only in the case written, because in lower case it is an ordinary word.
    """
    entries = read_term_lists(
        BUNDLED, extra, form="TERM = expansion; another", what="the glossary", error=GlossaryError
    )
    exact = frozenset(_key(term) for term, _ in entries if term.endswith("!"))
    return Glossary(merged(entries, _key), exact)
