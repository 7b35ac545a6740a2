"""The Slack bot served over real HTTP on 127.0.0.1, for tests and the latency benchmark."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bot.answering import Answerer
from bot.desk import Desk
from bot.records.answers import AnswerLog
from bot.records.deliveries import Deliveries
from bot.slack.app import build_app
from bot.slack.http import make_http_server
from bot.slack.settings import SlackSettings
from index.library import Library
from index.settings import Settings
from ingest.settings import IngestSettings

# The credentials the bot under test and the Web API double share.
TOKEN = "xoxb-test-token"
SECRET = "test-signing-secret"

# Practice questions the sample library answers, for load tests and the latency benchmark.
QUESTIONS = (
    "Do family group conferences reduce the number of children entering care?",
    "What helps social workers stay in their jobs?",
    "How should a team lead run reflective supervision?",
    "What should happen when a referral comes in to the front door?",
    "How should kinship carers be involved before a child is removed from home?",
    "Does group supervision improve decision-making?",
    "What did the evaluation find about the cost of family group conferences?",
    "How quickly should a referral be screened at the front door?",
    "When should information be shared with other agencies about a referral?",
    "What makes supervision feel safe for newly qualified social workers?",
    "How can managers reduce burnout and caseload pressure?",
    "Who should be invited to a family group conference?",
    "What is the role of the family network before care proceedings?",
    "How do team managers record decisions made in supervision?",
    "What are the duties of the local authority during an assessment?",
    "Does flexible working help retain experienced practitioners?",
    "How should practitioners talk to parents about a referral?",
    "What does good case discussion in a group look like?",
    "How can a family plan keep a child safely at home?",
    "What support do kinship carers need once a child moves in?",
    "What should a manager check before closing a referral with no further action?",
    "How can reflective supervision help with secondary trauma?",
    "What does the evidence say about peer support for new social workers?",
    "How should the family be prepared for a family group conference?",
    "What information does the front door need from a referrer?",
)


@contextmanager
def running_bot(
    home: Settings,
    api_url: str,
    token: str,
    secret: str,
    embedder: Any,
    answerer_type: type[Answerer] = Answerer,
    **build_options: Any,
) -> Iterator[str]:
    """One bot process (its own Library and HTTP server) on a free port; yields the events URL."""
    settings = home
    slack = SlackSettings(
        api_url=api_url, bot_token=token, signing_secret=secret, file_hosts="http://127.0.0.1:*"
    )
    library = Library(settings, embedder)
    app = build_app(
        slack,
        settings.home / "inbox",
        IngestSettings().max_bytes,
        Desk(answerer_type(library, settings.min_score), AnswerLog(library.catalog)),
        Deliveries(library.catalog),
        **build_options,
    )
    server = make_http_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/slack/events"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        library.close()
