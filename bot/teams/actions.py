"""What a person does to an answer: supervision note, share, Teams' 👍/👎, the note file.

Every one arrives as an invoke that Teams waits up to 15 s for, and each works on the same
`answers` record the Slack buttons use. Blocking work (SQL, the upload) runs in worker threads.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from microsoft_agents.activity import ActivityTypes, AdaptiveCardInvokeResponse
from microsoft_agents.hosting.core import AgentApplication, TurnContext, TurnState
from microsoft_agents.hosting.core.app.adaptive_card import factory

from bot.desk import Desk
from bot.hosts import Hosts
from bot.records.deliveries import Deliveries
from bot.teams.activities import (
    continuation,
    delivery_key,
    place_of,
    plain,
    reply_activity,
    respond_to_invoke,
    user_of,
    with_attachment,
)
from bot.teams.cards import HELPFUL, NOT_HELPFUL, NOTE
from bot.teams.files import upload
from bot.teams.notes import consent_attachment, file_info_attachment
from bot.teams.replies import REACTIONS, SURFACE, message_key, shared_reply
from bot.teams.sharing import CHOICE, dialog_message, label, share_dialog
from bot.wording import (
    GONE,
    NOT_THERE,
    NOTE_DECLINED,
    NOTE_POSTED,
    SHARE_FAILED,
    SHARED,
    THANKS_DOWN,
    THANKS_UP,
    UPLOAD_FAILED,
)

log = logging.getLogger(__name__)

Handler = Callable[[TurnContext, Any], Awaitable[None]]


class Actions:
    """The invoke handlers for the answer card and the message."""

    def __init__(self, desk: Desk, deliveries: Deliveries, file_hosts: Hosts) -> None:
        self.desk = desk
        self.deliveries = deliveries
        self.file_hosts = file_hosts

    # -- card buttons (Action.Execute) ----------------------------------------------------------

    def card_action(
        self, verb: str
    ) -> Callable[[TurnContext, Any, Any], Awaitable[AdaptiveCardInvokeResponse]]:
        """The handler for one button's `Action.Execute` verb."""

        async def handler(
            context: TurnContext, _state: Any, data: Any
        ) -> AdaptiveCardInvokeResponse:
            return await self._on_button(verb, context, data if isinstance(data, dict) else {})

        return handler

    async def _on_button(
        self, verb: str, context: TurnContext, data: dict[str, Any]
    ) -> AdaptiveCardInvokeResponse:
        try:
            answer_id = int(data["answer_id"])
        except (KeyError, TypeError, ValueError):
            return factory.bad_request("The button carried no answer id.")
        if verb == HELPFUL:  # the 👍/👎 card buttons of answers posted before the feedback loop
            await asyncio.to_thread(self.desk.feedback, answer_id, "up")
            return factory.message(THANKS_UP)
        if verb == NOT_HELPFUL:
            what = str(data.get("note") or "")
            await asyncio.to_thread(self.desk.feedback, answer_id, "down", what)
            return factory.message(THANKS_DOWN)
        key = delivery_key(context.activity)
        if key is not None and not await asyncio.to_thread(self.deliveries.claim, key):
            return factory.message(NOTE_POSTED)
        note = await asyncio.to_thread(self.desk.note, answer_id)
        if note is None:
            return factory.message(GONE)
        await context.send_activity(plain(note.text))
        if place_of(context.activity).private:  # Teams takes files only in personal chats
            consent = consent_attachment(answer_id, note.file_name, len(note.text.encode()))
            await context.send_activity(with_attachment(consent))
        return factory.message(NOTE_POSTED)

    # -- the note file: fileConsent/invoke ------------------------------------------------------

    async def on_file_consent(self, context: TurnContext, _state: Any) -> None:
        value = context.activity.value if isinstance(context.activity.value, dict) else {}
        key = delivery_key(context.activity)
        if key is None or await asyncio.to_thread(self.deliveries.claim, key):
            try:
                await self._file_consent(context, value)
            except Exception:
                log.exception("saving a supervision note to OneDrive failed")
        await respond_to_invoke(context)

    async def _file_consent(self, context: TurnContext, value: dict[str, Any]) -> None:
        if value.get("action") != "accept":
            await context.send_activity(plain(NOTE_DECLINED))
            return
        answer_id = int((value.get("context") or {}).get("answer_id", 0))
        note = await asyncio.to_thread(self.desk.note, answer_id)
        if note is None:
            await context.send_activity(plain(GONE))
            return
        info = value.get("uploadInfo") or {}
        upload_url = str(info.get("uploadUrl") or "")
        problem = await asyncio.to_thread(upload, upload_url, note.text.encode(), self.file_hosts)
        if problem:
            await context.send_activity(plain(UPLOAD_FAILED.format(problem=problem)))
            return
        await context.send_activity(with_attachment(file_info_attachment(info)))

    # -- Teams' own 👍/👎: message/submitAction -------------------------------------------------

    async def on_feedback(self, context: TurnContext, _state: Any) -> None:
        activity = context.activity
        value = activity.value if isinstance(activity.value, dict) else {}
        action = value.get("actionValue") or {}
        note = _feedback_text(action.get("feedback"))
        conversation = activity.conversation.id if activity.conversation else ""
        value_of = REACTIONS.get(str(action.get("reaction") or ""))
        key = message_key(conversation, activity.reply_to_id or "")
        stored = value_of is not None and await asyncio.to_thread(
            self.desk.message_feedback, key, value_of, note
        )
        if not stored:
            log.info("feedback on a message that carries no recorded answer")
        await respond_to_invoke(context)

    # -- share: task/fetch and task/submit ------------------------------------------------------

    async def on_share_fetch(self, context: TurnContext, _state: Any) -> None:
        answer_id = _answer_id(context.activity.value)
        await respond_to_invoke(context, await self._share_dialog(context, answer_id))

    async def _share_dialog(self, context: TurnContext, answer_id: int | None) -> dict[str, Any]:
        user = user_of(context.activity)
        shared = await asyncio.to_thread(self.desk.shareable, answer_id or 0, user)
        if isinstance(shared, str):
            return dialog_message(shared)
        tenant = shared.place.workspace
        places = await asyncio.to_thread(self.desk.share_targets, SURFACE, user, tenant)
        return share_dialog(shared.answer_id, places)

    async def on_share_submit(self, context: TurnContext, _state: Any) -> None:
        await respond_to_invoke(context, await self._share_submit(context))

    async def _share_submit(self, context: TurnContext) -> dict[str, Any]:
        activity = context.activity
        value = activity.value if isinstance(activity.value, dict) else {}
        data = value.get("data") or {}
        answer_id, user = _answer_id(activity.value), user_of(activity)
        sender = activity.from_property
        shared = await asyncio.to_thread(self.desk.shareable, answer_id or 0, user)
        if isinstance(shared, str):
            return dialog_message(shared)
        reply = shared_reply(shared, (sender.name if sender else None) or "")
        tenant = activity.conversation.tenant_id if activity.conversation else None
        places = await asyncio.to_thread(self.desk.share_targets, SURFACE, user, tenant)
        chosen = str(data.get(CHOICE) or "")
        target = next((p for p in places if p.conversation == chosen), None)
        if target is None:  # only where the asker spoke to the bot: never trust the client
            return dialog_message(NOT_THERE)

        async def post(turn_context: TurnContext) -> None:
            await turn_context.send_activity(reply_activity(reply))

        try:
            reference = continuation(target, activity.recipient, sender)
            await context.adapter.continue_conversation_with_claims(
                context.identity, reference, post
            )
        except Exception:
            log.exception("sharing answer %s in %s failed", answer_id, target.conversation)
            return dialog_message(SHARE_FAILED.format(name=label(target)))
        return dialog_message(SHARED.format(name=label(target)))

    def register(self, agent: AgentApplication[TurnState]) -> None:
        """Add the invoke routes to the agent."""
        for verb in (HELPFUL, NOT_HELPFUL, NOTE):
            agent.adaptive_card.action_execute(verb)(self.card_action(verb))
        routes: list[tuple[str, Handler]] = [
            ("fileConsent/invoke", self.on_file_consent),
            ("message/submitAction", self.on_feedback),
            ("task/fetch", self.on_share_fetch),
            ("task/submit", self.on_share_submit),
        ]
        for name, handler in routes:
            agent.add_route(_invoke(name), handler, is_invoke=True)


def _invoke(name: str) -> Callable[[TurnContext], bool]:
    def selector(context: TurnContext) -> bool:
        activity = context.activity
        if activity.type != ActivityTypes.invoke or activity.name != name:
            return False
        if name == "message/submitAction":
            return (
                isinstance(activity.value, dict) and activity.value.get("actionName") == "feedback"
            )
        return True

    return selector


def _answer_id(value: Any) -> int | None:
    data = (value or {}).get("data") if isinstance(value, dict) else None
    try:
        return int((data or {})["answer_id"])
    except (KeyError, TypeError, ValueError):
        return None


def _feedback_text(feedback: Any) -> str | None:
    """The text typed into Teams' feedback form: `{"feedbackText": "..."}` as a JSON string."""
    if isinstance(feedback, str):
        try:
            feedback = json.loads(feedback)
        except ValueError:
            return feedback
    if isinstance(feedback, dict):
        text = feedback.get("feedbackText")
        return str(text) if text else None
    return None
