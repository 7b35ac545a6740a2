"""What the library is not for: questions about another UK nation, adult social care, another
country, translation, legal advice on a case or a service's contact details are refused with the
reason, unless the best quotes themselves speak of what the question names."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from index import TermListError, merged, read_term_lists

# England and Wales is one legal jurisdiction: English guidance names it on every other page, so
# it does not make a quote one about Wales.
_JURISDICTION = re.compile(r"\b(?:in |outside )?England and Wales\b", re.IGNORECASE)
ADULT = "adult social care"
_ADULT = re.compile(
    r"\b(?:2[6-9]|[3-9]\d|1[01]\d)[ -](?:year|yr)s?[ -]old (?:\w+ ){0,2}(?:man|woman|adult|"
    r"person|gentleman|lady|resident|client|user|patient|tenant)\b",
    re.IGNORECASE,
)
BUNDLED = Path(__file__).parent / "data" / "scope.txt"
LANGUAGES = Path(__file__).parent / "data" / "languages.txt"
TRANSLATION = "translation"
TRIVIA = "facts about named people"
LEGAL = "legal advice on a particular case"
CONTACT = "contact details"
STAFF = "something other than evidence for practice (IT, pay, leave, travel)"
# Someone a biographical question can be about: a titled or named person, or a public office.
_PERSON = re.compile(
    r"\b(?:Sir|Dame|Lord|Lady|Baroness|Dr|Professor|Prof|Mr|Mrs|Ms)\.? [A-Z][a-z]+"
    r"|(?<![.?!] )(?<!^)\b[A-Z][a-z]+ [A-Z][a-z]{2,}\b(?! (?:Act|Order|Code|Council)\b)"
    r"|(?i:\b(?:minister|secretary of state|education secretary|home secretary|prime minister|"
    r"MP|children['’]?s commissioner|commissioner for children|chief social worker|"
    r"chief inspector|HMCI|who wrote|who signed)\b)"
)
# What such a question asks: a career, schooling, age, family, politics or pastimes.
_BIOGRAPHY = re.compile(
    r"\bwhen (?:did|was|were|has|have)\b[^.?!]{0,50}\b(?:become|became|appointed|elected|born)\b"
    r"|\b(?:appointed|elected|resigned|took office|take office)\b"
    r"|\b(?:which|what) (?:school|university|college|political party|party|seat)\b|\bconstituency\b"
    r"|\bwho(?:'s|’s| is| was) the\b|\b(?:at the moment|currently|these days|at present)\b"
    r"|\bhow long (?:has|have|had)\b[^.?!]{0,40}\bbeen (?:the|a|an|at|with|in post|in the job)\b"
    r"|\bretir(?:e|es|ed|ing)\b"
    r"|\b(?:where|what) (?:was|were|did) (?:he|she|they)\b[^.?!]{0,20}\bbefore\b"
    r"|\b(?:football|rugby|cricket) (?:team|club)\b"
    r"|\b(?:teach|taught|study|studied|work|worked) (?:at|for) (?!a |an |the child)"
    r"|\bhow old\b|\bhow many (?:children|kids|sons|daughters) (?:does|did|has|have)\b"
    r"|\bwho (?:is|was|were) the (?:first|current|new|last|previous|former)\b"
    r"|\b(?:before|after) (?:he|she|they) (?:wrote|joined|became|was appointed|left|founded)\b"
    r"|\b(?:married|wife|husband|salary|birthday|grew up|hobbies)\b",
    re.IGNORECASE,
)
_CLAUSES = re.compile(r"[.;:?!]+|\s[-–—]\s")
# Words of a move across a border, within the six words before a marker.
_MOVING = re.compile(
    r"\b(?:placed|placing|adopted|moved|moves|moving|move|left|leaves|leaving|transfer\w*|"
    r"transition\w*|came|comes|arrived|relocat\w*|returned|returning)\b(?: \w+){0,6} $"
)
# A number to ring: "the out of hours social care number", "the MASH phone line".
_CONTACT = re.compile(
    r"\b(?:phone|telephone|contact|out[- ]of[- ]hours|emergency duty|duty|helpline|direct|mobile|"
    r"switchboard)\b(?:\s+\w+){0,3}\s+(?:number|line|no)\b",
    re.IGNORECASE,
)
# Words of where someone is: "mum lives in Scotland", "looked after by a Welsh council".
_SITUATED = re.compile(
    r"\b(?:lives?|living|based|works?|working|worked|stays?|staying|by a|by the|over the border)"
    r"\b(?: \w+){0,4} $"
)
# A forecast of, or advice on, how a court, panel or prosecutor will treat one case.
_LEGAL = re.compile(
    r"\b(?:will|would|could|might) (?:the |a |our |my )?(?:court|judge|magistrates?|panel|"
    r"tribunal|IRM|jury|ombudsman|CPS)\b[^.?!]{0,40}?\b(?:grant|give|agree|decide|dismiss|"
    r"accept|approve|side|rule|find|let|allow|make|refuse|reject|overturn|uphold|award|back)\b"
    r"|\b(?:court|judge|magistrates?|panel|tribunal|jury) (?:will|would|is going to|is likely to)"
    r"\b[^.?!]{0,30}\b(?:grant|give|agree|decide|dismiss|accept|approve|side|rule|find|refuse)\b"
    r"|\b(?:likely|going) to (?:win|lose|succeed|fail|be granted|be refused|be dismissed)\b"
    r"|\b(?:will|would|could) (?:we|they|she|he|I|the council|the LA|the local authority) "
    r"(?:win|lose)\b"
    r"|\b(?:is|was|were|are) (?:our|my|their|his|her|the council['’]s) (?:\w+ ){0,5}"
    r"(?:lawful|unlawful|legal|illegal)\b"
    r"|\bcan (?:I|we|she|he|they) be (?:prosecuted|sued|struck off|sacked|arrested|charged|"
    r"fined|jailed)\b"
    r"|\bwhat (?:sentence|fine|damages|penalty) (?:would|will|could|might)\b"
    r"|\b(?:case|claim|appeal|application|challenge)\b[^.?!]{0,60}\bstrong enough\b"
    r"|\bshould (?:I|we) advise\b|\b(?:should|can) my client\b|\badvise my client\b"
    r"|\b(?:will|would|could)\b[^.?!]{0,30}\b(?:pay|paying|owe|get) (?:\w+ ){0,2}"
    r"(?:damages|compensation)\b"
    r"|\bworth (?:\w+ )?(?:appealing|challenging|suing|contesting)\b|\bshould (?:we|I) appeal\b",
    re.IGNORECASE,
)


class ScopeError(TermListError):
    """A scope file cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Scope:
    """Reasons, each with the words and phrases that mark a question as outside the library."""

    markers: Mapping[str, tuple[str, ...]]

    def outside(
        self, question: str, evidence: Iterable[str] = (), quoted: Iterable[str] = ()
    ) -> str | None:
        """The reason a question is outside the library, or None.

        A marker the evidence (the best quotes' titles and sections) also contains does not
        count: the library speaks of it. Nor does one named only where a case crosses a border
        ("placed by a Welsh council"), or where someone lives or works when the quotes
        themselves (`quoted`) speak of it ("mum lives in Scotland": the adoption guidance says
        who witnesses consent there). A person aged 26 or over ("an 80 year old woman") makes
        the question one about adult social care: care leavers are supported up to 25.

        >>> Scope({"adult social care": ("Care Act",)}).outside("Care Act assessments?")
        'adult social care'
        """
        said = flat_words(_JURISDICTION.sub(" ", " ".join(evidence)))
        spoken = flat_words(_JURISDICTION.sub(" ", " ".join(quoted)))
        question = _JURISDICTION.sub(" ", question)
        asked = flat_words(question)
        if _ADULT.search(question) and "adult" not in said:
            return ADULT
        if _PERSON.search(question) and _BIOGRAPHY.search(question):
            return TRIVIA
        if _LEGAL.search(question):
            return LEGAL
        if _translation().search(question):
            return TRANSLATION
        if _CONTACT.search(question):
            return CONTACT
        for reason, phrases in self.markers.items():
            for phrase in phrases:
                marker = flat_words(phrase)
                if marker not in asked or marker in said or _passing(marker, question, _MOVING):
                    continue
                if not (marker in spoken and _passing(marker, question, _SITUATED)):
                    return reason
        return None


