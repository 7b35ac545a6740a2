"""The Slack bot under load, over real HTTP on 127.0.0.1: bursts, retries, 429s, long answers.

The real model answers from the sample library; what counts is what reached the Web API double.
The 3 s ack checks are Slack's hard deadline (a late ack is a failed delivery), not benchmarks;
`benchmarks/slack_latency.py` measures the latencies themselves.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.answer import Answer, Citation
from bot.answering import Answerer
from bot.wording import FAILED
from index.library import Library
from index.records import Filters
from index.settings import Settings
from ingest.job import ingest
from tests.support import slack_requests as slack
from tests.support.slack_bot import QUESTIONS, SECRET, TOKEN, running_bot
from tests.support.slack_web_api import Call, SlackWebAPI

ROOT = Path(__file__).resolve().parents[1]
ACK_DEADLINE = 3.0  # seconds: Slack counts a slower ack as a failed delivery and retries
CHANNEL = "CLOAD"
BURST = 20  # questions sent at once

Event = dict[str, Any]


def build_sample_library(settings: Settings, embedder: Any) -> Settings:
    library = Library(settings, embedder)
    report = ingest(library, [ROOT / "samples"])
    assert report.count("added") == 7
    library.close()
    return settings


@pytest.fixture(scope="module")
def sample_library(tmp_path_factory: pytest.TempPathFactory, real_embedder: Any) -> Settings:
    home = tmp_path_factory.mktemp("slack-load") / "library"
    return build_sample_library(Settings(home=home), real_embedder)


@pytest.fixture(scope="module")
def postgres_library(
    tmp_path_factory: pytest.TempPathFactory, real_embedder: Any, postgres_server: str
) -> Iterator[Settings]:
    """The sample library with its catalog in the session's PostgreSQL database, emptied after."""
    from sqlalchemy import create_engine, text

    home = tmp_path_factory.mktemp("slack-load-pg") / "library"
    yield build_sample_library(Settings(home=home, database_url=postgres_server), real_embedder)
    engine = create_engine(postgres_server)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_library(request: pytest.FixtureRequest) -> Settings:
    """One library that several bot processes open, its catalog on SQLite or PostgreSQL."""
    name = "sample_library" if request.param == "sqlite" else "postgres_library"
    settings: Settings = request.getfixturevalue(name)
    return settings


@pytest.fixture
def bot_url(sample_library: Settings, web_api: SlackWebAPI, real_embedder: Any) -> Iterator[str]:
    with running_bot(sample_library, web_api.url, TOKEN, SECRET, real_embedder) as url:
        yield url


def mention(text: str, ts: str) -> Event:
    return slack.app_mention_event(f"<@UBOT> {text}", user="U123", channel=CHANNEL, ts=ts)


@dataclass(frozen=True)
class Ack:
    """How the bot answered one delivery: HTTP status (or the connection error) and how fast."""

    status: int | str
    seconds: float


def timed_post(url: str, event: Event, event_id: str, **kwargs: Any) -> Ack:
    """Deliver one signed event and time it; a refused or reset connection is a failed delivery."""
    body = slack.event_callback(event, event_id=event_id)
    start = time.perf_counter()
    try:
        status: int | str = slack.signed_post(url, body, "application/json", SECRET, **kwargs)[0]
    except OSError as error:  # Slack sees this as a failed delivery and retries
        status = repr(error)
    return Ack(status, time.perf_counter() - start)


def all_at_once(sends: Sequence[Callable[[], Ack]]) -> list[Ack]:
    """Run every send on its own thread, released together, as a burst from Slack would be."""
    start = threading.Barrier(len(sends))

    def run(send: Callable[[], Ack]) -> Ack:
        start.wait()
        return send()

    with ThreadPoolExecutor(max_workers=len(sends)) as pool:
        return list(pool.map(run, sends))


def blocks_of(params: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = params.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks)


def has_buttons(post: Call) -> bool:
    return any(block["type"] == "actions" for block in blocks_of(post.params))


def settle(web_api: SlackWebAPI, method: str, count: int, timeout: float) -> list[Call]:
    """Wait for `count` calls, then a little longer so that a duplicate would show up too."""
    web_api.wait_for(method, count=count, timeout=timeout)
    time.sleep(1.0)
    return web_api.calls_to(method)


def test_a_burst_of_mentions_is_acked_in_time_and_each_answered_once_in_its_thread(
    bot_url: str, web_api: SlackWebAPI
) -> None:
    events = {
        f"EvLoad{n:02d}": mention(q, f"1700001000.{n:06d}") for n, q in enumerate(QUESTIONS[:BURST])
    }
    sends = [
        lambda event_id=event_id, event=event: timed_post(bot_url, event, event_id)
        for event_id, event in events.items()
    ]
    acks = all_at_once(sends)
    failed = Counter(ack.status for ack in acks if ack.status != 200)
    assert not failed, f"{failed.total()} of {len(acks)} deliveries failed: {dict(failed)}"
    slowest = max(ack.seconds for ack in acks)
    assert slowest < ACK_DEADLINE, f"slowest ack took {slowest:.2f} s"

    posts = settle(web_api, "chat.postMessage", len(events), timeout=45)
    assert {post.params["channel"] for post in posts} == {CHANNEL}
    threads = Counter(post.params["thread_ts"] for post in posts)
    assert threads == Counter(event["ts"] for event in events.values())
    assert not [post for post in posts if post.params.get("text") == FAILED]
    assert all(has_buttons(post) for post in posts)


