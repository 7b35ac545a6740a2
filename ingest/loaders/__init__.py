"""One loader per format, each `load(data: bytes) -> LoadedDocument`; shared metadata tidying."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ingest.cleaning import tidy

_PLACEHOLDER_TITLES = re.compile(
    r"^(?:untitled(?:\s*document)?|title|document\d*|slide \d+|powerpoint presentation"
    r"|microsoft (?:word|powerpoint|excel)\b.*|.*\.(?:docx?|pdf|pptx?|xlsx?|rtf|odt|indd|tex|dvi)"
    r"|[\W_\d]*)$"
    r"|.*\btemplate\b.*|.*\b(?:LA|AREA|AUTHORITY|INSPECTION)\s+(?:NAME|DATE)\b.*",
    re.IGNORECASE,
)
_PLACEHOLDER_NAMES = frozenset({"", "admin", "administrator", "user", "author", "owner", "unknown"})
_ISO_DATE = re.compile(r"^(\d{4})(?:-?(\d{2})(?:-?(\d{2}))?)?")


def meaningful_title(raw: object) -> str | None:
    """A title from file metadata, or None for a placeholder like "Microsoft Word - x.docx" or
    a file name ("ILACS_leicester_pages_1-6": underscores and no spaces), which the document's
    own first heading names better.

    >>> meaningful_title("SCANNED_image_only_ILACS_leicester_pages_1-6") is None
    True
    """
    if not isinstance(raw, str):
        return None
    title = tidy(raw)
    if "_" in title and not any(char.isspace() for char in title):
        return None
    return None if _PLACEHOLDER_TITLES.match(title) else title


def names(raw: object) -> tuple[str, ...]:
    """Author names from a string split on ';' (or a list), without placeholders like "Admin"."""
    found = _pieces(raw, ";")
    return tuple(
        name for name in found if name.lower() not in _PLACEHOLDER_NAMES and "@" not in name
    )


def terms(raw: object) -> tuple[str, ...]:
    """Keywords or tags from a list or a comma- or semicolon-separated string."""
    return tuple(term for term in _pieces(raw, ";,") if term)


def _pieces(raw: object, separators: str) -> list[str]:
    items: Iterable[object] = raw if isinstance(raw, list | tuple) else [raw]
    pattern = f"[{re.escape(separators)}]"
    return [
        tidy(piece) for item in items if item is not None for piece in re.split(pattern, str(item))
    ]


def iso_date(raw: object) -> str | None:
    """An ISO date ("2024-05-01", "2024-05" or "2024") from e.g. a PDF "D:20240501..." stamp."""
    if raw is None:
        return None
    if hasattr(raw, "isoformat"):
        return str(raw.isoformat())[:10]
    match = _ISO_DATE.match(str(raw).strip().removeprefix("D:"))
    if match is None or not 1000 < int(match.group(1)) < 3000:
        return None
    return "-".join(part for part in match.groups() if part)
