"""Document metadata: inferred from a loader's hints and the text, then corrected by overrides.

Trust runs: overrides (manifest row, CLI flags) > loader hints > the text itself > the file name.

- title: hints (unless a template placeholder such as "Microsoft Word - x.docx" or "LA NAME":
  a PDF's hint is its metadata title, else its first page's largest text); else the first
  level-1 heading on page 1, else page 1's first heading; else the file name with
  its extension dropped and underscores and dashes read as spaces.
- authors: hints, keeping personal names; an organisation named as author becomes the publisher.
- publisher: hints; else the known publisher named earliest in the first two pages, else on the
  last page (where the copyright and "published by" lines usually sit).
- year/date: hints.date; else page 1's latest "[day] month year", then a copyright year on page 1,
  2 or the last page, then a year in the title or file name, then page 1's latest bare year that
  does not name an Act. Years outside 1950..this year are ignored.
- licence: hints; else a licence named anywhere (Open Government Licence before Creative Commons).
- doc_type: a valid hints value; else keyword rules, first match wins, in four passes: the title
  for any type but practice guidance; the title plus first three pages for inspection report or
  statutory guidance; the title for practice guidance; the title plus first pages for any type.
  Within a pass the order is inspection report > statutory guidance > data specification >
  systematic review > research report > practice guidance; else "other". A data specification
  (a census guide, a technical specification, a dashboard's supporting information) says how to
  record and return data, so it yields to other sources unless a question is about recording.
  Inspections come first because inspectors quote guidance; a cover saying "Statutory guidance
  for..." beats a title saying "Guidance"; reviews come before research reports because reviews
  also report findings; a title saying "guidance" or "advice" beats research words such as
  "findings" on the first pages.
- topics: hints' topics, then each vocabulary topic whose keywords occur at least
  max(3, words / 500) times in the whole text (a hit in the title counts three).
- sample: False unless overrides say so or the text carries the sample library's marker sentence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from index import DOC_TYPES, DocumentMeta
from ingest.loaded import LoadedDocument
from ingest.vocabulary import (
    DOC_TYPE_ALIASES,
    DOC_TYPE_RULES,
    GENERIC_HEADINGS,
    PUBLISHERS,
    TOPIC_RULES,
)

SAMPLE_MARKER = "Illustrative sample material written for the evidence-bot project"
EARLIEST_YEAR = 1950

OVERRIDE_KEYS: tuple[str, ...] = ("title", "authors", "publisher", "year", "date", "source_url")
OVERRIDE_KEYS += ("licence", "doc_type", "topics", "sample")

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH_DATE = re.compile(
    rf"(?:(?<![\d.])(3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?[^\S\n]+)?\b({_MONTHS})[^\S\n]+((?:19|20)\d\d)\b"
)
_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright)\s*(?:crown\s+copyright\s*)?((?:19|20)\d\d)", re.I)
_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d\d)(?![\d.])")
_ACT_YEAR = re.compile(r"(?:Act|Regulations|Order|Rules)\s+((?:19|20)\d\d)")
_JUNK_TITLE = re.compile(
    r"^(untitled|title|document\d*|slide \d+|(powerpoint )?presentation\d*)$|template|"
    r"\b[A-Z]{2,} NAME\b|\bArea Name\b|[A-Z]{4,} DATE",
    re.I,
)


def infer_metadata(loaded: LoadedDocument, file_name: str) -> DocumentMeta:
    """Fill a DocumentMeta from the loader's hints, the text and the file name.

    Example:
        >>> infer_metadata(loaded, "Family_help_evaluation-2024.pdf").title
        'Family help evaluation 2024'
    """
    hints = loaded.hints
    pages = tuple(page.translate(_APOSTROPHES) for page in loaded.pages)
    title = _clean_title(hints.title) or _heading_title(loaded) or tidy_file_name(file_name)
    authors = tuple(a.strip() for a in hints.authors if _is_personal_name(a))
    named_orgs = [org for a in hints.authors if (org := publisher_named(a))]
    front = "\n".join(pages[:2])
    publisher = hints.publisher or (named_orgs[0] if named_orgs else None)
    publisher = publisher or find_publisher(front) or find_publisher(pages[-1] if pages else "")
    found_date = hints.date or _text_date(pages, title, file_name)
    hinted_type = _doc_type_or_none(hints.doc_type)
    doc_type = hinted_type or _infer_doc_type(title.translate(_APOSTROPHES), "\n".join(pages[:3]))
    topics = _unique([t.strip().lower() for t in hints.topics if t.strip()])
    topics += tuple(
        t for t in infer_topics(title.translate(_APOSTROPHES), pages) if t not in topics
    )
    return DocumentMeta(
        title=title,
        authors=authors,
        publisher=publisher,
        year=_year_of(found_date),
        date=found_date,
        source_url=hints.source_url,
        licence=hints.licence or _find_licence("\n".join(pages)),
        doc_type=doc_type,
        topics=topics,
        sample=any(SAMPLE_MARKER.lower() in " ".join(p.lower().split()) for p in pages[:2]),
    )


def tidy_file_name(file_name: str) -> str:
    """Turn "Info_sharing-advice_May_2024.pdf" into "Info sharing advice May 2024"."""
    stem = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem[1:] else stem
    return " ".join(re.sub(r"[_\-–]+", " ", stem).split()) or file_name


def infer_topics(title: str, pages: tuple[str, ...]) -> tuple[str, ...]:
    """Vocabulary topics whose keywords recur in the text, in vocabulary order."""
    text = "\n".join(pages)
    threshold = max(3, len(text.split()) // 500)
    chosen = []
    for topic, pattern in TOPIC_RULES.items():
        hits = len(pattern.findall(text)) + 3 * len(pattern.findall(title))
        if hits >= threshold:
            chosen.append(topic)
    return tuple(chosen)


def apply_overrides(meta: DocumentMeta, overrides: Mapping[str, object]) -> DocumentMeta:
    """Return meta with the given fields replaced; None or empty values leave a field alone.

    Raises:
        ValueError: an unknown key, an unknown doc_type or a year out of range; the message says
            what is allowed.
    """
    changes = normalise_overrides(overrides)
    if "date" in changes and "year" not in changes:
        changes["year"] = _year_of(str(changes["date"]))
    return replace(meta, **changes)  # type: ignore[arg-type]


def normalise_overrides(overrides: Mapping[str, object]) -> dict[str, object]:
    """Validate override values and convert them to DocumentMeta field types."""
    unknown = sorted(set(overrides) - set(OVERRIDE_KEYS))
    if unknown:
        raise ValueError(f"unknown metadata keys {unknown}; allowed: {', '.join(OVERRIDE_KEYS)}")
    changes: dict[str, object] = {}
    for key, value in overrides.items():
        if value is None or (isinstance(value, str | list | tuple) and not value):
            continue
        if key in ("authors", "topics"):
            items = _split_list(value)
            changes[key] = tuple(i.lower() for i in items) if key == "topics" else items
        elif key == "year":
            changes[key] = _check_year(value)
        elif key == "doc_type":
            changes[key] = canonical_doc_type(str(value))
        elif key == "sample":
            changes[key] = _as_bool(value)
        elif key == "date":
            changes[key] = value.isoformat() if isinstance(value, date) else str(value).strip()
        else:
            changes[key] = " ".join(str(value).split())
    return changes


def canonical_doc_type(value: str) -> str:
    """Map "Evaluation", "inspection" or "Research Report" to one of DOC_TYPES.

    Raises:
        ValueError: the value is neither a document type nor a known alias.
    """
    key = " ".join(value.lower().replace("_", " ").replace("-", " ").split())
    found = key if key in DOC_TYPES else DOC_TYPE_ALIASES.get(key)
    if found is None:
        raise ValueError(f"unknown doc_type {value!r}; use one of: {', '.join(DOC_TYPES)}")
    return found


def _doc_type_or_none(value: str | None) -> str | None:
    try:
        return canonical_doc_type(value) if value else None
    except ValueError:
        return None


def _infer_doc_type(title: str, front: str) -> str:
    both = f"{title}\n{front}"
    specific = tuple(kind for kind in DOC_TYPE_RULES if kind != "practice guidance")
    strong = ("inspection report", "statutory guidance")
    passes = ((title, specific), (both, strong), (title, ("practice guidance",)), (both, DOC_TYPES))
    for text, kinds in passes:
        for kind, pattern in DOC_TYPE_RULES.items():
            if kind in kinds and pattern.search(text):
                return kind
    return "other"


def find_publisher(text: str) -> str | None:
    """The known publisher named earliest in text, if any."""
    text = text.translate(_APOSTROPHES)
    found = [(m.start(), name) for name, p in PUBLISHERS.items() if (m := p.search(text))]
    return min(found)[1] if found else None


def publisher_named(name: str) -> str | None:
    """The known publisher this whole name denotes ("DfE" -> "Department for Education")."""
    name = " ".join(name.translate(_APOSTROPHES).split())
    if "@" in name:
        return find_publisher(name.rsplit("@", 1)[1])
    return next((pub for pub, p in PUBLISHERS.items() if p.fullmatch(name)), None)


def _clean_title(raw: str | None) -> str | None:
    if not raw:
        return None
    title = re.sub(r"^Microsoft (Word|PowerPoint) - ", "", " ".join(raw.split()))
    title = re.sub(r"\.(docx?|pdf|pptx?|odt|indd)$", "", title, flags=re.I).strip()
    if len(re.findall(r"[A-Za-z]", title)) < 3 or _JUNK_TITLE.search(title):
        return None
    return title


def _heading_title(loaded: LoadedDocument) -> str | None:
    headings = [b for b in loaded.blocks if b.kind == "heading" and b.page == 1]
    for block in sorted(headings, key=lambda b: b.level != 1):
        text = " ".join(loaded.pages[0][block.start : block.end].split()).strip("#* ")
        if 3 <= len(text) <= 250 and not _generic_heading(text):
            return text
    return None


def _generic_heading(text: str) -> bool:
    """Headings that open many documents and name none: a letter's salutation, "Contents"."""
    folded = text.casefold().rstrip(":., ")
    return folded in GENERIC_HEADINGS or folded.startswith("dear ")