def test_retries_spread_over_two_processes_get_200_and_one_answer(
    shared_library: Settings, web_api: SlackWebAPI, real_embedder: Any
) -> None:
    event = mention("What helps social workers stay in their jobs?", "1700002000.000100")
    with (
        running_bot(shared_library, web_api.url, TOKEN, SECRET, real_embedder) as first,
        running_bot(shared_library, web_api.url, TOKEN, SECRET, real_embedder) as second,
    ):
        # Slack redelivers to whichever process the load balancer picks, while the first still runs.
        deliveries = [(first, None), (second, 1), (first, 2), (second, 3)]
        sends = [
            lambda url=url, n=n: timed_post(url, event, "EvTwoProcesses", retry_num=n)
            for url, n in deliveries
        ]
        acks = all_at_once(sends)
        assert [ack.status for ack in acks] == [200] * len(deliveries)
        (post,) = settle(web_api, "chat.postMessage", 1, timeout=20)
    assert post.params["thread_ts"] == event["ts"]
    assert len(web_api.calls_to("reactions.add")) == 1


def test_a_rate_limited_post_is_retried_after_retry_after(
    bot_url: str, web_api: SlackWebAPI
) -> None:
    web_api.rate_limit("chat.postMessage", times=1, retry_after=1)
    event = mention("How should a team lead run reflective supervision?", "1700003000.000100")
    ack = timed_post(bot_url, event, "EvRateLimited")
    assert ack.status == 200
    assert ack.seconds < ACK_DEADLINE
    limited, answered = settle(web_api, "chat.postMessage", 2, timeout=20)
    assert (limited.status, answered.status) == (429, 200)
    assert answered.received_at - limited.received_at >= 0.9
    assert answered.params["thread_ts"] == event["ts"]
    assert limited.params["blocks"] == answered.params["blocks"]
    assert answered.params.get("text") != FAILED


LONG_QUOTE = 2_500
MANY_CITATIONS = 60


def long_quote(number: int) -> str:
    """2,500 characters of plain prose, with `&` and `<` that grow when escaped for mrkdwn."""
    sentence = f"Finding {number} & its caveats: outcomes improved where caseloads stayed < 20. "
    return (sentence * (LONG_QUOTE // len(sentence) + 1))[:LONG_QUOTE]


def long_answer(question: str) -> Answer:
    citations = tuple(
        Citation(
            number=n,
            document_id=n,
            title=f"Evaluation report {n}",
            publisher="evidence-bot sample library",
            year=2024,
            source=f"samples/report-{n}.pdf",
            source_url=None,
            doc_type="research report",
            paginated=True,
            page_start=n,
            page_end=n,
            section="Findings > Outcomes",
            quote=long_quote(n),
            score=0.8,
            sample=True,
        )
        for n in range(1, MANY_CITATIONS + 1)
    )
    return Answer(question, True, citations)


class LongAnswerer(Answerer):
    """The real answering core's interface, returning an answer far too big for one message."""

    def answer(
        self, question: str, filters: Filters | None = None, *, limit: int | None = None
    ) -> Answer:
        return long_answer(question)


def test_an_over_long_answer_is_split_into_valid_messages_in_the_thread(
    sample_library: Settings, web_api: SlackWebAPI, real_embedder: Any
) -> None:
    event = mention("What does the evaluation literature say about outcomes?", "1700004000.000100")
    with running_bot(
        sample_library, web_api.url, TOKEN, SECRET, real_embedder, LongAnswerer
    ) as url:
        assert timed_post(url, event, "EvLong").status == 200
        web_api.wait_for("reactions.remove", timeout=20)
    posts = web_api.calls_to("chat.postMessage")
    assert len(posts) > 1
    assert {post.params["thread_ts"] for post in posts} == {event["ts"]}
    quoted: list[int] = []
    for post in posts:
        blocks = blocks_of(post.params)
        assert len(blocks) <= 50
        assert len(post.params["text"]) < 4_000
        for block in blocks:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= 3_000
        quoted += [
            int(m.group(1))
            for block in blocks
            if block["type"] == "section"
            and (m := re.match(r"\*\[(\d+)\]\*\n>", block["text"]["text"]))
        ]
    assert quoted == list(range(1, MANY_CITATIONS + 1))  # every citation, in order, once
    with_buttons = [n for n, post in enumerate(posts) if has_buttons(post)]
    assert with_buttons == [len(posts) - 1]
    assert blocks_of(posts[-1].params)[-1]["type"] == "actions"
