"""Bolt listeners: @mentions, direct messages and /evidence, answered in the thread.

Listeners only wire stages together: dedupe, a 👀 while working, the answering core, Block Kit.
Bolt acks events before listeners run (Slack wants 200 within 3 s); commands ack first by hand.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from typing import Any

from bot.answer import Answer
from bot.answering import Answerer
from bot.redaction import REMINDER, redact
from bot.rendering import to_dict
from bot.slack.blocks import Message, answer_messages
from bot.slack.buttons import register_buttons, with_actions
from bot.slack.staff import REFUSAL, Load, Staff, admin_reply, receive_files
from index.audit import AnswerLog, AnswerRecord
from index.deliveries import Deliveries
from index.settings import Settings

log = logging.getLogger(__name__)
MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
WORKING = "eyes"
HELP = "Ask me a practice question, for example: _What helps social workers stay in their jobs?_"
FAILED = "Sorry, something went wrong looking that up. Please try again in a minute."


def question_text(text: str) -> str:
    """The question without the bot's @mention."""
    return " ".join(MENTION.sub(" ", text or "").split())


def build_app(
    settings: Settings,
    answerer: Answerer,
    deliveries: Deliveries,
    answers: AnswerLog,
    *,
    staff: Staff | None = None,
    load: Load | None = None,
    **app_options: Any,
) -> Any:
    """A Bolt App talking to `settings.slack_api_url`, answering through `answerer`."""
    from slack_bolt import App
    from slack_sdk import WebClient
    from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

    client = WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=3)],
    )
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        **app_options,
    )
    replies = Replies(answerer, deliveries, answers)
    register_buttons(app, answers)

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], client: Any, context: Any) -> None:
        replies.in_thread(client, event, context.get("team_id"))

    staff = staff or Staff(())
    inbox = settings.home / "inbox"

    @app.event("message")
    def on_message(event: dict[str, Any], client: Any) -> None:
        # Direct messages only, written by people: edits, joins and bot posts have a subtype.
        if event.get("channel_type") != "im" or event.get("bot_id"):
            return
        if event.get("subtype") == "file_share":
            key = f"slack:files:{event['channel']}:{event['ts']}"
            if load is not None and deliveries.claim(key):
                token = settings.slack_bot_token or ""
                receive_files(client, event, staff, token, inbox, load)
        elif not event.get("subtype"):
            replies.in_thread(client, event, None)

    @app.command("/evidence-admin")
    def on_admin(ack: Any, command: dict[str, Any], client: Any) -> None:
        if not staff.includes(client, command.get("user_id")):
            ack(text=REFUSAL)
            return
        ack()
        try:
            text = admin_reply(answerer.library, command.get("text", ""))
        except Exception:
            log.exception("/evidence-admin failed")
            text = FAILED
        client.chat_postEphemeral(channel=command["channel_id"], user=command["user_id"], text=text)

    @app.command("/evidence")
    def on_command(ack: Any, command: dict[str, Any], respond: Any, client: Any) -> None:
        question = question_text(command.get("text", ""))
        if not question:
            ack(text=HELP)
            return
        ack(text=f"Looking in the library for: {question}")
        if not deliveries.claim(f"slack:command:{command.get('trigger_id')}"):
            return
        try:
            place = Place(command.get("team_id"), command.get("channel_id"), command["user_id"])
            for message in replies.answer(question, question, place, shareable=True):
                respond(
                    text=message.text,
                    blocks=list(message.blocks),
                    response_type="ephemeral",
                    replace_original=False,
                )
            if redact(question).found:
                respond(text=REMINDER, response_type="ephemeral", replace_original=False)
        except Exception:
            log.exception("answering a /evidence command failed")
            respond(text=FAILED, response_type="ephemeral", replace_original=False)

    return app


@dataclass(frozen=True)
class Place:
    """Where a question was asked: recorded in the audit log with the answer."""

    workspace: str | None
    channel: str | None
    user: str | None
    thread: str | None = None


class Replies:
    """Answers once per message, records the answer (question redacted), adds the buttons."""

    def __init__(self, answerer: Answerer, deliveries: Deliveries, answers: AnswerLog) -> None:
        self.answerer = answerer
        self.deliveries = deliveries
        self.answers = answers

    def answer(
        self, question: str, retrieval_query: str, place: Place, *, shareable: bool
    ) -> list[Message]:
        """The Slack messages for an answer, after recording it in the audit log."""
        answer: Answer = replace(self.answerer.answer(retrieval_query), question=question)
        version = self.answerer.library_version()
        redaction = redact(question)
        answer_id = self.answers.record(
            AnswerRecord(
                surface="slack",
                question=redaction.text,
                redacted=redaction.kinds,
                answered=answer.answered,
                answer=to_dict(replace(answer, question=redaction.text)),
                library_version=version,
                workspace=place.workspace,
                channel=place.channel,
                user=place.user,
                thread=place.thread,
            )
        )
        messages = answer_messages(answer, library_version=version)
        return with_actions(messages, answer_id, shareable=shareable)

    def in_thread(self, client: Any, event: dict[str, Any], workspace: str | None) -> None:
        channel, ts = event["channel"], event["ts"]
        # The same message can arrive as app_mention and as message, and Slack retries: one answer.
        if not self.deliveries.claim(f"slack:message:{channel}:{ts}"):
            return
        thread_ts = event.get("thread_ts") or ts
        question = question_text(event.get("text", ""))
        if not question:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=HELP)
            return
        _react(client, "reactions_add", channel, ts)
        direct = event.get("channel_type") == "im"
        try:
            context = self._earlier_question(client, channel, thread_ts, ts)
            place = Place(workspace or event.get("team"), channel, event.get("user"), thread_ts)
            retrieval_query = f"{context} {question}".strip()
            for message in self.answer(question, retrieval_query, place, shareable=direct):
                client.chat_postMessage(
                    channel=channel,
                    thread_ts=thread_ts,
                    text=message.text,
                    blocks=list(message.blocks),
                    unfurl_links=False,
                    unfurl_media=False,
                )
            if redact(question).found:
                _remind(client, channel, thread_ts, event.get("user"), direct)
        except Exception:
            log.exception("answering a Slack message failed")
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=FAILED)
        finally:
            _react(client, "reactions_remove", channel, ts)

    @staticmethod
    def _earlier_question(client: Any, channel: str, thread_ts: str, ts: str) -> str:
        """A follow-up in a thread is read with the thread's opening question as context."""
        if thread_ts == ts:
            return ""
        try:
            replies = client.conversations_replies(channel=channel, ts=thread_ts, limit=1)
        except Exception:  # no history scope in this channel: answer the follow-up on its own
            log.warning("could not read thread %s in %s", thread_ts, channel)
            return ""
        messages = replies.get("messages") or []
        return question_text(messages[0].get("text", "")) if messages else ""


def _remind(client: Any, channel: str, thread_ts: str, user: str | None, direct: bool) -> None:
    """A gentle reminder, seen only by the asker where the channel allows it."""
    if direct or not user:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=REMINDER)
    else:
        client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, text=REMINDER)


def _react(client: Any, method: str, channel: str, ts: str) -> None:
    try:
        getattr(client, method)(channel=channel, timestamp=ts, name=WORKING)
    except Exception:  # the reaction is a courtesy; never let it stop an answer
        log.info("%s failed for %s/%s", method, channel, ts)
