"""Teams routes on the Microsoft 365 Agents SDK: questions, card buttons and files from staff.

Teams waits 15 s for the HTTP response, then delivers the same activity again. So a message is
claimed in the catalog's `deliveries` table (every process shares it), acknowledged at once, and
answered in the background as a proactive turn in the same conversation; a redelivery finds the
claim and does nothing. A caller that asks for `deliveryMode: expectReplies` gets the replies in
the response body instead, which cannot be done in the background.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, DeliveryModes
from microsoft_agents.hosting.core import AgentApplication, MemoryStorage, TurnContext, TurnState
from microsoft_agents.hosting.msteams import TeamsAgentExtension, TeamsTurnContext

from bot.redaction import REMINDER
from bot.teams.actions import Actions
from bot.teams.activities import (
    conversation_name,
    conversation_of,
    delivery_key,
    place_of,
    plain,
    question_text,
    reply_activity,
)
from bot.teams.admin import NOT_HERE as ADMIN_NOT_HERE
from bot.teams.admin import REFUSAL as ADMIN_REFUSAL
from bot.teams.admin import admin_reply, is_admin_command
from bot.teams.files import NOT_HERE, REFUSAL, Load, SentFile, Staff, receive, sent_files
from bot.teams.replies import Place, Replies
from index.deliveries import Deliveries

log = logging.getLogger(__name__)
HELP = "Ask me a practice question, for example: What helps social workers stay in their jobs?"
FAILED = "Sorry, something went wrong looking that up. Please try again in a minute."
NOT_SET_UP = "Loading documents through Teams is not set up on this bot."
SHARE = re.compile(r"share\s+#?(\d+)", re.IGNORECASE)
SHARE_HERE = (
    "To share answer {n}, press Share in a channel under it, or @mention me in the channel or "
    "group chat with: share {n}"
)


@dataclass(frozen=True)
class Turn:
    """What the work on one message needs from its activity (the activity object is the SDK's)."""

    question: str
    place: Place
    files: tuple[SentFile, ...]
    user_name: str


class TeamsBot:
    """The handlers; blocking work (the model, SQL, downloads) runs in worker threads."""

    def __init__(
        self,
        replies: Replies,
        deliveries: Deliveries,
        *,
        staff: Staff,
        load: Load | None,
        inbox: Path,
        max_bytes: int,
    ) -> None:
        self.replies = replies
        self.library = replies.answerer.library
        self.deliveries = deliveries
        self.staff = staff
        self.load = load
        self.inbox = inbox
        self.max_bytes = max_bytes
        self._background: set[asyncio.Task[None]] = set()

    async def on_message(self, context: TeamsTurnContext, _state: Any) -> None:
        activity = context.activity
        key = delivery_key(activity)
        if key is not None and not await asyncio.to_thread(self.deliveries.claim, key):
            return  # Teams redelivered it after 15 s: the first delivery is being answered
        if (seen := conversation_of(activity)) is not None:  # somewhere answers can be shared
            await asyncio.to_thread(self.replies.seen, seen)
        turn = Turn(
            question=question_text(activity.text),
            place=place_of(activity),
            files=tuple(
                sent_files([a.model_dump(by_alias=True) for a in activity.attachments or []])
            ),
            user_name=(activity.from_property.name if activity.from_property else None) or "",
        )

        async def work(turn_context: TurnContext) -> None:
            await self._respond(turn_context, turn)

        if activity.delivery_mode == DeliveryModes.expect_replies:
            await work(context)
        else:
            adapter, identity = context.adapter, context.identity
            self._spawn(adapter.continue_conversation_with_claims(identity, activity, work))

    async def drain(self) -> None:
        """Wait for answers still being worked on (shutdown, tests)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    def _spawn(self, job: Coroutine[Any, Any, Any]) -> None:
        async def guarded() -> None:
            try:
                await job
            except Exception:
                log.exception("a background Teams turn failed")

        task = asyncio.get_running_loop().create_task(guarded())
        self._background.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(self._background.discard)

    async def _respond(self, context: TurnContext, turn: Turn) -> None:
        try:
            if turn.files:
                await self._receive_files(context, turn)
                return
            if match := SHARE.fullmatch(turn.question):
                await self._share(context, turn, int(match.group(1)))
                return
            if is_admin_command(turn.question):
                await context.send_activity(plain(await self._admin(turn)))
                return
            if not turn.question:
                await context.send_activity(plain(HELP))
                return
            await _courtesy(context.send_activity, Activity(type=ActivityTypes.typing))
            reply = await asyncio.to_thread(self.replies.answer, turn.question, turn.place)
            sent = await context.send_activity(reply_activity(reply))
            if sent is not None and sent.id and context.activity.conversation:
                # Teams' 👍/👎 name only the message: link it to the answer's record
                conversation = context.activity.conversation.id
                await asyncio.to_thread(self.replies.posted, reply.answer_id, conversation, sent.id)
            if reply.remind:
                await context.send_activity(plain(REMINDER))
        except Exception:
            log.exception("answering a Teams message failed")
            await context.send_activity(plain(FAILED))

    async def _share(self, context: TurnContext, turn: Turn, answer_id: int) -> None:
        if turn.place.personal:
            await context.send_activity(plain(SHARE_HERE.format(n=answer_id)))
            return
        shared = await asyncio.to_thread(
            self.replies.shared, answer_id, turn.place.user, turn.user_name
        )
        await context.send_activity(
            plain(shared) if isinstance(shared, str) else reply_activity(shared)
        )

    async def _admin(self, turn: Turn) -> str:
        if not turn.place.personal:
            return ADMIN_NOT_HERE
        if not self.staff.includes(turn.place.user):
            return ADMIN_REFUSAL
        return await asyncio.to_thread(admin_reply, self.library, turn.question)

    async def on_conversation_update(self, context: TurnContext, _state: Any) -> None:
        """The bot added to a team, channel or group chat (or one renamed): remember it."""
        activity = context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        added = [m.id for m in activity.members_added or []]
        installed = activity.type == ActivityTypes.installation_update and activity.action in (
            "add",
            "add-upgrade",
        )
        seen = conversation_of(activity)
        if seen is None:
            return
        if installed or (bot_id and bot_id in added):
            await asyncio.to_thread(self.replies.seen, seen)
        elif name := conversation_name(activity):
            await asyncio.to_thread(self.replies.renamed, seen.conversation, name)

    async def _receive_files(self, context: TurnContext, turn: Turn) -> None:
        if not turn.place.personal:
            await context.send_activity(plain(NOT_HERE))
        elif not self.staff.includes(turn.place.user):
            await context.send_activity(plain(REFUSAL))  # nothing is downloaded
        elif self.load is None:
            await context.send_activity(plain(NOT_SET_UP))
        else:
            count = len(turn.files)
            await context.send_activity(plain(f"Loading {count} document(s) into the library…"))
            lines = await asyncio.to_thread(
                receive, turn.files, self.inbox, self.load, self.max_bytes
            )
            await context.send_activity(plain("\n".join(lines)))


async def _courtesy(send: Callable[[Activity], Awaitable[Any]], activity: Activity) -> None:
    try:
        await send(activity)
    except Exception:  # the typing indicator is a courtesy; never let it stop an answer
        log.info("could not send a typing indicator")


def build_agent(bot: TeamsBot, connections: Any) -> AgentApplication[TurnState]:
    """The AgentApplication with the bot's routes: messages, installs, and the invokes."""
    agent = AgentApplication[TurnState](
        storage=MemoryStorage(),  # turn state is unused: the catalog holds what must last
        connection_manager=connections,
        start_typing_timer=False,  # the typing indicator belongs to the background turn
        remove_recipient_mention=True,
    )
    teams = TeamsAgentExtension(agent)
    teams.activity(ActivityTypes.message)(bot.on_message)
    for kind in (ActivityTypes.conversation_update, ActivityTypes.installation_update):
        agent.activity(kind)(bot.on_conversation_update)
    Actions(bot.replies, bot.deliveries).register(agent)
    return agent
