"""Turning an Answer into terminal text or a JSON-ready dict; no retrieval, no I/O."""

from __future__ import annotations

import re
import textwrap
from dataclasses import asdict
from typing import Any

from bot.answer import Answer, Citation

SAMPLE_FLAG = "SAMPLE MATERIAL, NOT EVIDENCE"
SCAN_FLAG = "text recognised from a scan: check the page"
# Inline Markdown that could format, link or embed: the text is quoted on a line of its own, so
# line-start syntax (#, -, >) cannot take effect.
_MARKDOWN = re.compile(r"([\\`*_\[\]~])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def escape_markdown(text: str, *, entities: bool = False) -> str:
    r"""Make user or library text inert in Markdown: no emphasis, links, images, HTML or mentions.

    Markdown's own backslash escapes throughout, so a Markdown file read as plain text still
    reads; `entities=True` writes `&`, `<`, `>` as HTML entities instead (Teams renders HTML).

    >>> escape_markdown("[click](https://evil) <!channel> *now*")
    '\\[click\\](https://evil) \\<!channel\\> \\*now\\*'
    """
    text = _MARKDOWN.sub(r"\\\1", text)
    if entities:
        return "".join(_HTML.get(char, char) for char in text)
    return re.sub(r"([&<>])", r"\\\1", text)


def pages_label(citation: Citation) -> str:
    """'p. 4', 'pp. 4-5', or '' for documents without pages (web pages, Word files)."""
    if not citation.paginated:
        return ""
    if citation.page_start == citation.page_end:
        return f"p. {citation.page_start}"
    return f"pp. {citation.page_start}-{citation.page_end}"


def reference(citation: Citation) -> str:
    """Title (Publisher, Year), p. N, section "..." — the human-readable citation."""
    origin = ", ".join(str(x) for x in (citation.publisher, citation.year) if x)
    parts = [citation.title + (f" ({origin})" if origin else "")]
    if label := pages_label(citation):
        parts.append(label)
    if citation.section:
        parts.append(f"section “{citation.section}”")
    return ", ".join(parts)


def render_text(answer: Answer, width: int = 100) -> str:
    """The answer as plain text for a terminal."""
    lines = [f"Q: {answer.question}", ""]
    if answer.answered:
        lines.append("What the library says:")
    else:
        lines.append(answer.message)
        if answer.related:
            lines += ["", "Possibly related (below the evidence threshold, not an answer):"]
    for citation in answer.citations or answer.related:
        lines.append("")
        quote = textwrap.fill(
            f"“{citation.quote}” [{citation.number}]",
            width=width,
            initial_indent="  ",
            subsequent_indent="  ",
        )
        lines.append(quote)
    if answer.citations or answer.related:
        lines += ["", "Sources:"]
        for citation in answer.citations or answer.related:
            kind = (
                f"{citation.doc_type}; {citation.strength} match"
                + (f"; {SAMPLE_FLAG}" if citation.sample else "")
                + (f"; {SCAN_FLAG}" if citation.scanned else "")
            )
            lines.append(
                textwrap.fill(
                    f"[{citation.number}] {reference(citation)} [{kind}]",
                    width=width,
                    subsequent_indent="    ",
                )
            )
            lines.append(f"    {citation.source}")
    return "\n".join(lines)


def to_dict(answer: Answer) -> dict[str, Any]:
    """The full structure for `--json`: scripts and tests read this."""
    return {
        "question": answer.question,
        "answered": answer.answered,
        "message": answer.message,
        "citations": [asdict(c) for c in answer.citations],
        "possibly_related": [asdict(c) for c in answer.related],
        "confidence": answer.confidence,
        "outside": answer.outside,
        "council": answer.council,
    }


def from_dict(data: dict[str, Any]) -> Answer:
    """An Answer back from `to_dict` (audit records keep answers this way)."""
    return Answer(
        question=data["question"],
        answered=data["answered"],
        citations=tuple(Citation(**c) for c in data["citations"]),
        related=tuple(Citation(**c) for c in data["possibly_related"]),
        confidence=data.get("confidence"),
        outside=data.get("outside"),
        council=data.get("council"),
    )
