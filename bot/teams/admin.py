"""`admin list | remove ID | stats` in a personal chat: Slack's /evidence-admin, for Teams staff.

Answered as plain text (document titles are library text and must not format themselves).
"""

from __future__ import annotations

import re

from index.library import Library

COMMAND = re.compile(r"admin(?:\s+(.*))?", re.IGNORECASE | re.DOTALL)
REFUSAL = "Sorry, only the evidence team can manage the library."
NOT_HERE = "Please send admin commands to me in a personal chat."
USAGE = "Usage: admin list, admin remove ID, admin stats"
LISTED = 100


def is_admin_command(text: str) -> bool:
    """`admin`, `admin list`, `admin stats` or `admin remove N`; not a question about admin."""
    match = COMMAND.fullmatch(text.strip())
    if match is None:
        return False
    rest = (match.group(1) or "").split()
    return (
        not rest
        or rest[0].casefold() in {"list", "stats", "help"}
        or (rest[0].casefold() == "remove" and len(rest) == 2)
    )


def admin_reply(library: Library, text: str) -> str:
    """What `admin ...` answers; `remove` publishes a new index version without the document."""
    words = text.split()[1:]
    action = words[0].casefold() if words else "help"
    if action == "list":
        docs = library.catalog.documents()
        lines = [f"{d.id}  {d.year or '----'}  {d.doc_type}  {d.title[:80]}" for d in docs[:LISTED]]
        more = f"\n…and {len(docs) - LISTED} more" if len(docs) > LISTED else ""
        return "\n".join(lines) + more if lines else "The library is empty."
    if action == "stats":
        counts = library.catalog.counts()
        row = library.catalog.library()
        version = row.index_version if row else 0
        return (
            f"{counts['documents']} documents, {counts['pages']} pages, {counts['chunks']} "
            f"passages; index version {version}"
        )
    if action == "remove" and len(words) == 2 and words[1].isdigit():
        doc = library.catalog.document(int(words[1]))
        if doc is None:
            return f"No document {words[1]}; try: admin list"
        with library.writing():
            library.check_model(create=True)
            version = library.publish([], [doc.id])
        return f"Removed document {doc.id} ({doc.title[:80]}); index version {version}."
    return USAGE
