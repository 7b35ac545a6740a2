"""The council a question asks about. What inspectors found in Norfolk, or Surrey's threshold
document, comes only from a document whose title names that council: another council's report
that mentions it in passing is not evidence about it."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.scope import flat_words
from index import TermListError

COUNCILS = Path(__file__).parent / "data" / "councils.txt"
# What makes a question one about a council's own services, not one that only says where the
# practitioner works: "Surrey's threshold", "Norfolk children's services", an inspection.
_LOCAL = (
    r"{name}(?:'s|’s)?\s+(?:county |city |borough )?(?:council|CC|children['’]s services|"
    r"children['’]s trust|"
    r"local authority|MASH|front door|virtual school|safeguarding partnership|threshold)"
    r"|{name}(?:'s|’s)\s"
    # the council as the one acting: "How much does Kent pay", "How do Hackney social workers"
    r"|\b(?:does|do|did|will|would|can|could|should|has|have)\s+{name}\s"
)
_SERVICE = (
    r"{name}(?:'s|’s)?\s+(?:MASH|LADO|EDT|IRO|IROs|front door|virtual school|fostering|"
    r"adoption|care leavers|leaving care|early help|social workers?|out of hours|emergency duty|"
    r"social care)\b"
)
# Council names that are also words: in lower case they are the word ("reading", "bury").
_WORDS = frozenset({"reading", "bury", "bath", "derby", "poole", "halton"})
_INSPECTION = re.compile(r"\b(?:ofsted|inspect\w*|inspectors?|ILACS|JTAI)\b", re.IGNORECASE)


class CouncilsError(TermListError):
    """A councils file cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Councils:
    """Council names, each with the other spellings a practitioner may use ("Herts")."""

    spellings: Mapping[str, tuple[str, ...]]  # council -> its name and other spellings

    @functools.cached_property
    def _pattern(self) -> re.Pattern[str]:
        # Every spelling as a whole name, the longest that fits first ("North Somerset", not
        # "Somerset").
        every = {s for names in self.spellings.values() for s in names}
        names = "|".join(re.escape(n) for n in sorted(every, key=len, reverse=True))
        return re.compile(rf"(?<![\w-])(?:{names})(?![\w-])", re.IGNORECASE)

    @functools.cached_property
    def _council_of(self) -> dict[str, str]:
        return {s.casefold(): c for c, names in self.spellings.items() for s in names}

    def asked(self, question: str) -> str | None:
        """The council whose own services or inspection a question asks about, or None.

        A council named only as where the practitioner works is not asked about, nor one whose
        named programme is ("Bristol's Think Family Database": the programme is the subject).

        >>> load_councils().asked("What did Ofsted find in Norfolk?")
        'Norfolk'
        >>> load_councils().asked("I work in Norfolk: what is a strategy discussion?")
        """
        if not self.spellings:
            return None
        inspected = None  # named in a question about an inspection, but not as the subject
        for found in self._pattern.finditer(question):
            if found.group().islower() and found.group() in _WORDS:
                continue  # "reading the report", not Reading
            name = re.escape(found.group())
            service = re.search(_SERVICE.format(name=name), question, re.IGNORECASE)
            # "Bristol's Think Family Database", "Bristol's TFD"; not "Croydon's MASH"
            programme = name + r"(?:'s|’s)\s+(?:(?:[A-Z][a-z]+\s+){2}|[A-Z]{2,}\b)"
            if not service and re.search(programme, question):
                continue
            if service or re.search(_LOCAL.format(name=name), question, re.IGNORECASE):
                return self._council_of[found.group().casefold()]
            inspected = inspected or self._council_of[found.group().casefold()]
        # "I'm in Westmorland and Furness: what did Ofsted say about Cumberland's PLO work?"
        return inspected if _INSPECTION.search(question) else None

    def named_in(self, council: str, text: str) -> bool:
        """Whether a title or text names the council, by any of its spellings."""
        flat = flat_words(text)
        return any(flat_words(s) in flat for s in self.spellings.get(council, (council,)))


@functools.cache
def load_councils(extra: Path | None = None) -> Councils:
    """The bundled councils, with the centre's own file (if any) added to them.

    Each line is a council's name, optionally followed by `= other spelling; another`.
    """
    spellings: dict[str, tuple[str, ...]] = {}
    for path in (COUNCILS, extra) if extra is not None else (COUNCILS,):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as failure:
            raise CouncilsError(f"cannot read the councils file {path}: {failure}") from failure
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            council, _, rest = (part.strip() for part in line.partition("="))
            others = [s.strip() for s in rest.split(";") if s.strip()]
            if not council:
                raise CouncilsError(
                    f"{path}, line {number}: expected `Council name = other spelling; another`"
                    f" or a council's name alone, got {line!r}"
                )
            spellings[council] = tuple(
                dict.fromkeys((*spellings.get(council, ()), council, *others))
            )
    return Councils(spellings)
