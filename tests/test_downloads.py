"""Fetching files staff send (issue 15): only from the platform's hosts, bounded, never as a path.

Two real HTTP servers on 127.0.0.1: the "platform" one is on the allow-list, the other plays any
host a crafted link might name. A server records every request, so a test can show the other one
was never asked and never saw the token.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot import wording
from bot.hosts import Hosts
from bot.uploads import Rules, SentFile, download, safe_name

TOKEN = "xoxb-secret-token"
MB = 1024 * 1024


class FileServer(ThreadingHTTPServer):
    """Serves `routes` (path -> handler function); records (path, Authorization) per request."""

    daemon_threads = True
    block_on_close = False  # a handler still trickling after the client gave up is not waited for

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, object] = {}
        self.seen: list[tuple[str, str | None]] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"


class _Handler(BaseHTTPRequestHandler):
    server: FileServer

    def do_GET(self) -> None:
        self.server.seen.append((self.path, self.headers.get("Authorization")))
        route = self.server.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        route(self)  # type: ignore[operator]

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


def serve_bytes(data: bytes, kind: str = "application/pdf", declared: int | None = None):
    def handler(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", kind)
        request.send_header("Content-Length", str(declared if declared is not None else len(data)))
        request.end_headers()
        request.wfile.write(data)

    return handler


def serve_unsized(chunks: int, chunk: bytes, pause: float = 0.0):
    """No Content-Length: the body runs until the connection closes, as much as the server likes."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "application/pdf")
        request.send_header("Connection", "close")
        request.end_headers()
        try:
            for _ in range(chunks):
                request.wfile.write(chunk)
                request.wfile.flush()
                time.sleep(pause)
        except OSError:  # the client stopped reading: as it should
            pass
        request.close_connection = True

    return handler


def redirect_to(url: str):
    def handler(request: BaseHTTPRequestHandler) -> None:
        request.send_response(302)
        request.send_header("Location", url)
        request.send_header("Content-Length", "0")
        request.end_headers()

    return handler


@pytest.fixture
def servers() -> Iterator[tuple[FileServer, FileServer]]:
    platform, other = FileServer(), FileServer()
    yield platform, other
    for server in (platform, other):
        server.shutdown()
        server.server_close()


def rules_for(server: FileServer, seconds: float = 30.0) -> Rules:
    return Rules(Hosts.parse(f"http://127.0.0.1:{server.server_port}"), seconds)


def fetch(url: str, target: Path, rules: Rules, max_bytes: int = MB) -> str | None:
    return download(SentFile("report.pdf", url, "F1", TOKEN), target, max_bytes, "slack", rules)


def test_the_allow_list_takes_listed_hosts_over_https_only() -> None:
    hosts = Hosts.parse("files.slack.com, *.sharepoint.com, http://127.0.0.1:8080")
    assert hosts.allows("https://files.slack.com/files-pri/T1-F1/download/a.pdf")
    assert hosts.allows("https://contoso-my.sharepoint.com/personal/x/a.docx?tempauth=1")
    assert hosts.allows("http://127.0.0.1:8080/a.pdf")
    for url in (
        "http://files.slack.com/a.pdf",  # not https
        "https://files.slack.com.evil.example/a.pdf",
        "https://evilfiles.slack.com/a.pdf",
        "https://files.slack.com@evil.example/a.pdf",  # the real host is evil.example
        "https://user:pw@files.slack.com/a.pdf",
        "https://sharepoint.com/a.docx",  # the wildcard wants a sub-domain
        "https://evil.example/?files.slack.com",
        "https://files.slack.com:8443/a.pdf",  # another port
        "http://127.0.0.1:8081/a.pdf",
        "https://[::1/a.pdf",  # unreadable
        "file:///etc/passwd",
        "",
    ):
        assert not hosts.allows(url), url


