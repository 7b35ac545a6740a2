"""Redacting likely personal data from a practitioner's question before it is logged or stored.

`redact` replaces each finding with a typed placeholder such as ``[postcode]``. It detects:

- UK postcodes in every valid format, GIR 0AA included, with or without the space, in any case.
- NHS numbers: ten digits, run together or grouped 3-3-4 by spaces or dashes, that pass the
  modulus-11 check digit. Ten-digit numbers that fail the check are left alone.
- National Insurance numbers: two letters, six digits and a final letter A-D, spaces allowed.
  Prefixes never issued are left alone: D, F, I, Q, U or V as either letter, O as the second,
  and BG, GB, KN, NK, NT, TN, ZZ.
- UK phone numbers starting +44 or 0 (mobiles and landlines), with spaces, dashes or brackets.
- E-mail addresses.
- Dates of birth: a full date (03/04/2015, 3 April 2015, April 3, 2015, 2015-04-03) straight after
  "born", "DOB", "d.o.b.", "date of birth" or "birthday", straight after an earlier date of birth
  ("DOB 03/04/2015 and 05/06/2017"), or straight after a name. Once a name is found, every full
  date in the message is treated as a date of birth.
- Names, only beside a date of birth or an address: two or three capitalised words, or a title and
  a surname, just before it, as in "Jayden Smith (DOB 03/04/2015)", "Amy Jones, 12 Park Road" or
  "Baby Smith, DOB 01/01/2024". Titles (Mrs, Dr, Baby) stay.
- Street addresses: a house number, then capitalised words ending in Road, Street, Avenue, Lane,
  Close, Drive, Way, Court, Crescent, Place, Gardens, Terrace, Grove, Rd, St or Ave; not after
  "section", "para", "page", "aged" and the like, and not "Family Court" or another court.

It does not detect: names on their own (too many titles, authors and places look like names),
first names alone, names written after the date or address, lower-case or non-Latin-script names,
dates written before the marker ("03/04/2015 (DOB)"), partial dates ("born in 2015", "April
2015"), towns, house names, flat numbers, streets with other endings (Mews, Row, Hill), ages,
schools, case or local-authority reference numbers, non-UK phone numbers or identifiers, anything
spelled out in words, or a description that identifies a child without any of these. Every
detection needs an ASCII digit or an "@", so a message with neither comes back unchanged.
Redaction repeats until nothing more is found, so redacting its output again changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

KINDS = (
    "email",
    "NHS number",
    "NI number",
    "phone",
    "postcode",
    "address",
    "date of birth",
    "name",
)  # in order of priority when two findings start at the same place with the same length

_OUTWARD = (
    r"[A-PR-UWYZ](?:[0-9][0-9]?|[A-HK-Y][0-9][0-9]?|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRV-Y])"
)
_POSTCODE = re.compile(
    rf"(?<![A-Za-z0-9])(?:GIR ?0AA|{_OUTWARD} ?[0-9][ABD-HJLNP-UW-Z]{{2}})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_NHS = re.compile(r"(?<![0-9])([0-9]{3})([ -]?)([0-9]{3})\2([0-9]{4})(?![0-9])")
_NI = re.compile(
    r"(?<![A-Za-z0-9])(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r" ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D](?![A-Za-z0-9])",
    re.IGNORECASE,
)
_PHONE = re.compile(r"(?<![\w+.])(?:\+44[ -]?(?:\(0\)[ -]?)?|\(?0)(?:[0-9][ ()-]{0,2}){8,9}[0-9]\b")
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"
)

_MONTH = (
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = re.compile(
    r"(?<![0-9/.-])(?:"
    r"(?P<d>[0-9]{1,2})(?P<sep>[/.-])(?P<m>[0-9]{1,2})(?P=sep)(?:[0-9]{4}|[0-9]{2})"
    r"|[0-9]{4}-(?P<im>[0-9]{1,2})-(?P<id>[0-9]{1,2})"
    rf"|(?P<wd>[0-9]{{1,2}})(?:st|nd|rd|th)? +(?:of +)?{_MONTH},? +[0-9]{{4}}"
    rf"|{_MONTH} +(?P<md>[0-9]{{1,2}})(?:st|nd|rd|th)?,? +[0-9]{{4}}"
    r")(?![0-9])",
    re.IGNORECASE,
)
_MARKER = (
    r"(?i:\b(?:born|date +of +birth|d\.?o\.?b\b\.?|birthday)[\s:;,=(-]*(?:(?:is|was|on|of|the) +)*)"
)
_AFTER_MARKER = re.compile(rf"{_MARKER}\Z")
_BETWEEN_DATES = re.compile(r"[ ,;&]*(?:(?:and|or) +)?\Z")

_LATIN = [chr(code) for code in range(0xC0, 0x250)]  # accented Latin letters: Zoë, Łukasz
_UPPER = "A-Z" + "".join(letter for letter in _LATIN if letter.isupper())
_LOWER = "a-z" + "".join(letter for letter in _LATIN if letter.islower())
_TOKEN = (  # Jayden, O'Brien, McDonald, Smith-Jones
    rf"[{_UPPER}](?:['’][{_UPPER}])?[{_LOWER}]+(?:[{_UPPER}][{_LOWER}]+)?"
    rf"(?:-[{_UPPER}][{_LOWER}]+)?"
)
_NAME = rf"(?<![\w'’-])(?P<name>{_TOKEN}(?: {_TOKEN}){{1,2}})"
_NAME_BEFORE_DATE = re.compile(rf"{_NAME} *,? *(?:\( *)?(?:(?:is|was|who was) +)?(?:{_MARKER})?\Z")
_NAME_BEFORE_ADDRESS = re.compile(
    rf"{_NAME} *,? *(?:(?:(?:who +)?(?:lives|living|lived|resides|residing) +at|of|at|from) +)?\Z"
)
_TITLES = frozenset("Mr Mrs Ms Miss Mx Dr Master Baby Sir Dame Rev Prof".split())
_NOT_NAMES = _TITLES | frozenset(
    "The This That These Those My Our Your Their His"
    " Her Its Is Are Was Were What How When Where Why Who Which Does Do Did Can Could Should Would"
    " Might Must Please Hi Hello Dear Thanks If And But Or For From With About Re"
    " Child Children Young Person People Mother Father Mum Dad Parent Sister Brother Carer"
    " Working Together Act Section Part Report Review Plan Court Family Council School Hospital"
    " Ofsted Local Authority Social Worker Care Order Guidance Lives Living Born Date Birth Address"
    " Name Case Referral Assessment January February March April June July August September"
    " October November December Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
)

_STREET = (
    r"(?:Road|Street|Avenue|Lane|Close|Drive|Way|Court|Crescent|Place|Gardens|Terrace|Grove"
    r"|Rd|St|Ave)"
)
_ADDRESS = re.compile(
    rf"(?<![\w./-])[0-9]{{1,3}}[A-Za-z]?,? +(?:[A-Z][A-Za-z'’-]* +){{1,3}}?{_STREET}"
    r"(?![\w'’-])"
)
_NOT_HOUSE_NUMBER = re.compile(
    r"(?i:\b(?:s|ss|section|sections|para|paras|paragraph|p|pp|page|chapter|part|schedule|article"
    r"|regulation|reg|rule|standard|year|years|age|aged|table|figure|fig|annex|appendix|step"
    r"|stage|level|tier|key|under|over)\.? *)\Z"
)
_COURTS = re.compile(
    r"(?i:\b(?:family|crown|high|youth|county|magistrates'?|supreme|appeal|coroners'?|coroner's"
    r"|civil|criminal|juvenile|district|designated) +Court)\Z"
)


@dataclass(frozen=True)
class Redaction:
    """A question with likely personal data replaced by typed placeholders."""

    text: str
    kinds: tuple[str, ...]

    @property
    def found(self) -> bool:
        """Whether anything was redacted."""
        return bool(self.kinds)


@dataclass(frozen=True)
class _Finding:
    start: int
    end: int
    kind: str


def redact(text: str) -> Redaction:
    """Replace likely personal data in `text` with typed placeholders.

    Args:
        text: A practitioner's question, as typed.

    Returns:
        The redacted copy and the kinds found, unique, in order of discovery.

    Example:
        >>> redact("Jayden Smith (DOB 03/04/2015) lives in LS1 4AB").text
        '[name] (DOB [date of birth]) lives in [postcode]'
    """
    kinds: list[str] = []
    # Every pass removes at least one digit or "@" and placeholders add none, so this ends.
    while findings := _findings(text):
        kinds.extend(kind for kind in dict.fromkeys(f.kind for f in findings) if kind not in kinds)
        pieces: list[str] = []
        cursor = 0
        for finding in findings:
            pieces += [text[cursor : finding.start], f"[{finding.kind}]"]
            cursor = finding.end
        text = "".join([*pieces, text[cursor:]])
    return Redaction(text, tuple(kinds))


def _findings(text: str) -> list[_Finding]:
    """All findings in one pass, without overlaps, earliest and longest first."""
    found = [
        *(_Finding(m.start(), m.end(), "email") for m in _EMAIL.finditer(text)),
        *(_Finding(m.start(), m.end(), "NHS number") for m in _NHS.finditer(text) if _nhs(m)),
        *(_Finding(m.start(), m.end(), "NI number") for m in _NI.finditer(text)),
        *(_Finding(m.start(), m.end(), "phone") for m in _PHONE.finditer(text) if _phone(m)),
        *(_Finding(m.start(), m.end(), "postcode") for m in _POSTCODE.finditer(text)),
        *_people(text),
    ]
    found.sort(key=lambda f: (f.start, f.start - f.end, KINDS.index(f.kind)))
    kept: list[_Finding] = []
    for finding in found:
        if not kept or finding.start >= kept[-1].end:
            kept.append(finding)
    return kept


def _people(text: str) -> Iterator[_Finding]:
    """Addresses, dates of birth, and the names written just before either."""
    names: list[_Finding] = []
    for address in _addresses(text):
        yield address
        names += _name_before(text, address.start, _NAME_BEFORE_ADDRESS)
    dates = [m for m in _DATE.finditer(text) if _date(m)]
    births: list[re.Match[str]] = []
    for date in dates:
        before = text[max(0, date.start() - 80) : date.start()]
        name = _name_before(text, date.start(), _NAME_BEFORE_DATE)
        follows_birth = bool(births) and bool(
            _BETWEEN_DATES.match(text, births[-1].end(), date.start())
        )
        if name or follows_birth or _AFTER_MARKER.search(before):
            births.append(date)
        names += name
    yield from names
    for date in dates if names else births:
        yield _Finding(date.start(), date.end(), "date of birth")


def _addresses(text: str) -> Iterator[_Finding]:
    """House numbers and street names, not section numbers or courts."""
    for m in _ADDRESS.finditer(text):
        before = text[max(0, m.start() - 20) : m.start()]
        if not _NOT_HOUSE_NUMBER.search(before) and not _COURTS.search(
            text, max(0, m.end() - 40), m.end()
        ):
            yield _Finding(m.start(), m.end(), "address")


def _name_before(text: str, end: int, pattern: re.Pattern[str]) -> list[_Finding]:
    """The name that `pattern` finds just before `end`, without titles or ordinary words."""
    m = pattern.search(text, max(0, end - 120), end)
    if not m:
        return []
    tokens = list(re.finditer(r"\S+", m["name"]))
    titled = False
    while tokens and tokens[0][0] in _NOT_NAMES:
        titled = tokens.pop(0)[0] in _TITLES
    if len(tokens) < (1 if titled else 2) or any(token[0] in _NOT_NAMES for token in tokens):
        return []
    return [_Finding(m.start("name") + tokens[0].start(), m.end("name"), "name")]


def _nhs(m: re.Match[str]) -> bool:
    """Whether a ten-digit number passes the NHS modulus-11 check digit."""
    digits = [int(d) for d in m[1] + m[3] + m[4]]
    total = sum(d * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    return (11 - total % 11) % 11 == digits[9]


def _phone(m: re.Match[str]) -> bool:
    """Whether the digits make a UK number: 9 or 10 digits after the 0, not starting 0, 4 or 6."""
    digits = re.sub(r"[^0-9]", "", m[0])
    national = digits[2:] if m[0].startswith("+") else digits[1:]
    national = national[1:] if m[0].startswith("+") and "(0)" in m[0] else national
    return len(national) in (9, 10) and national[0] not in "046"


def _date(m: re.Match[str]) -> bool:
    """Whether a date-shaped match has a real day and month."""
    day = m["d"] or m["id"] or m["wd"] or m["md"]
    month = m["m"] or m["im"] or "1"
    return 1 <= int(day) <= 31 and 1 <= int(month) <= 12
