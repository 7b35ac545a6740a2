"""What the library is not for: questions about another UK nation, adult social care, another
country, translation, legal advice on a case or a service's contact details are refused with the
reason, unless the best quotes themselves speak of what the question names."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from index.term_lists import TermListError, merged, read_term_lists

# England and Wales is one legal jurisdiction: English guidance names it on every other page, so
# it does not make a quote one about Wales.
_JURISDICTION = re.compile(r"\b(?:in |outside )?England and Wales\b", re.IGNORECASE)
ADULT = "adult social care"
_ADULT = re.compile(
    r"\b(?:2[6-9]|[3-9]\d|1[01]\d)[ -](?:year|yr)s?[ -]old (?:man|woman|adult|person|gentleman|"
    r"lady|resident|client|service user)\b",
    re.IGNORECASE,
)
BUNDLED = Path(__file__).parent / "data" / "scope.txt"


class ScopeError(TermListError):
    """A scope file cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Scope:
    """Reasons, each with the words and phrases that mark a question as outside the library."""

    markers: Mapping[str, tuple[str, ...]]

    def outside(self, question: str, evidence: Iterable[str] = ()) -> str | None:
        """The reason a question is outside the library, or None.

        A marker the evidence also contains does not count: the library speaks of it. A person
        aged 26 or over ("an 80 year old woman") makes the question one about adult social care:
        care leavers are supported up to 25.

        >>> Scope({"adult social care": ("Care Act",)}).outside("Care Act assessments?")
        'adult social care'
        """
        said = flat_words(_JURISDICTION.sub(" ", " ".join(evidence)))
        asked = flat_words(question)
        if _ADULT.search(question) and "adult" not in said:
            return ADULT
        for reason, phrases in self.markers.items():
            for phrase in phrases:
                marker = flat_words(phrase)
                if marker in asked and marker not in said:
                    return reason
        return None


def flat_words(text: str) -> str:
    """Lower-case words between single spaces, possessives dropped, for whole-word matching.

    >>> flat_words("Wales's children’s hearing")
    ' wales children hearing '
    """
    # Possessives go: "Wales's guidance" names Wales; "children's hearing" matches "childrens".
    text = re.sub(r"'s?\b", "", text.casefold().replace("’", "'"))
    words = re.findall(r"\w+", text)
    return " " + " ".join(words) + " "


@functools.cache
def load_scope(extra: Path | None = None) -> Scope:
    """The bundled scope, with the centre's own file (if any) added to it.

    Lines are `reason = phrase; another phrase`.
    """
    entries = read_term_lists(
        BUNDLED, extra, form="reason = phrase; another", what="the scope file", error=ScopeError
    )
    return Scope(merged(entries, str))
