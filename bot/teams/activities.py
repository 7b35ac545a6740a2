"""Reading and writing Teams activities: where a message came from, and the bot's messages.

The one place besides the routes that knows the SDK's `Activity`: everything here is a pure
function of an activity, so the routes in `app.py` and `actions.py` stay about what happens.
"""

from __future__ import annotations

import hashlib
import html
import re
from http import HTTPStatus
from typing import Any

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    AIEntity,
    Attachment,
    ChannelAccount,
    ChannelId,
    ClientCitation,
    ClientCitationAppearance,
    ConversationAccount,
    InvokeResponse,
)
from microsoft_agents.hosting.core import TurnContext

from bot.desk import Place
from bot.records.conversations import Conversation
from bot.teams.cards import CARD_TYPE
from bot.teams.replies import SURFACE, Reply, conversation_key

_TAGS = re.compile(r"<[^>]+>")
SHARED_KINDS = ("channel", "groupChat")  # where an answer can be shared (not personal chats)


def question_text(text: str | None) -> str:
    """The question as typed: the SDK has removed the bot's mention; drop leftover markup."""
    return " ".join(html.unescape(_TAGS.sub(" ", text or "")).split())


def delivery_key(activity: Activity) -> str | None:
    """One key per Teams activity (ids are unique within a conversation), or None without an id."""
    if not activity.id or not activity.conversation:
        return None
    digest = hashlib.sha256(f"{activity.conversation.id}\n{activity.id}".encode()).hexdigest()
    return f"teams:{activity.type}:{digest}"


def place_of(activity: Activity) -> Place:
    """Tenant, conversation, asker and (in a channel) the thread's root message."""
    conversation = activity.conversation
    kind = conversation.conversation_type if conversation else None
    conversation_id, _, root = (conversation.id if conversation else "").partition(";messageid=")
    return Place(
        surface=SURFACE,
        workspace=conversation.tenant_id if conversation else None,
        channel=conversation_key(conversation_id),
        user=user_of(activity),
        thread=(root or activity.id) if kind == "channel" else None,
        private=kind == "personal",
    )


def user_of(activity: Activity) -> str | None:
    """The sender's Entra object id (the id the audit records and the staff list use)."""
    sender = activity.from_property
    return (sender.aad_object_id or sender.id) if sender else None


def channel_data(activity: Activity) -> dict[str, Any]:
    data = activity.channel_data
    if hasattr(data, "model_dump"):
        data = data.model_dump(by_alias=True, exclude_none=True)
    return data if isinstance(data, dict) else {}


def conversation_name(activity: Activity) -> str | None:
    """`Team › Channel` when Teams names them (installs, renames), else the chat name."""
    data = channel_data(activity)
    team = (data.get("team") or {}).get("name")
    channel = (data.get("channel") or {}).get("name")
    conversation = activity.conversation
    if conversation and conversation.conversation_type == "channel" and team:
        return f"{team} › {channel or 'General'}"
    return conversation.name if conversation else None


def conversation_of(activity: Activity) -> Conversation | None:
    """The channel or group chat an activity came from, and its sender; None for personal chats."""
    conversation, user = activity.conversation, user_of(activity)
    if not conversation or not user or not activity.service_url:
        return None
    kind = conversation.conversation_type or ""
    if kind not in SHARED_KINDS:
        return None
    return Conversation(
        surface=SURFACE,
        conversation=conversation.id.partition(";messageid=")[0],  # the channel, not the thread
        user=user,
        tenant=conversation.tenant_id or (channel_data(activity).get("tenant") or {}).get("id"),
        service_url=activity.service_url,
        kind=kind,
        name=conversation_name(activity),
    )


def continuation(target: Conversation, bot: ChannelAccount | None, user: Any) -> Activity:
    """What `continue_conversation` needs to post a new message into `target` proactively."""
    return Activity(
        type=ActivityTypes.event,
        name="ContinueConversation",
        channel_id=ChannelId(channel="msteams"),
        service_url=target.service_url,
        conversation=ConversationAccount(
            id=target.conversation,
            conversation_type=target.kind,
            tenant_id=target.tenant,
            is_group=True,
        ),
        recipient=bot,
        from_property=user,
    )


def reply_activity(reply: Reply) -> Activity:
    """An answer as a Teams message: `[n]` markers, citation claims, the card, 👍/👎."""
    activity = Activity(
        type=ActivityTypes.message,
        text=reply.text,
        text_format="markdown",
        attachments=[Attachment(content_type=CARD_TYPE, content=reply.card)],
    )
    if reply.feedback:  # Teams' own feedback buttons; they arrive as `message/submitAction`
        activity.channel_data = {"feedbackLoop": {"type": "default"}}
    if reply.citations:
        claims = [
            ClientCitation(
                position=c.position,
                appearance=ClientCitationAppearance(
                    name=c.name, abstract=c.abstract, keywords=list(c.keywords), url=c.url
                ),
            )
            for c in reply.citations
        ]
        # Quotes are retrieved verbatim, not generated: no "AI generated" label.
        activity.entities = [AIEntity(additional_type=[], citation=claims)]
    return activity


def plain(text: str) -> Activity:
    """A message shown as typed: file names and notes cannot format themselves."""
    return Activity(type=ActivityTypes.message, text=text, text_format="plain")


def with_attachment(attachment: dict[str, Any], text: str | None = None) -> Activity:
    """A message carrying one attachment given as JSON (a consent card, a file card)."""
    return Activity(
        type=ActivityTypes.message,
        text=text,
        attachments=[Attachment.model_validate(attachment)],
    )


async def respond_to_invoke(context: TurnContext, body: Any = None) -> None:
    """The HTTP 200 an invoke waits for, with `body` (a dialog, a message) if any."""
    await context.send_activity(
        Activity(
            type=ActivityTypes.invoke_response,
            value=InvokeResponse(status=int(HTTPStatus.OK), body=body),
        )
    )
