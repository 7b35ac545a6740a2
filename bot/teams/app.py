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
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, DeliveryModes
from microsoft_agents.hosting.core import AgentApplication, MemoryStorage, TurnContext, TurnState
from microsoft_agents.hosting.msteams import TeamsAgentExtension, TeamsTurnContext

from bot import wording
from bot.desk import Desk, Place
from bot.hosts import Hosts
from bot.records.deliveries import Deliveries
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
from bot.teams.admin import admin_reply, is_admin_command
from bot.teams.files import ONEDRIVE, Staff, sent_files
from bot.teams.replies import SURFACE, answer_reply, message_key, shared_reply
from bot.uploads import Inbox, SentFile

log = logging.getLogger(__name__)
SHARE = re.compile(r"share\s+#?(\d+)", re.IGNORECASE)


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
        desk: Desk,
        deliveries: Deliveries,
        *,
        staff: Staff,
        inbox: Inbox | None,
        file_hosts: Hosts = ONEDRIVE,
    ) -> None:
        self.file_hosts = file_hosts  # where supervision notes may be uploaded (OneDrive)
        self.desk = desk
        self.library = desk.answerer.library
        self.deliveries = deliveries
        self.staff = staff
        self.inbox = inbox
        self._background: set[asyncio.Task[None]] = set()

    async def on_message(self, context: TeamsTurnContext, _state: Any) -> None:
        activity = context.activity
        key = delivery_key(activity)
        if key is not None and not await asyncio.to_thread(self.deliveries.claim, key):
            return  # Teams redelivered it after 15 s: the first delivery is being answered
        if (seen := conversation_of(activity)) is not None:  # somewhere answers can be shared
            await asyncio.to_thread(self.desk.seen, seen)
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
            await self._route(context, turn)
        except Exception:
            log.exception("answering a Teams message failed")
            await context.send_activity(plain(wording.FAILED))

    async def _route(self, context: TurnContext, turn: Turn) -> None:
        if turn.files:
            await self._receive_files(context, turn)
        elif match := SHARE.fullmatch(turn.question):
            await self._share(context, turn, int(match.group(1)))
        elif is_admin_command(turn.question):
            await context.send_activity(plain(await self._admin(turn)))
        elif not turn.question:
            await context.send_activity(plain(wording.HELP))
        else:
            await self._answer(context, turn)

    async def _answer(self, context: TurnContext, turn: Turn) -> None:
        await _courtesy(context.send_activity, Activity(type=ActivityTypes.typing))
        asked = await asyncio.to_thread(self.desk.ask, turn.question, turn.place)
        sent = await context.send_activity(
            reply_activity(answer_reply(asked, shareable=turn.place.private))
        )
        if sent is not None and sent.id and context.activity.conversation:
            # Teams' 👍/👎 name only the message: link it to the answer's record
            key = message_key(context.activity.conversation.id, sent.id)
            await asyncio.to_thread(self.desk.posted, key, asked.answer_id)
        if asked.remind:
            await context.send_activity(plain(wording.REMINDER))

    async def _share(self, context: TurnContext, turn: Turn, answer_id: int) -> None:
        if turn.place.private:
            await context.send_activity(plain(wording.SHARE_HERE.format(n=answer_id)))
            return
        shared = await asyncio.to_thread(self.desk.shareable, answer_id, turn.place.user)
        await context.send_activity(
            plain(shared)
            if isinstance(shared, str)
            else reply_activity(shared_reply(shared, turn.user_name))
        )

    async def _admin(self, turn: Turn) -> str:
        if not turn.place.private:
            return wording.ADMIN_NOT_HERE
        if not self.staff.includes(turn.place.user):
            return wording.ADMIN_REFUSED
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
            await asyncio.to_thread(self.desk.seen, seen)
        elif name := conversation_name(activity):
            await asyncio.to_thread(self.desk.renamed, SURFACE, seen.conversation, name)

    async def _receive_files(self, context: TurnContext, turn: Turn) -> None:
        if not turn.place.private:
            await context.send_activity(plain(wording.FILES_NOT_HERE))
        elif not self.staff.includes(turn.place.user):
            await context.send_activity(plain(wording.UPLOAD_REFUSED))  # nothing is downloaded
        elif self.inbox is None:
            await context.send_activity(plain(wording.UPLOADS_NOT_SET_UP))
        else:
            inbox = self.inbox
            await context.send_activity(plain(wording.LOADING.format(count=len(turn.files))))
            received = await asyncio.to_thread(lambda: list(inbox.receive(turn.files)))
            lines = [f"{r.name}: {r.summary}" for r in received]
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
    Actions(bot.desk, bot.deliveries, bot.file_hosts).register(agent)
    return agent
