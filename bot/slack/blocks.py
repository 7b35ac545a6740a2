"""Block Kit messages for an Answer: pure functions, no Slack SDK, every Slack limit respected.

Library text (quotes, titles, publishers, sections) is untrusted. It goes through
`escape_mrkdwn` and into mrkdwn text objects marked `verbatim: true`, so a passage can never
mention anyone, link anywhere or format itself. An answer too big for one message is split into
several valid messages; citations are never dropped, only over-long quotes are shortened.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.answer import NO_EVIDENCE, Answer, Citation
from bot.rendering import SAMPLE_FLAG, SCAN_FLAG, reference

Block = dict[str, Any]

MAX_BLOCKS = 50
RESERVED_BLOCKS = 1  # the caller appends an actions block (feedback, share) to every message
MAX_TEXT_CHARS = 3_000  # a section's text, and (to be safe) any context element's text
MAX_CONTEXT_ELEMENTS = 10
MAX_HEADER_CHARS = 150
MAX_FALLBACK_CHARS = 3_000  # Slack allows 4,000; the fallback is a summary, not the answer
# Slack documents no total for a message's blocks but answers msg_too_long on big payloads:
# keep each message's text modest and split instead (unconfirmed figure, a cautious guess).
MESSAGE_CHARS = 12_000
MAX_TITLE_CHARS = 300
MAX_REFERENCE_CHARS = 600
MAX_KIND_CHARS = 100
MAX_URL_CHARS = 1_000

ELLIPSIS = "…"
SHORTENED = "_(quote shortened)_"
ZWSP = "\u200b"
EVIDENCE_LEAD = "Evidence from the library"
NO_EVIDENCE_HEADER = ":mag: No evidence in the library"
RELATED_LABEL = "Possibly related (not an answer)"
RELATED_NOTE = "below the evidence threshold; shown only as leads to look further."
THINKING = ":hourglass_flowing_sand: Looking for evidence in the library…"

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_FORMATTING = frozenset("*_~`")
_PART_PLACEHOLDER = (99, 99)  # the widest part label, used while deciding how to split


@dataclass(frozen=True)
class Message:
    """One chat.postMessage: `text` is the notification/accessibility fallback."""

    text: str
    blocks: tuple[Block, ...]


def thinking_text() -> str:
    """What to show while the library is searched."""
    return THINKING


def escape_mrkdwn(text: str) -> str:
    """Make library text inert in Slack mrkdwn.

    `&`, `<` and `>` become `&amp;`, `&lt;`, `&gt;`, so no `<@U123>`, `<!channel>` or
    `<https://evil|click>` survives. Slack has no escape for `*`, `_`, `~` and `` ` ``, so each is
    wrapped in zero-width spaces (U+200B): whether Slack reads that character as a word character
    or as a space, the marker can then neither open nor close bold, italic, strike or code. The
    characters stay visible and in order; a copied quote carries invisible U+200Bs beside them.

    Example: `escape_mrkdwn("<b> & _c")` gives `"&lt;b&gt; &amp; \\u200b_\\u200bc"`.
    """
    return "".join(_escape_char(char) for char in text)


def answer_messages(answer: Answer, *, library_version: int | None = None) -> list[Message]:
    """The answer as one or more Slack messages, each within Slack's limits.

    A real answer leads with "Evidence from the library (N passages)", quotes each citation as a
    numbered block quote and lists its sources; "no evidence" opens with a header of its own and
    shows any possibly related passages, de-emphasised, as context blocks labelled not an answer.
    Each message leaves `RESERVED_BLOCKS` free for the caller's actions block.

    Args:
        answer: what the answering core returned.
        library_version: shown in a context block when given.

    Returns:
        Messages in order; split into parts when one message cannot hold every citation.

    Example: `for m in answer_messages(answer): client.chat_postMessage(text=m.text, ...)`.
    """
    items = answer.citations if answer.answered else (answer.citations or answer.related)
    render = _evidence_part if answer.answered else _no_evidence_part

    def blocks(group: Sequence[Citation], part: tuple[int, int]) -> list[Block]:
        return render(answer, group, part, library_version)

    groups = _split(items, lambda group: blocks(group, _PART_PLACEHOLDER))
    count = len(groups)
    return [
        Message(_fallback(answer, group, (n, count)), tuple(blocks(group, (n, count))))
        for n, group in enumerate(groups, start=1)
    ]


def _escape_char(char: str) -> str:
    if char in _ENTITIES:
        return _ENTITIES[char]
    if char in _FORMATTING:
        return f"{ZWSP}{char}{ZWSP}"
    return char


def _fit(text: str, limit: int, *, newline: str = " ") -> tuple[str, bool]:
    """`text` escaped and at most `limit` chars long, ending in "…" when it had to be cut.

    Cutting one escaped source character at a time means no cut lands inside `&amp;` or
    between a marker and its zero-width spaces. Line breaks become `newline`.

    Returns:
        The escaped text and whether it was shortened.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pieces = [newline if char == "\n" else _escape_char(char) for char in text]
    if sum(map(len, pieces)) <= limit:
        return "".join(pieces), False
    kept: list[str] = []
    room = limit - len(ELLIPSIS)
    for piece in pieces:
        if len(piece) > room:
            break
        kept.append(piece)
        room -= len(piece)
    return "".join(kept) + ELLIPSIS, True


def _safe_url(url: str | None) -> str | None:
    """An http(s) URL ready for `<url|label>`, or None when it should not become a link."""
    if not url or len(url) > MAX_URL_CHARS or any(c.isspace() or ord(c) < 32 for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")


def _source_line(citation: Citation) -> str:
    """[n] linked title (Publisher, Year), p. N, section "..." · evidence type · sample flag."""
    title, _ = _fit(citation.title or "Untitled", MAX_TITLE_CHARS)
    if url := _safe_url(citation.source_url):
        title = f"<{url}|{title}>"
    # reference() starts with the title; the rest carries publisher, year, pages and section.
    rest, _ = _fit(reference(citation)[len(citation.title) :], MAX_REFERENCE_CHARS)
    kind, _ = _fit(citation.doc_type, MAX_KIND_CHARS)
    flag = f" · :warning: *{SAMPLE_FLAG}*" if citation.sample else ""
    if citation.scanned:
        flag += f" · _{SCAN_FLAG}_"
    return f"*[{citation.number}]* {title}{rest} · _{kind}_{flag}"


def _text(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _section(text: str) -> Block:
    return {"type": "section", "text": _text(text)}


def _context(*texts: str) -> Block:
    return {"type": "context", "elements": [_text(t) for t in texts]}


def _quote_section(citation: Citation) -> Block:
    head = f"*[{citation.number}]*\n>"
    room = MAX_TEXT_CHARS - len(head) - len(SHORTENED) - 1
    body, shortened = _fit(citation.quote, room, newline="\n>")
    return _section(head + body + (f"\n{SHORTENED}" if shortened else ""))


def _sources(citations: Sequence[Citation]) -> list[Block]:
    """The sources, as few sections as fit, headed "Sources"."""
    blocks, current = [], "*Sources*"
    for citation in citations:
        line = _source_line(citation)
        if len(current) + 1 + len(line) > MAX_TEXT_CHARS:
            blocks.append(_section(current))
            current = line
        else:
            current += "\n" + line
    return [*blocks, _section(current)]


def _footer(version: int | None) -> list[Block]:
    return [] if version is None else [_context(f"Library version {version}")]


def _part_label(part: tuple[int, int]) -> str:
    number, count = part
    return f"part {number} of {count}" if count > 1 else ""


def _passages(count: int) -> str:
    return f"{count} passage" + ("" if count == 1 else "s")


def _evidence_part(
    answer: Answer, group: Sequence[Citation], part: tuple[int, int], version: int | None
) -> list[Block]:
    extra = ", ".join(x for x in (_passages(len(answer.citations)), _part_label(part)) if x)
    blocks = [_section(f"*{EVIDENCE_LEAD}* ({extra})")]
    blocks += [_quote_section(c) for c in group]
    if group:
        blocks += _sources(group)
    return blocks + _footer(version)


def _no_evidence_part(
    answer: Answer, group: Sequence[Citation], part: tuple[int, int], version: int | None
) -> list[Block]:
    label = _part_label(part)
    header = NO_EVIDENCE_HEADER + (f" ({label})" if label else "")
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": header, "emoji": True}},
        _section(escape_mrkdwn(NO_EVIDENCE)),
    ]
    if group:
        blocks += [{"type": "divider"}, _context(f"*{RELATED_LABEL}*: {RELATED_NOTE}")]
    for citation in group:
        quote, _ = _fit(citation.quote, MAX_TEXT_CHARS - len(f"[{citation.number}] “”"))
        blocks.append(_context(f"[{citation.number}] “{quote}”", _source_line(citation)))
    return blocks + _footer(version)


def _fits(blocks: Sequence[Block]) -> bool:
    chars = sum(len(text) for block in blocks for text in _texts(block))
    return len(blocks) <= MAX_BLOCKS - RESERVED_BLOCKS and chars <= MESSAGE_CHARS


def _texts(block: Block) -> list[str]:
    if "text" in block:
        return [block["text"]["text"]]
    return [element["text"] for element in block.get("elements", ())]


def _split(
    items: Sequence[Citation], render: Callable[[Sequence[Citation]], list[Block]]
) -> list[list[Citation]]:
    """Greedy parts: add citations to a message until the next one would break a limit.

    A single citation always fits: its quote and source are each capped well below the limits.
    """
    groups: list[list[Citation]] = []
    current: list[Citation] = []
    for item in items:
        if current and not _fits(render([*current, item])):
            groups.append(current)
            current = []
        current.append(item)
    return [*groups, current]


def _fallback(answer: Answer, group: Sequence[Citation], part: tuple[int, int]) -> str:
    """A plain summary for notifications and screen readers, escaped like everything else."""
    label = _part_label(part)
    if answer.answered:
        extra = ", ".join(x for x in (_passages(len(answer.citations)), label) if x)
        lead = f"{EVIDENCE_LEAD} ({extra}):"
    else:
        lead = f"No evidence in the library{f' ({label})' if label else ''}. {NO_EVIDENCE}"
        if group:
            lead += f" {RELATED_LABEL}:"
    refs = "; ".join(f"[{c.number}] {reference(c)}" for c in group)
    text, _ = _fit(f"{lead} {refs}".strip(), MAX_FALLBACK_CHARS)
    return text
