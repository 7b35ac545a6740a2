"""Activity JSON shaped like what the Bot Connector POSTs for Microsoft Teams, and a client."""

from __future__ import annotations

import itertools
import json
import urllib.error
import urllib.request
from typing import Any

from bot.teams.cards import CARD_TYPE

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT = {"id": "28:00000000-0000-0000-0000-0000000000b0", "name": "Evidence"}
_ids = itertools.count(1_700_000_000_000)

FGC = "Do family group conferences reduce the number of children entering care?"


def citations_of(activity: dict[str, Any]) -> list[dict[str, Any]]:
    entities = [e for e in activity.get("entities") or [] if e.get("@type") == "Message"]
    return [claim for e in entities for claim in e.get("citation") or []]


def messages_in(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The message activities in an `expectReplies` response body (typing left out)."""
    return [a for a in body["activities"] if a["type"] == "message"]


def card_of(activity: dict[str, Any]) -> dict[str, Any]:
    (card,) = [a for a in activity["attachments"] if a["contentType"] == CARD_TYPE]
    return card["content"]


def card_text(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


def next_id() -> str:
    return str(next(_ids))


def user(aad: str = "aad-practitioner", name: str = "Sam Practitioner") -> dict[str, Any]:
    return {"id": f"29:1{aad}", "name": name, "aadObjectId": aad}


def conversation(kind: str, key: str, root: str | None = None) -> dict[str, Any]:
    """A personal chat (its id runs past 100 characters), a group chat, or a channel thread."""
    if kind == "personal":
        ident = "a:1" + key + "x" * 120
    elif kind == "groupChat":
        ident = f"19:{key}@thread.v2"
    else:
        ident = f"19:{key}@thread.tacv2;messageid={root}"
    account: dict[str, Any] = {"id": ident, "conversationType": kind, "tenantId": TENANT}
    if kind != "personal":
        account["isGroup"] = True
    return account


def message(
    text: str,
    service_url: str,
    *,
    kind: str = "personal",
    key: str = "chat",
    sender: dict[str, Any] | None = None,
    activity_id: str | None = None,
    root: str | None = None,
    attachments: list[dict[str, Any]] | None = None,
    expect_replies: bool = False,
) -> dict[str, Any]:
    """A message activity; in a channel or group chat the text carries the bot's @mention."""
    activity_id = activity_id or next_id()
    entities: list[dict[str, Any]] = []
    if kind != "personal":
        mention = f"<at>{BOT['name']}</at>"
        text = f"{mention} {text}"
        entities.append({"type": "mention", "text": mention, "mentioned": BOT})
    channel_data: dict[str, Any] = {"tenant": {"id": TENANT}}
    if kind == "channel":
        channel_data["team"] = {"id": f"19:team-{key}@thread.tacv2"}
        channel_data["channel"] = {"id": f"19:{key}@thread.tacv2"}
    activity = {
        "type": "message",
        "id": activity_id,
        "timestamp": "2026-01-05T10:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": sender or user(),
        "conversation": conversation(kind, key, root or activity_id),
        "recipient": BOT,
        "textFormat": "plain",
        "locale": "en-GB",
        "text": text,
        "entities": entities,
        "channelData": channel_data,
        "attachments": attachments or [],
    }
    if expect_replies:
        activity["deliveryMode"] = "expectReplies"
    return activity


def file_attachment(name: str, url: str) -> dict[str, Any]:
    """A file sent in a personal chat (the manifest's `supportsFiles`)."""
    return {
        "contentType": "application/vnd.microsoft.teams.file.download.info",
        "contentUrl": f"https://contoso.sharepoint.com/personal/sam/Documents/{name}",
        "name": name,
        "content": {"downloadUrl": url, "uniqueId": "1a2b3c4d", "fileType": name.rsplit(".")[-1]},
    }


def invoke(
    name: str,
    value: dict[str, Any],
    service_url: str,
    *,
    kind: str = "personal",
    key: str = "chat",
    sender: dict[str, Any] | None = None,
    reply_to: str | None = None,
) -> dict[str, Any]:
    """An invoke activity: a button, a dialog, a file consent or Teams' own feedback."""
    activity = {
        "type": "invoke",
        "name": name,
        "id": next_id(),
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": sender or user(),
        "conversation": conversation(kind, key),
        "recipient": BOT,
        "value": value,
        "channelData": {"tenant": {"id": TENANT}},
    }
    if reply_to:
        activity["replyToId"] = reply_to
    return activity


def card_action(
    verb: str, data: dict[str, Any], service_url: str, *, kind: str = "personal", key: str = "chat"
) -> dict[str, Any]:
    """The `adaptiveCard/action` invoke Teams sends when an `Action.Execute` button is pressed."""
    value = {"action": {"type": "Action.Execute", "verb": verb, "data": data}}
    return invoke("adaptiveCard/action", value, service_url, kind=kind, key=key)


def bot_added(
    service_url: str,
    *,
    kind: str = "channel",
    key: str = "team",
    team: str = "Children's services",
    sender: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The `conversationUpdate` Teams sends when someone adds the bot to a team or group chat."""
    ident = f"19:{key}@thread.tacv2" if kind == "channel" else f"19:{key}@thread.v2"
    channel_data: dict[str, Any] = {"tenant": {"id": TENANT}, "eventType": "teamMemberAdded"}
    if kind == "channel":
        channel_data["team"] = {"id": ident, "name": team}
    return {
        "type": "conversationUpdate",
        "id": next_id(),
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": sender or user(),
        "conversation": {
            "id": ident,
            "conversationType": kind,
            "tenantId": TENANT,
            "isGroup": True,
        },
        "recipient": BOT,
        "membersAdded": [BOT],
        "channelData": channel_data,
    }


def post(
    url: str, activity: dict[str, Any], headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """POST an activity as the Bot Connector does; the status and the parsed body (or None)."""
    request = urllib.request.Request(
        url,
        data=json.dumps(activity).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    return status, json.loads(raw) if raw.strip() else None