def _passing(marker: str, question: str, cue: re.Pattern[str]) -> bool:
    """Whether every mention of the marker is where someone or something moves from or to:
    "placed by a Welsh council", "adopted from care in Scotland", "moves to adult social care
    at 18" are English cases that cross a border, not questions about the other system."""
    mentions = 0
    for clause in _CLAUSES.split(question):
        flat = flat_words(clause)
        for found in re.finditer(re.escape(marker), flat):
            mentions += 1
            if not cue.search(flat[max(0, found.start() - 60) : found.start() + 1]):
                return False
    return mentions > 0


@functools.cache
def _translation() -> re.Pattern[str]:
    """A request for words in another language: "into Polish", "in plain Somali", "the Arabic
    for", "a Urdu version"; not a family who speak it or a worker fluent in it."""
    lines = LANGUAGES.read_text(encoding="utf-8").splitlines()
    names = "|".join(line.strip() for line in lines if line.strip() and not line.startswith("#"))
    return re.compile(
        rf"(?<!speak )(?<!speaks )(?<!fluent )(?<!spoken )\b(?:into|in) "
        rf"(?:plain |simple |easy |easy-read )?(?:{names})\b(?! (?:speak|famil|child|parent))"
        rf"|\bthe (?:{names}) (?:for|word)\b|\b(?:{names}) (?:version|translation|copy)\b",
        re.IGNORECASE,
    )


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
