"""Faults (issue 15): the disk filling up while the library is written; the catalog going away
while the bot answers. Real ones: a small tmpfs as the library folder, and a TCP proxy in front
of PostgreSQL that the test cuts and restores (the database itself keeps running for the rest of
the suite)."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import wording
from index import LibraryFull
from index.library import Library
from index.settings import Settings
from ingest.job import ingest
from tests.support import slack_requests as slack
from tests.support.doubles import HashEmbedder
from tests.support.samples import SampleLibraries, hash_embedder
from tests.support.slack_bot import SECRET, TOKEN, running_bot
from tests.support.slack_web_api import SlackWebAPI
from tests.support.tcp_proxy import TcpProxy


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB filesystem of its own (tmpfs), so filling it fills nothing else."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if mounted.returncode:
        pytest.skip(f"mounting a tmpfs needs root (CAP_SYS_ADMIN): {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def write_texts(folder: Path, names: list[str], paragraphs: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        text = "\n\n".join(
            f"Paragraph {i} on {name}: managers review {name} plans with families every week."
            for i in range(paragraphs)
        )
        (folder / f"{name}.txt").write_text(f"{name.upper()} STUDY\n\n{text}\n", encoding="utf-8")


@pytest.mark.parametrize("catalog", ["sqlite", "postgresql"])
def test_a_full_disk_while_writing_leaves_the_library_as_it_was(
    small_disk: Path, tmp_path: Path, catalog: str, request: pytest.FixtureRequest
) -> None:
    """The disk is filled (a ballast file) after a first version; a run that needs more space
    fails with the advice, the library stays as it was, and once the space is freed the same run
    goes through. SQLite: the catalog is on the full disk too; PostgreSQL: the index files only."""
    url = request.getfixturevalue("postgres_url") if catalog == "postgresql" else None
    settings = Settings(home=small_disk / "library", database_url=url)
    folder = tmp_path / "evidence"
    write_texts(folder, ["supervision", "kinship"], 5)
    first = Library(settings, HashEmbedder())
    assert ingest(first, [folder]).index_version == 1
    first.close()
    ballast = small_disk / "ballast"
    ballast.write_bytes(b"\0" * (shutil.disk_usage(small_disk).free - 48 * 1024))

    write_texts(folder, [f"report{i}" for i in range(6)], 200)
    writer = Library(settings, HashEmbedder())
    with pytest.raises(LibraryFull) as full:
        ingest(writer, [folder])
    writer.close()
    message = str(full.value)
    assert "no space left" in message and "Free some space" in message
    assert "the library is as it was (index version 1)" in message
    assert not list((small_disk / "library" / "index").glob(".*partial*"))  # nothing half-written

    reader = Library(settings, HashEmbedder())
    try:
        assert reader.current() is not None and reader.current().version == 1  # type: ignore[union-attr]
        titles = {p.meta.title for p in reader.search("supervision plans", limit=5)}
        assert "SUPERVISION STUDY" in titles
        assert len(reader.catalog.documents()) == 2
    finally:
        reader.close()

    ballast.unlink()  # space freed: the same run goes through
    again = Library(settings, HashEmbedder())
    try:
        report = ingest(again, [folder])
        assert report.count("failed") == 0 and report.index_version == 2
        assert len(again.catalog.documents()) == 8
    finally:
        again.close()


QUESTION = "Do family group conferences reduce the number of children entering care?"


def test_the_catalog_going_away_mid_conversation_gets_try_again_then_recovers(
    sample_libraries: SampleLibraries, postgres_server: str, tmp_path: Path
) -> None:
    """PostgreSQL stops (every connection closed, the port refused) while the Slack bot runs:
    the question asked meanwhile is told to try again, promptly; once it is back the next
    question is answered, by the same bot process."""
    from sqlalchemy import make_url

    settings = sample_libraries.copy(
        Settings(home=tmp_path / "library", database_url=postgres_server)
    )
    url = make_url(settings.database_url or "")
    with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        proxied = settings.model_copy(update={"database_url": through})
        with (
            SlackWebAPI(bot_token=TOKEN) as web_api,
            running_bot(proxied, web_api.url, TOKEN, SECRET, hash_embedder()) as bot_url,
        ):

            def ask(n: int) -> str:
                event = slack.im_message_event(
                    QUESTION, user="U1", channel="D1", ts=f"17000000{n}.1"
                )
                status, _ = slack.signed_post(
                    bot_url, slack.event_callback(event, event_id=f"Ev{n}"), "application/json",
                    SECRET,
                )  # fmt: skip
                assert status == 200
                reply = web_api.wait_for("chat.postMessage", count=n, timeout=30)[-1]
                return str(reply.params.get("text", "")) + str(reply.params.get("blocks", ""))

            assert "family group conference" in ask(1).casefold()
            proxy.cut()
            started = time.monotonic()
            assert wording.FAILED in ask(2)
            assert time.monotonic() - started < 30
            proxy.restore()
            assert "family group conference" in ask(3).casefold()
    sample_libraries.drop_copies()