def _is_personal_name(author: str) -> bool:
    name = author.strip()
    return " " in name and "@" not in name and publisher_named(name) is None


def _text_date(pages: tuple[str, ...], title: str, file_name: str) -> str | None:
    first = pages[0] if pages else ""
    dated = [m for m in _MONTH_DATE.finditer(first) if _in_range(int(m.group(3)))]
    if dated:
        day, month, year = max(dated, key=lambda m: int(m.group(3))).groups()
        number = _MONTHS.split("|").index(month) + 1
        return f"{year}-{number:02d}-{int(day):02d}" if day else f"{year}-{number:02d}"
    copyright_pages = [(_COPYRIGHT, text) for text in (first, *pages[1:2], *pages[-1:])]
    for pattern, text in [*copyright_pages, (_YEAR, title), (_YEAR, tidy_file_name(file_name))]:
        years = [int(y) for y in pattern.findall(text) if _in_range(int(y))]
        if years:
            return str(max(years))
    acts = set(_ACT_YEAR.findall(first))
    years = [int(y) for y in _YEAR.findall(first) if _in_range(int(y)) and y not in acts]
    return str(max(years)) if years else None


def _find_licence(text: str) -> str | None:
    if re.search(r"Open\s+Government\s+Licen[cs]e", text, re.I):
        old = re.search(r"Open\s+Government\s+Licen[cs]e,?\s+(?:v|version\s+)([12])\b", text, re.I)
        return (
            f"Open Government Licence v{old.group(1)}.0" if old else "Open Government Licence v3.0"
        )
    match = re.search(
        r"\bCC[ -]BY(?:-(?:NC|SA|ND))*(?: \d\.\d)?|Creative Commons [A-Za-z -]+\d\.\d", text
    )
    if match:
        return " ".join(match.group(0).split())
    return "CC0 1.0" if re.search(r"\bCC0\b", text) else None


def _year_of(found: str | None) -> int | None:
    match = _YEAR.search(found or "")
    return int(match.group(1)) if match and _in_range(int(match.group(1))) else None


def _in_range(year: int) -> bool:
    return EARLIEST_YEAR <= year <= date.today().year


def _check_year(value: object) -> int:
    try:
        year = int(str(value).strip())
    except ValueError:
        raise ValueError(f"year {value!r} is not a whole number such as 2024") from None
    if not _in_range(year):
        raise ValueError(f"year {year} is outside {EARLIEST_YEAR}..{date.today().year}")
    return year


def _split_list(value: object) -> tuple[str, ...]:
    items = value if isinstance(value, list | tuple) else str(value).split(";")
    return _unique([" ".join(str(i).split()) for i in items if str(i).strip()])


def _as_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "y", "1"):
        return True
    if text in ("false", "no", "n", "0"):
        return False
    raise ValueError(f"sample must be true or false, not {value!r}")


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
