"""What every Slack listener shares: matchers, the claim-once middleware, the error handler."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from bot.records.deliveries import Deliveries
from bot.wording import FAILED

log = logging.getLogger(__name__)
Body = dict[str, Any]
RESPOND_RETRIES = 3


def direct_message(event: Body) -> bool:
    """A message in a DM with the bot, not posted by a bot."""
    return event.get("channel_type") == "im" and not event.get("bot_id")


def plain_message(event: Body) -> bool:
    """Written by a person: edits, joins and file shares have a subtype."""
    return not event.get("subtype")


def shares_files(event: Body) -> bool:
    return event.get("subtype") == "file_share"


def message_key(body: Body) -> str:
    """The same message can arrive as app_mention and as message, and Slack retries: one key."""
    event = body["event"]
    return f"slack:message:{event['channel']}:{event['ts']}"


def files_key(body: Body) -> str:
    event = body["event"]
    return f"slack:files:{event['channel']}:{event['ts']}"


def command_key(body: Body) -> str:
    return f"slack:command:{body.get('trigger_id')}"


def claim_once(deliveries: Deliveries, key: Callable[[Body], str]) -> Callable[..., Any]:
    """Listener middleware: the first delivery of `key(body)` runs the listener, in any process.

    A retry or duplicate gets its 200 (else Slack retries again) and nothing else happens.
    """
    from slack_bolt import BoltResponse

    def claim(body: Body, next: Callable[[], None]) -> Any:
        if deliveries.claim(key(body)):
            next()
            return None
        return BoltResponse(status=200, body="")

    return claim


def respond(response_url: str | None, **message: Any) -> None:
    """Post to a slash command's or a button's `response_url`, sending it again (up to 3 times,
    after the wait Slack asks for, at most 30 s) when Slack answers 429. Bolt's own `respond()`
    does not retry, and slack_sdk's webhook client leaves a 429's connection open.

    Raises:
        RuntimeError: Slack refused the message, or went on rate-limiting it.
    """
    if not (response_url or "").lower().startswith(("https://", "http://")):
        raise RuntimeError("the request carried no web response_url")
    body = json.dumps(message).encode()
    for attempt in range(RESPOND_RETRIES + 1):
        request = urllib.request.Request(
            str(response_url), data=body, method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=30):  # nosec B310 - Slack's own URL
                return
        except urllib.error.HTTPError as error:
            with error:
                if error.code != 429 or attempt == RESPOND_RETRIES:
                    raise RuntimeError(f"Slack refused the reply: HTTP {error.code}") from None
                wait = error.headers.get("Retry-After", "1")
            time.sleep(min(float(wait) if wait.isdigit() else 1.0, 30.0))


def say_failed(error: Exception, body: Body, client: Any) -> Any:
    """The one error handler: log, then tell the asker FAILED where they asked.

    Also for a middleware failing before the listener acked (the catalog down while a delivery
    is claimed, say): once the asker has been told to try again, Slack gets its 200, so it does
    not redeliver into the same fault, and failed deliveries do not pile up against the app.
    """
    from slack_bolt import BoltResponse

    log.error("a Slack listener failed", exc_info=error)
    event = body.get("event") or {}
    try:
        if event.get("channel") and event.get("ts"):
            thread_ts = event.get("thread_ts") or event["ts"]
            client.chat_postMessage(channel=event["channel"], thread_ts=thread_ts, text=FAILED)
        elif body.get("command") and body.get("response_url"):
            respond(body["response_url"], text=FAILED, response_type="ephemeral",
                    replace_original=False)  # fmt: skip
        else:
            return None
    except Exception:  # Slack itself unreachable: a 500, and Slack will redeliver
        log.exception("could not tell the asker it failed")
        return None
    return BoltResponse(status=200, body="")
