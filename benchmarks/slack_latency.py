"""Slack latency benchmark: ack time and time to answer for a burst of @mentions over real HTTP.

Run from the repository root: `python -m benchmarks.slack_latency` (`--concurrency 50` by default).
It builds the sample library in a temporary folder (or opens `--home`), starts the Slack Web API
double from `tests/slack_web_api.py` and the bot's own HTTP server on 127.0.0.1, answers one warm-up
mention, then sends `--concurrency` signed `app_mention` deliveries at once, each a different
question in its own thread. It prints a table and writes the numbers to a JSON file.

- ack: from sending a delivery to its HTTP response (Slack wants 200 within 3 s, or it retries).
- time to answer: from sending to the matching `chat.postMessage` reaching the double.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
CHANNEL = "CBENCH"
ACK_DEADLINE = 3.0
VARIATIONS = ("{q}", "Quick one: {q}", "For our team meeting: {q}", "{q} Thanks!")

Result = dict[str, Any]


def questions(count: int) -> list[str]:
    """`count` distinct questions: the list, then again with a different opening or ending."""
    from tests.support.slack_bot import QUESTIONS

    out = []
    for n in range(count):
        question = QUESTIONS[n % len(QUESTIONS)]
        variation = VARIATIONS[(n // len(QUESTIONS)) % len(VARIATIONS)]
        text = variation.format(q=question)
        repeat = n // (len(QUESTIONS) * len(VARIATIONS))
        out.append(text + (f" (asked again, {repeat})" if repeat else ""))
    return out


@dataclass(frozen=True)
class Delivery:
    ts: str
    question: str
    sent_at: float  # time.monotonic(), the clock the double stamps calls with
    ack_seconds: float
    status: int | str  # HTTP status, or the connection error Slack would count as a failure


def percentiles(values: Sequence[float]) -> Result:
    import numpy as np

    if not values:
        return {"count": 0}
    array = np.asarray(values)
    return {
        "count": len(values),
        "p50": float(np.percentile(array, 50)),
        "p95": float(np.percentile(array, 95)),
        "max": float(array.max()),
        "mean": float(array.mean()),
    }


def build_library(home: Path, embedder: Any) -> Result:
    from index.library import Library
    from index.settings import Settings
    from ingest.job import ingest

    start = time.perf_counter()
    library = Library(Settings(home=home), embedder)
    report = ingest(library, [REPO / "samples"])
    library.close()
    return {"added": report.count("added"), "seconds": time.perf_counter() - start}


def serve_bot(home: Path, api_url: str, embedder: Any) -> Any:
    """The bot as `evidence slack serve` runs it, on a free port; yields its events URL."""
    from index.settings import Settings
    from tests.support.slack_bot import running_bot

    return running_bot(Settings(home=home), api_url, TOKEN, SECRET, embedder)


def deliver(url: str, question: str, ts: str) -> Delivery:
    from tests.support import slack_requests as slack

    event = slack.app_mention_event(f"<@UBOT> {question}", user="U123", channel=CHANNEL, ts=ts)
    body = slack.event_callback(event, event_id=f"EvBench{ts.replace('.', '')}")
    sent_at, start = time.monotonic(), time.perf_counter()
    try:
        status: int | str = slack.signed_post(url, body, "application/json", SECRET)[0]
    except OSError as error:
        status = repr(error)
    return Delivery(ts, question, sent_at, time.perf_counter() - start, status)


def burst(url: str, asked: Sequence[str]) -> list[Delivery]:
    """Every question delivered at the same moment, each from its own thread."""
    start = threading.Barrier(len(asked))

    def send(n: int) -> Delivery:
        start.wait()
        return deliver(url, asked[n], f"1700100000.{n:06d}")

    with ThreadPoolExecutor(max_workers=len(asked)) as pool:
        return list(pool.map(send, range(len(asked))))


def answers_by_thread(api: Any, wanted: set[str], timeout: float) -> dict[str, Any]:
    """The first chat.postMessage in each wanted thread, waiting up to `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found: dict[str, Any] = {}
        for call in api.calls_to("chat.postMessage"):
            thread = call.params.get("thread_ts")
            if thread in wanted and call.status == 200:
                found.setdefault(thread, call)
        if len(found) == len(wanted) or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def run(args: argparse.Namespace, home: Path) -> Result:
    from benchmarks.speed_report import commit
    from bot.wording import FAILED
    from index.embedding.torch_backend import SentenceEmbedder
    from index.settings import DEFAULT_MODEL
    from tests.support.slack_web_api import SlackWebAPI

    results: Result = {"commit": commit(REPO), "concurrency": args.concurrency}
    start = time.perf_counter()
    embedder = SentenceEmbedder(DEFAULT_MODEL)
    embedder.embed(["warm up"])
    results["model_load_seconds"] = time.perf_counter() - start
    if args.home is None:
        results["library"] = build_library(home, embedder)
    with SlackWebAPI(bot_token=TOKEN) as api, serve_bot(home, api.url, embedder) as url:
        warm = deliver(url, "What helps social workers stay in their jobs?", "1700000000.000001")
        first = answers_by_thread(api, {warm.ts}, args.timeout).get(warm.ts)
        results["warm_up"] = {
            "ack_seconds": warm.ack_seconds,
            "answer_seconds": first.received_at - warm.sent_at if first else None,
        }
        asked = questions(args.concurrency)
        load_before = os.getloadavg()
        deliveries = burst(url, asked)
        delivered = [d for d in deliveries if d.status == 200]
        posts = answers_by_thread(api, {d.ts for d in delivered}, args.timeout)
        load_after = os.getloadavg()
        time.sleep(0.5)  # anything still posting (a duplicate, a second part) shows up too
        threads = Counter(c.params.get("thread_ts") for c in api.calls_to("chat.postMessage"))
    acks = [d.ack_seconds for d in delivered]
    waits = [posts[d.ts].received_at - d.sent_at for d in delivered if d.ts in posts]
    results["ack"] = {
        **percentiles(acks),
        "over_deadline": sum(s >= ACK_DEADLINE for s in acks),
        "failed": dict(Counter(str(d.status) for d in deliveries if d.status != 200)),
    }
    results["answer"] = {
        **percentiles(waits),
        "missing": len(delivered) - len(waits),
        "failed_text": sum(posts[t].params.get("text") == FAILED for t in posts),
        "threads_with_more_than_one_post": sum(n > 1 for t, n in threads.items() if t in posts),
    }
    results["machine"] = {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "load_average_before": load_before,
        "load_average_after": load_after,
    }
    results["total_seconds"] = time.perf_counter() - start
    return results


def table(results: Result) -> str:
    def stats(r: Result) -> str:
        if not r.get("count"):
            return "none"
        return f"{r['p50']:.2f} / {r['p95']:.2f} / {r['max']:.2f} s  (n={r['count']})"

    ack, answer, info = results["ack"], results["answer"], results["machine"]
    warm = results["warm_up"]
    failed = sum(ack["failed"].values())
    load = " → ".join(
        "/".join(f"{x:.2f}" for x in info[k]) for k in ("load_average_before", "load_average_after")
    )
    seconds = warm["answer_seconds"]
    warm_answer = "no answer" if seconds is None else f"{seconds:.2f} s"
    rows = [
        ("concurrent mentions", str(results["concurrency"])),
        ("warm-up ack / answer", f"{warm['ack_seconds']:.2f} s / {warm_answer}"),
        ("ack p50 / p95 / max", stats(ack)),
        (f"acks ≥ {ACK_DEADLINE:.0f} s", str(ack["over_deadline"])),
        ("deliveries failed (no HTTP 200)", str(failed)),
        *((f"  {reason}", str(n)) for reason, n in ack["failed"].items()),
        ("time to answer p50 / p95 / max", stats(answer)),
        ("answers missing / 'went wrong'", f"{answer['missing']} / {answer['failed_text']}"),
        ("cpus (usable)", f"{info['cpu_count']} ({info['cpus_usable']})"),
        ("load average (1/5/15 min)", load),
        ("total", f"{results['total_seconds']:.1f} s"),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=50, help="mentions sent at once")
    parser.add_argument("--home", type=Path, help="an existing library (default: build samples)")
    parser.add_argument("--out", type=Path, default=Path("bench-results/slack_latency.json"))
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="seconds to wait for all the answers"
    )
    args = parser.parse_args(argv)
    if args.concurrency < 1:
        parser.error("--concurrency must be at least 1")
    if args.home is not None and not args.home.is_dir():
        parser.error(f"--home {args.home} is not a folder; build one with `evidence ingest`")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ["HF_HUB_OFFLINE"] = "1"  # the bundled model only; never reach for the Hub
    if args.home is not None:
        results = run(args, args.home)
    else:
        with tempfile.TemporaryDirectory(prefix="slack-latency-") as work:
            results = run(args, Path(work) / "library")
    print(table(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
