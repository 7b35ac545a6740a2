"""`admin list | remove ID | stats` in a personal chat: Slack's /evidence-admin, for Teams staff.

Answered as plain text (document titles are library text and must not format themselves).
"""

from __future__ import annotations

import re

from bot import administration
from index import Library

COMMAND = re.compile(r"admin(?:\s+(.*))?", re.IGNORECASE | re.DOTALL)
USAGE = "Usage: admin list, admin remove ID, admin stats"


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
    return administration.admin_reply(
        library, text.split()[1:], unknown_hint="try: admin list", usage=USAGE
    )
