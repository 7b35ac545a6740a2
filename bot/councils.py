"""The council a question asks about. What inspectors found in Norfolk, or Surrey's threshold
document, comes only from a document whose title names that council: another council's report
that mentions it in passing is not evidence about it."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from bot.scope import flat_words

COUNCILS = Path(__file__).parent / "data" / "councils.txt"
# What makes a question one about a council's own services, not one that only says where the
# practitioner works: "Surrey's threshold", "Norfolk children's services", an inspection.
_LOCAL = (
    r"{name}(?:'s|’s)?\s+(?:county |city |borough )?(?:council|children['’]s services|"
    r"local authority|MASH|front door|virtual school|safeguarding partnership|threshold)"
    r"|{name}(?:'s|’s)\s"
)
_INSPECTION = re.compile(r"\b(?:ofsted|inspect\w*|inspectors?|ILACS|JTAI)\b", re.IGNORECASE)


@functools.cache
def councils() -> re.Pattern[str]:
    """Any council of bot/data/councils.txt as a whole name, the longest that fits first
    ("North Somerset", not "Somerset")."""
    lines = COUNCILS.read_text(encoding="utf-8").splitlines()
    found = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    names = "|".join(re.escape(n) for n in sorted(found, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{names})(?![\w-])")


def asked_council(question: str) -> str | None:
    """The council whose own services or inspection a question asks about, or None.

    A council named only as where the practitioner works is not asked about, nor one whose
    named programme is ("Bristol's Think Family Database": the programme is the subject).

    >>> asked_council("What did Ofsted find in Norfolk?")
    'Norfolk'
    >>> asked_council("What is Surrey's threshold for level 3?")
    'Surrey'
    >>> asked_council("I work in Norfolk: what is a strategy discussion?")
    """
    inspection = bool(_INSPECTION.search(question))
    for found in councils().finditer(question):
        name = re.escape(found.group())
        # "Bristol's Think Family Database", "Bristol's TFD"
        if re.search(name + r"(?:'s|’s)\s+(?:(?:[A-Z][a-z]+\s+){2}|[A-Z]{2,}\b)", question):
            continue
        if inspection or re.search(_LOCAL.format(name=name), question, re.IGNORECASE):
            return found.group()
    return None


def names_council(name: str, text: str) -> bool:
    """Whether a title or text names the council."""
    return flat_words(name) in flat_words(text)
