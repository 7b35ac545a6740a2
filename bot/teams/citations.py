"""Teams' native citations for an Answer: `[n]` markers in the text and one claim per passage.

Pure functions, no SDK. Teams answers HTTP 400 when a claim breaks its limits (at most 20 claims,
a name of at most 80 characters, an abstract of at most 160, at most 3 keywords of at most 28),
so every field is cut to fit here; `problems` states the limits so tests can hold us to them.
Library text in the message is escaped: a passage can never format itself, link or mention.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from bot import rendering
from bot.answer import NO_EVIDENCE, Answer, Citation
from bot.rendering import pages_label

MAX_CITATIONS = 20
MAX_NAME = 80
MAX_ABSTRACT = 160
MAX_KEYWORDS = 3
MAX_KEYWORD = 28
TEXT_QUOTE = 300  # characters of each quote in the message text; the card has the whole quote
ELLIPSIS = "…"
SAMPLE_KEYWORD = "SAMPLE, NOT EVIDENCE"
SCAN_KEYWORD = "READ FROM A SCAN: CHECK"  # at most 28 characters, as Teams allows
EVIDENCE_LEAD = "Evidence from the library"
NO_EVIDENCE_LEAD = "No evidence in the library."
RELATED_HINT = "Passages that came close are listed below as possibly related, not as an answer."

_ICONS = {".pdf": "PDF", ".docx": "Microsoft Word", ".doc": "Microsoft Word"}


@dataclass(frozen=True)
class TeamsCitation:
    """One `citation` claim of the message entity; `position` is the n of its `[n]` marker."""

    position: int
    name: str
    abstract: str
    keywords: tuple[str, ...]
    url: str | None
    icon: str


def shorten(text: str, limit: int) -> str:
    """`text` on one line, at most `limit` characters, ending in "…" when it had to be cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)].rstrip()
    return cut + ELLIPSIS


def escape_markdown(text: str) -> str:
    """Make library text inert in a Teams Markdown message: no formatting, links or mentions.

    Example: `escape_markdown("*[1]*")` puts a backslash before each of its four characters.
    """
    return rendering.escape_markdown(text, entities=True)


def citation_name(citation: Citation) -> str:
    """Title, page and deepest section heading, in at most 80 characters."""
    section = citation.section.split(" > ")[-1].strip() if citation.section else ""
    tail = ", ".join(x for x in (pages_label(citation), section and f"§ {section}") if x)
    title = " ".join(citation.title.split()) or "Untitled"
    if not tail:
        return shorten(title, MAX_NAME)
    room = max(MAX_NAME - len(tail) - 2, 32)  # the title keeps at least 32 characters
    title = shorten(title, room)
    return shorten(f"{title}, {tail}", MAX_NAME)


def citation_keywords(citation: Citation) -> tuple[str, ...]:
    """The evidence type, the year and the sample flag: what a reader weighs a source by."""
    words = [citation.doc_type, str(citation.year) if citation.year else ""]
    if citation.scanned:
        words.insert(0, SCAN_KEYWORD)
    if citation.sample:
        words.insert(0, SAMPLE_KEYWORD)
    return tuple(shorten(w, MAX_KEYWORD) for w in words if w)[:MAX_KEYWORDS]


def safe_url(url: str | None) -> str | None:
    """An http(s) URL Teams can open, or None."""
    if not url or len(url) > 2_000 or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def citation_claims(answer: Answer) -> list[TeamsCitation]:
    """One claim per cited passage (none when the library holds no evidence), at most 20."""
    if not answer.answered:
        return []
    return [
        TeamsCitation(
            position=c.number,
            name=citation_name(c),
            abstract=shorten(c.quote, MAX_ABSTRACT) or "(no text)",
            keywords=citation_keywords(c),
            url=safe_url(c.source_url),
            icon=_ICONS.get(PurePosixPath(c.source.split("?")[0]).suffix.lower(), "Text"),
        )
        for c in answer.citations[:MAX_CITATIONS]
    ]


def answer_text(answer: Answer) -> str:
    """The message text: quotes with `[n]` markers, or a "no evidence" that looks different."""
    if not answer.answered:
        lines = [f"**{NO_EVIDENCE_LEAD}** {escape_markdown(NO_EVIDENCE)}"]
        if answer.related:
            lines.append(escape_markdown(RELATED_HINT))
        return "\n\n".join(lines)
    count = len(answer.citations)
    lines = [f"**{EVIDENCE_LEAD}** ({count} passage{'' if count == 1 else 's'})"]
    for c in answer.citations[:MAX_CITATIONS]:
        lines.append(f"“{escape_markdown(shorten(c.quote, TEXT_QUOTE))}” [{c.number}]")
    return "\n\n".join(lines)


def problems(claims: list[dict[str, object]], text: str) -> list[str]:
    """What in these citation claims (as sent on the wire) Teams would refuse; empty when valid."""
    found = []
    if len(claims) > MAX_CITATIONS:
        found.append(f"{len(claims)} citations, Teams allows {MAX_CITATIONS}")
    for claim in claims:
        position = claim.get("position")
        appearance = claim.get("appearance")
        if claim.get("@type") != "Claim" or not isinstance(appearance, dict):
            found.append(f"citation {position}: not a Claim with an appearance")
            continue
        name, abstract = appearance.get("name") or "", appearance.get("abstract") or ""
        keywords = appearance.get("keywords") or []
        if not name or len(name) > MAX_NAME:
            found.append(f"citation {position}: name of {len(name)} characters")
        if not abstract or len(abstract) > MAX_ABSTRACT:
            found.append(f"citation {position}: abstract of {len(abstract)} characters")
        if len(keywords) > MAX_KEYWORDS or any(len(k) > MAX_KEYWORD for k in keywords):
            found.append(f"citation {position}: keywords {keywords!r}")
        if f"[{position}]" not in text:
            found.append(f"citation {position}: no [{position}] marker in the text")
    return found
