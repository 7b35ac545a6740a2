"""The buttons under every answer: 👍 / 👎 feedback, share in channel, supervision note."""

from __future__ import annotations

from typing import Any

from bot.desk import Asked, Desk, Recorded
from bot.slack.blocks import Message, answer_messages, escape_mrkdwn
from bot.slack.middleware import respond
from bot.wording import NOTE_TITLE, THANKS_UP

HELPFUL, NOT_HELPFUL = "feedback_up", "feedback_down"
SHARE, NOTE = "share_in_channel", "supervision_note"
WHAT_WAS_WRONG, SHARE_WHERE = "feedback_note", "share_where"
NOTE_BLOCK_CHARS = 12_000  # Slack's limit for a `markdown` block


def actions_block(answer_id: int, *, shareable: bool) -> dict[str, Any]:
    """The row of buttons; each carries the audit record's id."""
    buttons = [
        _button("👍 Helpful", HELPFUL, answer_id),
        _button("👎 Not helpful", NOT_HELPFUL, answer_id),
        _button("Supervision note", NOTE, answer_id),
    ]
    if shareable:
        buttons.insert(2, _button("Share in channel", SHARE, answer_id))
    return {"type": "actions", "block_id": "answer_actions", "elements": buttons}


def with_actions(messages: list[Message], answer_id: int, *, shareable: bool) -> list[Message]:
    """The messages with the buttons under the last one (blocks.py leaves room for them)."""
    last = messages[-1]
    block = actions_block(answer_id, shareable=shareable)
    return [*messages[:-1], Message(last.text, (*last.blocks, block))]


def answer_messages_for(asked: Asked, *, shareable: bool) -> list[Message]:
    """The Slack messages for an answer just given, with the buttons under the last."""
    messages = answer_messages(asked.answer, library_version=asked.library_version)
    return with_actions(messages, asked.answer_id, shareable=shareable)


def register_buttons(app: Any, desk: Desk) -> None:
    """Wire the buttons' listeners; each acks first, as Slack wants within 3 s."""

    @app.action(HELPFUL)
    def on_helpful(ack: Any, body: dict[str, Any]) -> None:
        ack()
        desk.feedback(_answer_id(body), "up")
        respond(body.get("response_url"), text=THANKS_UP, response_type="ephemeral",
                replace_original=False)  # fmt: skip

    @app.action(NOT_HELPFUL)
    def on_not_helpful(ack: Any, body: dict[str, Any], client: Any) -> None:
        ack()
        answer_id = _answer_id(body)
        desk.feedback(answer_id, "down")
        client.views_open(trigger_id=body["trigger_id"], view=_what_was_wrong(answer_id))

    @app.view(WHAT_WAS_WRONG)
    def on_what_was_wrong(ack: Any, view: dict[str, Any]) -> None:
        ack()
        value = view["state"]["values"]["what"]["text"].get("value") or ""
        if value.strip():  # optional
            desk.feedback(int(view["private_metadata"]), "down", value)

    @app.action(SHARE)
    def on_share(ack: Any, body: dict[str, Any], client: Any) -> None:
        ack()
        shared = desk.shareable(_answer_id(body), body["user"]["id"])
        if isinstance(shared, str):
            respond(body.get("response_url"), text=shared, response_type="ephemeral",
                    replace_original=False)  # fmt: skip
            return
        channel = body.get("channel", {}).get("id", "")
        if channel.startswith("D"):  # a direct message: ask which channel to share it in
            client.views_open(trigger_id=body["trigger_id"], view=_share_where(shared.answer_id))
            return
        _post_shared(client, shared, channel, body["user"]["id"])

    @app.view(SHARE_WHERE)
    def on_share_where(ack: Any, view: dict[str, Any], body: dict[str, Any], client: Any) -> None:
        ack()
        channel = view["state"]["values"]["where"]["channel"]["selected_conversation"]
        shared = desk.shareable(int(view["private_metadata"]), body["user"]["id"])
        if not isinstance(shared, str):
            _post_shared(client, shared, channel, body["user"]["id"])

    @app.action(NOTE)
    def on_note(ack: Any, body: dict[str, Any], client: Any) -> None:
        ack()
        note = desk.note(_answer_id(body))
        if note is None:
            return
        channel = body.get("channel", {}).get("id") or note.place.channel
        thread = body.get("message", {}).get("thread_ts") or note.place.thread
        client.chat_postMessage(
            channel=channel,
            thread_ts=thread,
            text=NOTE_TITLE,
            blocks=[{"type": "markdown", "text": note.text[:NOTE_BLOCK_CHARS]}],
            unfurl_links=False,
        )
        client.files_upload_v2(
            channel=channel,
            thread_ts=thread,
            content=note.text,
            filename=note.file_name,
            title=NOTE_TITLE,
        )


def _post_shared(client: Any, shared: Recorded, channel: str, user: str) -> None:
    messages = answer_messages(shared.answer, library_version=shared.library_version)
    for i, message in enumerate(messages):
        lead = [{"type": "context", "elements": [
            {"type": "mrkdwn", "text": f"Shared by <@{escape_mrkdwn(user)}>"}]}]  # fmt: skip
        client.chat_postMessage(
            channel=channel,
            text=message.text,
            blocks=[*(lead if i == 0 else []), *message.blocks][:50],
            unfurl_links=False,
            unfurl_media=False,
        )


def _answer_id(body: dict[str, Any]) -> int:
    return int(body["actions"][0]["value"])


def _button(label: str, action_id: str, answer_id: int) -> dict[str, Any]:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": label, "emoji": True},
        "action_id": action_id,
        "value": str(answer_id),
    }


def _what_was_wrong(answer_id: int) -> dict[str, Any]:
    element = {"type": "plain_text_input", "action_id": "text", "multiline": True}
    label = "Tell us what was wrong (optional)"
    return _modal(
        WHAT_WAS_WRONG, answer_id, "What was wrong?", "Send", "what", label, element, optional=True
    )


def _share_where(answer_id: int) -> dict[str, Any]:
    element = {"type": "conversations_select", "action_id": "channel"}
    return _modal(
        SHARE_WHERE, answer_id, "Share in a channel", "Share", "where", "Channel", element
    )


def _modal(
    callback_id: str,
    answer_id: int,
    title: str,
    submit: str,
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
) -> dict[str, Any]:
    """A one-input modal that carries the audit record's id back in `private_metadata`."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": str(answer_id),
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": submit},
        "blocks": [
            {
                "type": "input",
                "block_id": block_id,
                "optional": optional,
                "label": {"type": "plain_text", "text": label},
                "element": element,
            }
        ],
    }
