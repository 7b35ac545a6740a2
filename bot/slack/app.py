"""Bolt listeners: @mentions, direct messages and /evidence, answered in the thread.

Listeners only translate: matchers pick the events, a middleware claims each delivery once, the
desk answers, Block Kit renders, and one error handler logs and says FAILED.
Bolt acks events before listeners run (Slack wants 200 within 3 s); commands ack first by hand.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from bot.desk import Desk, Place
from bot.hosts import Hosts
from bot.records.deliveries import Deliveries
from bot.slack.blocks import escape_mrkdwn
from bot.slack.buttons import answer_messages_for, register_buttons
from bot.slack.middleware import (
    claim_once,
    command_key,
    direct_message,
    files_key,
    message_key,
    plain_message,
    respond,
    say_failed,
    shares_files,
)
from bot.slack.settings import SlackSettings
from bot.slack.staff import Staff, admin_reply, receive_files
from bot.uploads import Inbox, Load, Rules
from bot.wording import HELP_MRKDWN, LOOKING, REMINDER, UPLOAD_REFUSED

log = logging.getLogger(__name__)
MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
WORKING = "eyes"


def question_text(text: str) -> str:
    """The question without the bot's @mention."""
    return " ".join(MENTION.sub(" ", text or "").split())


def build_app(
    settings: SlackSettings,
    inbox_folder: Path,
    max_bytes: int,
    desk: Desk,
    deliveries: Deliveries,
    *,
    staff: Staff | None = None,
    load: Load | None = None,
    **app_options: Any,
) -> Any:
    """A Bolt App talking to `settings.api_url`, answering through `desk`.

    Files staff send are kept in `inbox_folder` while they load; larger than `max_bytes` are
    refused.
    """
    from slack_bolt import App
    from slack_sdk import WebClient
    from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

    client = WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=3)],
    )
    app = App(client=client, signing_secret=settings.signing_secret or "", **app_options)
    app.error(say_failed)
    register_buttons(app, desk)
    staff = staff or Staff(())
    rules = Rules(Hosts.parse(settings.file_hosts))
    inbox = Inbox(inbox_folder, load, max_bytes, "slack", rules) if load else None
    token = settings.bot_token or ""
    once_per_message = [claim_once(deliveries, message_key)]

    @app.event("app_mention", middleware=once_per_message)
    def on_mention(event: dict[str, Any], client: Any, context: Any) -> None:
        answer_in_thread(desk, client, event, context.get("team_id"))

    @app.event("message", matchers=[direct_message, plain_message], middleware=once_per_message)
    def on_direct_message(event: dict[str, Any], client: Any) -> None:
        answer_in_thread(desk, client, event, None)

    if inbox is not None:

        @app.event(
            "message",
            matchers=[direct_message, shares_files],
            middleware=[claim_once(deliveries, files_key)],
        )
        def on_files(event: dict[str, Any], client: Any) -> None:
            receive_files(client, event, staff, token, inbox)

    @app.event("message")
    def on_other_message() -> None:
        """Channel messages, edits, joins and bot posts: acknowledged, nothing to do."""

    @app.command("/evidence-admin")
    def on_admin(ack: Any, command: dict[str, Any], client: Any) -> None:
        if not staff.includes(client, command.get("user_id")):
            ack(text=UPLOAD_REFUSED)
            return
        ack()
        text = admin_reply(desk.answerer.library, command.get("text", ""))
        client.chat_postEphemeral(channel=command["channel_id"], user=command["user_id"], text=text)

    @app.command("/evidence", middleware=[claim_once(deliveries, command_key)])
    def on_command(ack: Any, command: dict[str, Any]) -> None:
        question = question_text(command.get("text", ""))
        if not question:
            ack(text=HELP_MRKDWN)
            return
        ack(text=LOOKING.format(question=escape_mrkdwn(question)))  # never a mention or link
        place = Place(
            "slack", command.get("team_id"), command.get("channel_id"), command["user_id"]
        )
        asked = desk.ask(question, place, earlier="")
        for message in answer_messages_for(asked, shareable=True):
            respond(command.get("response_url"), text=message.text, blocks=list(message.blocks),
                    response_type="ephemeral", replace_original=False)  # fmt: skip
        if asked.remind:
            respond(command.get("response_url"), text=REMINDER, response_type="ephemeral",
                    replace_original=False)  # fmt: skip

    return app


def answer_in_thread(desk: Desk, client: Any, event: dict[str, Any], workspace: str | None) -> None:
    """Answer a message in its thread, with a 👀 on it while the library is searched."""
    channel, ts = event["channel"], event["ts"]
    thread_ts = event.get("thread_ts") or ts
    question = question_text(event.get("text", ""))
    if not question:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=HELP_MRKDWN)
        return
    direct = event.get("channel_type") == "im"
    place = Place("slack", workspace or event.get("team"), channel, event.get("user"), thread_ts,
                  private=direct)  # fmt: skip
    _react(client, "reactions_add", channel, ts)
    try:
        earlier = _earlier_question(client, channel, thread_ts, ts)
        asked = desk.ask(question, place, earlier=earlier)
        for message in answer_messages_for(asked, shareable=direct):
            client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                text=message.text,
                blocks=list(message.blocks),
                unfurl_links=False,
                unfurl_media=False,
            )
        if asked.remind:
            _remind(client, channel, thread_ts, event.get("user"), direct)
    finally:
        _react(client, "reactions_remove", channel, ts)


def _earlier_question(client: Any, channel: str, thread_ts: str, ts: str) -> str:
    """A follow-up in a thread is read with the thread's opening message as context."""
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
