"""Plain-text loader: paragraphs split on blank lines, headings recognised by their shape."""

from __future__ import annotations

import re

from ingest.cleaning import (
    Part,
    compose_pages,
    join_lines,
    normalise_characters,
    starts_list_item,
    vocabulary,
)
from ingest.loaded import LoadedDocument, MetadataHints
from ingest.sniffing import decode_text

_UNDERLINE = re.compile(r"^(={3,}|-{3,})$")
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+[^\W\d_]")


def load(data: bytes) -> LoadedDocument:
    """Read a plain-text file as one page of headings and paragraphs."""
    text = normalise_characters(decode_text(data))
    pages, blocks = compose_pages([text_parts(text)])
    return LoadedDocument("text", False, pages, blocks, MetadataHints())


def text_parts(text: str) -> list[Part]:
    """Headings and paragraphs of plain text; a bullet line starts a new paragraph."""
    words = vocabulary(text)
    parts: list[Part] = []
    for chunk in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        current: list[str] = []
        index = 0
        while index < len(lines):
            line = lines[index]
            underline = lines[index + 1] if index + 1 < len(lines) else ""
            level = _underline_level(underline) if not current else 0
            level = level or (heading_level(line) if not current else 0)
            if level:
                parts.append(Part(line, "heading", level))
                index += 2 if _UNDERLINE.match(underline) else 1
                continue
            if starts_list_item(line) and current:
                parts.append(Part(join_lines(current, words)))
                current = []
            if not _UNDERLINE.match(line):  # a stray rule is decoration, not text
                current.append(line)
            index += 1
        if current:
            parts.append(Part(join_lines(current, words)))
    return parts


def heading_level(line: str) -> int:
    """Level of a heading-shaped line, 0 if it is not one.

    ALL CAPS lines are level 1; "2. Scope" is 1 and "2.3 Supervision" is 2; a heading is short
    and has no closing full stop.
    """
    if len(line) > 80 or line.endswith((".", ",", ";", ":")) or _UNDERLINE.match(line):
        return 0
    numbered = _NUMBERED.match(line)
    if numbered:
        return numbered.group(1).count(".") + 1
    letters = [c for c in line if c.isalpha()]
    return 1 if len(letters) >= 3 and all(c.isupper() for c in letters) else 0


def _underline_level(underline: str) -> int:
    match = _UNDERLINE.match(underline)
    return (1 if match.group(1)[0] == "=" else 2) if match else 0
