"""The "Share in a channel" dialog (a Teams task module), as pure JSON; no SDK.

Teams cannot list the channels a bot may post to, so the dialog offers the conversations the
catalog knows the asker spoke to the bot in, or added it to. The chosen conversation comes back
in `task/submit` and is checked against the same list before anything is posted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.records.conversations import Conversation
from bot.teams.cards import CARD_TYPE, SCHEMA, SHARE, Card
from bot.wording import SHARE_NOWHERE, SHARE_PICK

TITLE = "Share in a channel"
CHOICE = "conversation"


def label(conversation: Conversation) -> str:
    """How a conversation is named in the list: its name, else its kind and the end of its id."""
    if conversation.name:
        return conversation.name
    kind = "Channel" if conversation.kind == "channel" else "Group chat"
    return f"{kind} …{conversation.conversation.split('@')[0][-8:]}"


def share_dialog(answer_id: int, places: Sequence[Conversation]) -> dict[str, Any]:
    """The `task/fetch` response: a card listing where the answer can go, or how to add some."""
    if not places:
        body: list[Card] = [_text(SHARE_NOWHERE.format(n=answer_id))]
        card_actions: list[Card] = []
    else:
        body = [
            _text(SHARE_PICK.format(n=answer_id)),
            {
                "type": "Input.ChoiceSet",
                "id": CHOICE,
                "style": "expanded",
                "isRequired": True,
                "errorMessage": "Choose where to share it.",
                "value": places[0].conversation,
                "choices": [{"title": label(p), "value": p.conversation} for p in places],
            },
        ]
        data = {"verb": SHARE, "answer_id": answer_id}
        card_actions = [{"type": "Action.Submit", "title": "Share", "data": data}]
    card = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": "1.5",
        "body": body,
        "actions": card_actions,
    }
    return {
        "task": {
            "type": "continue",
            "value": {
                "title": TITLE,
                "width": "medium",
                "height": "small",
                "card": {"contentType": CARD_TYPE, "content": card},
            },
        }
    }


def dialog_message(text: str) -> dict[str, Any]:
    """A `task/fetch` or `task/submit` response that just says something and closes."""
    return {"task": {"type": "message", "value": text}}


def _text(text: str) -> Card:
    return {"type": "TextBlock", "text": text, "wrap": True}
