"""The supervision note: a Markdown record a team lead can keep with supervision notes.

The question and every piece of library text are escaped: a title or a quote cannot become a
link, an image, a heading or a mention wherever the note is shown (Slack renders it).
"""

from __future__ import annotations

from datetime import datetime

from bot.answer import NO_EVIDENCE, Answer, Citation
from bot.rendering import SAMPLE_FLAG, SCAN_FLAG, escape_markdown, reference


def supervision_note(answer: Answer, *, asked_at: datetime, library_version: int | None) -> str:
    """The question, the quoted passages with full citations, the date and the library version.

    >>> from bot.answer import Answer
    >>> from datetime import datetime
    >>> "# Supervision note" in supervision_note(
    ...     Answer("q", False, ()), asked_at=datetime(2026, 1, 5), library_version=3)
    True
    """
    lines = [
        "# Supervision note: evidence from the library",
        "",
        f"- **Question:** {escape_markdown(answer.question)}",
        f"- **Date:** {asked_at:%d %B %Y, %H:%M} UTC",
        f"- **Library version:** {library_version if library_version is not None else 'unknown'}",
        "",
    ]
    if answer.answered:
        lines += ["## What the library says", ""]
        lines += _passages(answer.citations)
        lines += ["## Sources", ""]
        lines += [_source(c) for c in answer.citations]
    else:
        lines += ["## What the library says", "", NO_EVIDENCE, ""]
        if answer.related:
            lines += ["## Possibly related (not an answer)", ""]
            lines += _passages(answer.related)
            lines += [_source(c) for c in answer.related]
    lines += [
        "",
        "_Passages are quoted word for word from the documents cited. Read them in context "
        "before relying on them in a decision._",
        "",
    ]
    return "\n".join(lines)


def _passages(citations: tuple[Citation, ...]) -> list[str]:
    out = []
    for c in citations:
        quote = escape_markdown(" ".join(c.quote.split()))
        out += [f"> {quote} [{c.number}]", ""]
    return out


def _source(citation: Citation) -> str:
    kind = citation.doc_type + (f"; {SAMPLE_FLAG}" if citation.sample else "")
    kind += f"; {SCAN_FLAG}" if citation.scanned else ""
    return (
        f"{citation.number}. {escape_markdown(reference(citation))}. Evidence type: "
        f"{escape_markdown(kind)}. Source: {escape_markdown(citation.source)}"
    )
