"""Markdown loader: front matter as hints, headings kept, inline syntax stripped to prose."""

from __future__ import annotations

import re
from typing import Any

import yaml

from ingest.cleaning import Part, compose_pages
from ingest.loaded import LoadedDocument, MetadataHints
from ingest.loaders import iso_date, meaningful_title, names, terms
from ingest.sniffing import decode_text

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_ATX = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_BREAK = re.compile(r"^(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$")
_FENCE = re.compile(r"^(`{3,}|~{3,})")
_BULLET = re.compile(r"^[-*+]\s+(.*)$")
_ORDERED = re.compile(r"^(\d{1,9}[.)])\s+(.*)$")
_REFERENCE = re.compile(r"^\[[^\]]+\]:\s*\S")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?$")
_ESCAPABLE = "\\`*_{}[]()#+-.!|>~<"
_INLINE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"!\[[^\]]*\](?:\((?:[^()]|\([^)]*\))*\)|\[[^\]]*\])"), ""),
    (re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"<((?:https?|mailto):[^>\s]+)>"), r"\1"),
    (re.compile(r"<!--.*?-->|</?[A-Za-z][^>]*>"), ""),
    (re.compile(r"(`+)(.+?)\1"), r"\2"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"\*(?=\S)([^*]+?)(?<=\S)\*"), r"\1"),
    (re.compile(r"(?<!\w)_(?=\S)([^_]+?)(?<=\S)_(?!\w)"), r"\1"),
    (re.compile(r"~~(.+?)~~"), r"\1"),
    (re.compile(r"(?<=\S)\*+|\*+(?=\S)"), ""),  # stray markers left by broken emphasis
)


def load(data: bytes) -> LoadedDocument:
    """Read Markdown: YAML front matter becomes hints and is left out of the text."""
    matter, body, notes = split_front_matter(decode_text(data))
    pages, blocks = compose_pages([markdown_parts(body)])
    return LoadedDocument("markdown", False, pages, blocks, front_matter_hints(matter), notes)


def split_front_matter(text: str) -> tuple[dict[str, Any], str, tuple[str, ...]]:
    """Separate a leading `---` YAML block from the body; unreadable YAML is dropped with a note."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return {}, text, ()
    try:
        matter = yaml.safe_load(match.group(1) or "")
    except yaml.YAMLError as error:
        problem = str(error).splitlines()[0]
        return {}, text[match.end() :], (f"front matter is not valid YAML ({problem}): ignored",)
    return (matter if isinstance(matter, dict) else {}), text[match.end() :], ()


def front_matter_hints(matter: dict[str, Any]) -> MetadataHints:
    """Hints from front matter keys such as title, authors, date or year, url, licence, tags."""

    def first(*keys: str) -> Any:
        return next((matter[key] for key in keys if matter.get(key) not in (None, "")), None)

    def text(*keys: str) -> str | None:
        value = first(*keys)
        return str(value).strip() if value is not None else None

    return MetadataHints(
        title=meaningful_title(text("title")),
        authors=names(first("authors", "author")),
        publisher=text("publisher"),
        date=iso_date(first("date", "year")),
        source_url=text("source_url", "url"),
        licence=text("licence", "license"),
        doc_type=text("doc_type", "type"),
        topics=terms(first("topics", "tags")),
    )


def markdown_parts(body: str) -> list[Part]:
    """Headings and paragraphs of a Markdown body; list items keep a "- " bullet."""
    parts: list[Part] = []
    lines: list[str] = []
    fence, code = "", list[str]()
    for raw in body.split("\n"):
        line = raw.strip()
        if fence:
            if line.startswith(fence):
                parts.append(Part("\n".join(code)))
                fence, code = "", list[str]()
            else:
                code.append(line)
            continue
        setext = _SETEXT.match(line)
        if setext and lines and not _starts_block(lines[0]):
            level = 1 if setext.group(1)[0] == "=" else 2
            parts.append(Part(inline_text(" ".join(lines)), "heading", level))
            lines.clear()
            continue
        heading, opened = _ATX.match(line), _FENCE.match(line)
        if not line or heading or opened or _BREAK.match(line) or _starts_block(line):
            parts.extend(_paragraph(lines))
        if heading:
            parts.append(Part(inline_text(heading.group(2)), "heading", len(heading.group(1))))
        elif opened:
            fence = opened.group(1)
        elif line and not (_BREAK.match(line) or _REFERENCE.match(line) or _TABLE_RULE.match(line)):
            lines.append(_bulleted(line))
    parts.extend(_paragraph(code + lines))
    return parts


def inline_text(text: str) -> str:
    """Strip inline Markdown: emphasis, code ticks, link targets and images; escapes are kept."""
    text = re.sub(
        r"\\([\\`*_{}\[\]()#+\-.!|>~<])", lambda m: chr(0xE000 + _ESCAPABLE.index(m[1])), text
    )
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return "".join(_ESCAPABLE[ord(c) - 0xE000] if 0xE000 <= ord(c) < 0xE020 else c for c in text)


def _starts_block(line: str) -> bool:
    return bool(_BULLET.match(line) or _ORDERED.match(line) or line.startswith("|"))


def _bulleted(line: str) -> str:
    line = re.sub(r"^(?:>\s?)+", "", line)
    if line.startswith("|"):
        return " | ".join(cell.strip() for cell in line.strip("|").split("|"))
    bullet = _BULLET.match(line)
    return f"- {bullet.group(1)}" if bullet else line


def _paragraph(lines: list[str]) -> list[Part]:
    text = inline_text(" ".join(lines))
    lines.clear()
    return [Part(text)] if text.strip() else []
