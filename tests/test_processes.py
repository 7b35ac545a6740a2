"""Several answering processes share one PostgreSQL library while ingestion publishes new versions.

Every process keeps answering throughout; each answer quotes one edition of the documents only
(never a mix of two index versions), none fails, and every process ends on the newest version
without a restart. Two processes share the writer's home folder; the third has its own, as a
second host would, and builds each new version from the catalog.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_ADMIN  # noqa: F401  (the server the fixtures use)

ROOT = Path(__file__).resolve().parents[1]
TOPICS = {
    "kinship": "Kinship carers need steady support with money, training and respite.",
    "supervision": "Reflective supervision helps social workers make safe decisions.",
    "retention": "Manageable caseloads help social workers stay in their jobs.",
    "referral": "A referral at the front door is screened within one working day.",
    "conference": "A family group conference brings the wider family together to plan.",
    "burnout": "Peer support and flexible working reduce burnout in children's teams.",
}
QUESTIONS = (
    "What support do kinship carers need?",
    "How does reflective supervision help decisions?",
    "What helps social workers stay in their jobs?",
    "How fast is a referral screened at the front door?",
    "Who comes to a family group conference?",
    "What reduces burnout in children's teams?",
)
EDITIONS = 3  # the first before the processes start, two published while they answer
MARKER = re.compile(r"\bedition(\d)\b")


def write_edition(folder: Path, edition: int) -> None:
    """Every sentence of every document names its edition, so each quote shows its version."""
    for path in folder.glob("*.md"):
        path.unlink()
    topics = list(TOPICS.items())
    # Each edition drops one document and keeps the rest, rewritten: replaced and removed both.
    for number, (topic, sentence) in enumerate(topics):
        if number == edition % len(topics):
            continue
        body = " ".join(f"In edition{edition} {sentence.lower()}" for _ in range(3))
        (folder / f"{topic}.md").write_text(
            f"# {topic.title()} edition{edition}\n\n{body}\n", encoding="utf-8"
        )


def run(mode: str, home: Path, url: str, *rest: str, **options: object) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tests.support.bot_process", mode, str(home), url, *rest]
    return subprocess.Popen(command, cwd=ROOT, text=True, **options)  # type: ignore[call-overload]


def ingest(home: Path, url: str, folder: Path) -> int:
    process = run("ingest", home, url, str(folder), stdout=subprocess.PIPE)
    out, _ = process.communicate(timeout=60)
    result = json.loads(out.strip().splitlines()[-1])
    assert process.returncode == 0 and not result["failed"], out
    return int(result["version"])


class Asker(threading.Thread):
    """Asks one process question after question until told to stop; keeps every reply."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        super().__init__(daemon=True)
        self.process = process
        self.replies: list[dict[str, object]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        number = 0
        while not self.stop.is_set():
            self.process.stdin.write(QUESTIONS[number % len(QUESTIONS)] + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
            if not line:
                self.replies.append({"error": "the process ended"})
                return
            self.replies.append(json.loads(line))
            number += 1

    def editions(self) -> list[set[str]]:
        return [
            {m for q in reply.get("quotes", []) for m in MARKER.findall(str(q))}
            for reply in self.replies
        ]


@pytest.mark.postgres
def test_three_processes_answer_throughout_publishes(postgres_url: str, tmp_path: Path) -> None:
    folder, shared_home, other_home = tmp_path / "docs", tmp_path / "home", tmp_path / "host2"
    folder.mkdir()
    write_edition(folder, 1)
    assert ingest(shared_home, postgres_url, folder) == 1
    homes = (shared_home, shared_home, other_home)
    processes = [
        run("answer", home, postgres_url, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        for home in homes
    ]
    askers = [Asker(p) for p in processes]
    try:
        for asker in askers:
            asker.start()
        deadline = time.monotonic() + 30
        while min(len(a.replies) for a in askers) < 5 and time.monotonic() < deadline:
            time.sleep(0.1)
        for edition in range(2, EDITIONS + 1):
            write_edition(folder, edition)
            assert ingest(shared_home, postgres_url, folder) == edition
            time.sleep(0.5)
        counts = [len(a.replies) for a in askers]
        deadline = time.monotonic() + 30
        while any(len(a.replies) < c + 5 for a, c in zip(askers, counts, strict=True)):
            assert time.monotonic() < deadline, "the processes stopped answering"
            time.sleep(0.1)
    finally:
        for asker in askers:
            asker.stop.set()
        for asker in askers:
            asker.join(timeout=10)
        for process in processes:
            process.kill()
            process.communicate()  # reaps it and closes its pipes
    for asker in askers:
        errors = [r["error"] for r in asker.replies if "error" in r]
        assert not errors, errors
        editions = asker.editions()
        bad = [(i, s, asker.replies[i]) for i, s in enumerate(editions) if len(s) != 1]
        assert not bad, ("an answer mixed two versions", len(editions), bad[:2])
        assert editions[0] == {"1"} and editions[-1] == {str(EDITIONS)}
        firsts = [int(next(iter(seen))) for seen in editions]
        assert firsts == sorted(firsts), "an answer went back to an older version"