def test_a_link_to_another_host_is_refused_unasked_and_logged_without_the_token(
    servers: tuple[FileServer, FileServer], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    platform, other = servers
    other.routes["/internal/secret?sig=abc"] = serve_bytes(b"%PDF-1.4 internal")
    with caplog.at_level(logging.WARNING, logger="bot.uploads"):
        problem = fetch(
            f"{other.base}/internal/secret?sig=abc", tmp_path / "f.pdf", rules_for(platform)
        )
    assert problem == wording.NOT_FROM_PLATFORM.format(platform="Slack")
    assert other.seen == [] and platform.seen == []
    assert not (tmp_path / "f.pdf").exists()
    assert "127.0.0.1" in caplog.text
    assert (
        TOKEN not in caplog.text and "sig=abc" not in caplog.text and "/internal" not in caplog.text
    )


def test_a_redirect_off_the_platform_is_not_followed(
    servers: tuple[FileServer, FileServer], tmp_path: Path
) -> None:
    platform, other = servers
    other.routes["/steal"] = serve_bytes(b"%PDF-1.4 x")
    platform.routes["/files/a.pdf"] = redirect_to(f"{other.base}/steal")
    problem = fetch(f"{platform.base}/files/a.pdf", tmp_path / "f.pdf", rules_for(platform))
    assert problem == wording.REDIRECTED.format(platform="Slack")
    assert other.seen == []  # never asked, so never given the token
    assert platform.seen == [("/files/a.pdf", f"Bearer {TOKEN}")]


def test_a_redirect_within_the_platform_is_followed(
    servers: tuple[FileServer, FileServer], tmp_path: Path
) -> None:
    platform, _ = servers
    platform.routes["/files/a.pdf"] = redirect_to(f"{platform.base}/origin/a.pdf")
    platform.routes["/origin/a.pdf"] = serve_bytes(b"%PDF-1.4 the report")
    assert fetch(f"{platform.base}/files/a.pdf", tmp_path / "f.pdf", rules_for(platform)) is None
    assert (tmp_path / "f.pdf").read_bytes() == b"%PDF-1.4 the report"


def test_the_size_cap_is_counted_while_streaming(
    servers: tuple[FileServer, FileServer], tmp_path: Path
) -> None:
    platform, _ = servers
    platform.routes["/unsized"] = serve_unsized(64, b"%" * 65536)  # 4 MB, no declared size
    problem = fetch(f"{platform.base}/unsized", tmp_path / "f.pdf", rules_for(platform), MB)
    assert problem == wording.TOO_BIG.format(mb=1)
    assert list(tmp_path.iterdir()) == []  # no partial file left behind


def test_a_declared_size_over_the_cap_is_refused_before_reading(
    servers: tuple[FileServer, FileServer], tmp_path: Path
) -> None:
    platform, _ = servers
    platform.routes["/huge"] = serve_bytes(b"%PDF", declared=50 * MB)
    started = time.monotonic()
    problem = fetch(f"{platform.base}/huge", tmp_path / "f.pdf", rules_for(platform), MB)
    assert problem == wording.TOO_BIG.format(mb=1)
    assert time.monotonic() - started < 10  # refused at once, not after waiting for 50 MB


def test_a_trickling_download_is_stopped_at_the_time_limit(
    servers: tuple[FileServer, FileServer], tmp_path: Path
) -> None:
    platform, _ = servers
    platform.routes["/slow"] = serve_unsized(100, b"%PDF" * 256, pause=0.1)  # 10 s in all
    problem = fetch(f"{platform.base}/slow", tmp_path / "f.pdf", rules_for(platform, seconds=1.0))
    assert problem == wording.TOO_SLOW
    assert list(tmp_path.iterdir()) == []


def test_an_error_is_reported_without_the_link(
    servers: tuple[FileServer, FileServer], tmp_path: Path
) -> None:
    platform, _ = servers
    problem = fetch(f"{platform.base}/gone?tempauth=xyz", tmp_path / "f.pdf", rules_for(platform))
    assert problem == wording.NOT_DOWNLOADED.format(error="HTTP 404")


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd", "etc_passwd"),
        ("..", "file"),
        ("report\n\rinjected.pdf", "report_injected.pdf"),
        ("\x1b[2J\x1b]0;owned\x07report.pdf", "2J_0_owned_report.pdf"),
        ("C:\\Windows\\system32\\x.docx", "C_Windows_system32_x.docx"),
        ("x" * 300 + ".pdf", "x" * 96 + ".pdf"),
        ("relatório final.pdf", "relat_rio_final.pdf"),
    ],
)
def test_a_sent_file_name_is_never_a_path_or_a_control_sequence(sent: str, kept: str) -> None:
    assert safe_name(sent) == kept
