"""The Teams bot's real aiohttp app served on 127.0.0.1 in a thread of its own, for tests."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.answering import Answerer
from bot.desk import Desk
from bot.hosts import Hosts
from bot.records.answers import AnswerLog
from bot.records.conversations import Conversations
from bot.records.deliveries import Deliveries
from bot.teams.app import TeamsBot
from bot.teams.files import Staff
from bot.teams.keys import BoundedKeys
from bot.teams.server import Credentials, make_web_app
from bot.uploads import Inbox, Load, Rules
from index.library import Library
from index.settings import Settings
from ingest.settings import IngestSettings

ANONYMOUS = Credentials(None, None, None, anonymous_allowed=True)
# The connector and file doubles listen on 127.0.0.1, on free ports.
LOCAL = Hosts.parse("http://127.0.0.1:*")


@dataclass(frozen=True)
class RunningBot:
    url: str  # POST activities here
    bot: TeamsBot
    answers: AnswerLog


async def stop(runner: web.AppRunner) -> None:
    """Clean up the app, then end what is left on the loop (a connection a test left half-sent)."""
    await runner.cleanup()
    left = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in left:
        task.cancel()
    await asyncio.gather(*left, return_exceptions=True)


@contextmanager
def running_teams_bot(
    settings: Settings,
    embedder: Any,
    *,
    credentials: Credentials = ANONYMOUS,
    keys: BoundedKeys | None = None,
    read_timeout: float = 10.0,
    staff: tuple[str, ...] = (),
    load: Load | None = None,
    hosts: Hosts = LOCAL,
) -> Iterator[RunningBot]:
    """One bot process (its own Library, event loop and HTTP server) on a free port."""
    library = Library(settings, embedder)
    answers = AnswerLog(library.catalog)
    max_bytes = IngestSettings().max_bytes
    bot = TeamsBot(
        Desk(Answerer(library, settings.min_score), answers, Conversations(library.catalog)),
        Deliveries(library.catalog),
        staff=Staff(staff),
        file_hosts=hosts,
        inbox=Inbox(settings.home / "inbox", load, max_bytes, "teams", Rules(hosts))
        if load
        else None,
    )
    loop = asyncio.new_event_loop()
    app = make_web_app(bot, credentials, keys, service_hosts=hosts, read_timeout=read_timeout)
    runner = web.AppRunner(app)
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert started.wait(30), "the Teams bot did not start"
    port = runner.addresses[0][1]
    try:
        yield RunningBot(f"http://127.0.0.1:{port}/api/messages", bot, answers)
    finally:
        # Shutting down waits for answers still being worked on (the app's on_shutdown).
        asyncio.run_coroutine_threadsafe(stop(runner), loop).result(timeout=60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
        library.close()
