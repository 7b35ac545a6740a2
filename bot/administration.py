"""Staff commands on the library (`list`, `remove ID`, `stats`), shared by every chat platform.

Each adapter parses its own command syntax and passes the words after it; only the wording of
the replies (how a list is set out, how the commands are spelt) differs by platform.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from index import Library

LISTED = 100  # documents shown by `list`


def admin_reply(
    library: Library,
    words: Sequence[str],
    *,
    unknown_hint: str,
    usage: str,
    set_out: Callable[[str], str] = lambda listing: listing,
    escape: Callable[[str], str] = lambda text: text,
) -> str:
    """The reply to `list | remove ID | stats`; `remove` publishes a version without the document.

    Args:
        words: the command's words, action first.
        unknown_hint: what to suggest after an id not in the library.
        usage: the platform's help text, for anything else.
        set_out: wraps the document list (a code block on Slack).
        escape: makes library text (titles) inert where the reply is formatted (Slack mrkdwn).
    """
    action = words[0].casefold() if words else "help"
    if action == "list":
        docs = library.documents()
        lines = [
            f"{d.id}  {d.year or '----'}  {d.doc_type}  {escape(d.title[:80])}"
            for d in docs[:LISTED]
        ]
        more = f"\n…and {len(docs) - LISTED} more" if len(docs) > LISTED else ""
        return set_out("\n".join(lines)) + more if lines else "The library is empty."
    if action == "stats":
        stats = library.stats()
        return (
            f"{stats.documents} documents, {stats.pages} pages, {stats.chunks} "
            f"passages; index version {stats.index_version}"
        )
    if action == "remove" and len(words) == 2 and words[1].isdigit():
        doc = library.document(int(words[1]))
        if doc is None:
            return f"No document {words[1]}; {unknown_hint}"
        version = library.remove([doc.id])
        return f"Removed document {doc.id} ({escape(doc.title[:80])}); index version {version}."
    return usage
