"""Reading files in a separate process with a memory cap and a time cap per file.

A hostile or broken file (a decompression bomb, a PDF whose object graph loops or nests without
end, a parser that crashes) then costs the reader process, not the ingest run: past the cap the
reader is stopped, the file is refused with the reason, and the next file gets a fresh reader.
The reader is forked from the forkserver (a small single-threaded process with the parsers
imported), never from the main process, which holds the model and its threads.

The memory cap is an address-space limit (`RLIMIT_AS`) above what the reader starts with; where
the platform has no such limit (not Linux), only the time cap applies. The time cap counts from
the last sign of progress: each page recognised from a scan starts it again, so a long scan is
read to the end while a reader stuck on one file is still stopped.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ingest.loaded import LoadedDocument, RejectedFile
from ingest.loading import NO_OCR, load_file
from ingest.ocr import OcrSettings, preloads

log = logging.getLogger(__name__)
PRELOAD = ["ingest.loading", "ingest.loaders.pdf", "ingest.loaders.docx", "ingest.loaders.html"]


class Reader:
    """One reader process, started on first use; `close()` (or `with`) ends it."""

    def __init__(self, memory_bytes: int, seconds: float, ocr: str = "off") -> None:
        self.memory_bytes = memory_bytes
        self.seconds = seconds
        self.ocr = ocr  # the EVIDENCE_OCR choice: its engine's libraries are loaded up front
        self._process: Any = None
        self._connection: Connection | None = None

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def load(self, path: Path, max_bytes: int, ocr: OcrSettings = NO_OCR) -> LoadedDocument:
        """`load_file(path, max_bytes, ocr)` in the reader process.

        Raises:
            RejectedFile: the loader's own refusals, and a file past the memory or time cap or
                one the reader died on.
        """
        connection = self._connection or self._start()
        connection.send((str(path), max_bytes, ocr))
        status, value = self._reply(connection)
        if status == "ok":
            return value
        if status == "memory":
            self._stop()  # a fresh reader for the next file, its memory whole again
            raise RejectedFile(
                f"reading it needed more than {self.memory_bytes // 2**20} MB of memory",
                "it may be a decompression bomb; if it is a genuine large document, split it or "
                "raise EVIDENCE_FILE_MEMORY_MB",
            )
        reason, advice = value
        raise RejectedFile(reason, advice)

    def _reply(self, connection: Connection) -> tuple[str, Any]:
        """The reader's answer, waiting up to the time cap since it last recognised a page."""
        deadline = time.monotonic() + self.seconds
        while True:
            if not connection.poll(max(0.0, deadline - time.monotonic())):
                self._stop()
                raise RejectedFile(
                    f"reading it took longer than {self.seconds:g} s, so it was stopped",
                    "check the file opens normally; if it is simply huge, split it or raise "
                    "EVIDENCE_FILE_SECONDS",
                )
            try:
                status, value = connection.recv()
            except (EOFError, OSError):  # the reader died: a crash, or the system stopped it
                code = self._stop()
                raise RejectedFile(
                    f"the reader stopped while reading it (exit {code})",
                    "the file is probably damaged or built to break readers: re-save it from "
                    "the original application",
                ) from None
            if status != "page":
                return status, value
            deadline = time.monotonic() + self.seconds  # a page recognised: progress

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(OSError):
                self._connection.send(None)
        self._stop(wait=5.0)

    def _start(self) -> Connection:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD + preloads(self.ocr))
        # One malloc arena per thread reserves address space that the memory cap counts: two
        # pages recognised at once by RapidOCR peak at 1.8 GB with them, 1.15 GB with two.
        os.environ.setdefault("MALLOC_ARENA_MAX", "2")
        ours, theirs = context.Pipe()
        process = context.Process(
            target=_serve, args=(theirs, self.memory_bytes), name="evidence-reader", daemon=True
        )
        process.start()
        theirs.close()
        self._process, self._connection = process, ours
        return ours

    def _stop(self, wait: float = 0.0) -> int | None:
        process, connection = self._process, self._connection
        self._process = self._connection = None
        if process is None:
            return None
        if wait:
            process.join(wait)
        if process.is_alive():
            process.kill()
        process.join()
        code: int | None = process.exitcode
        process.close()
        if connection is not None:
            connection.close()
        return code


def _serve(connection: Connection, memory_bytes: int) -> None:
    """The reader's loop: (path, max_bytes, ocr) in, ("ok" | "rejected" | "memory", value) out,
    after a ("page", n) for each page recognised from a scan."""
    _cap_memory(memory_bytes)

    def recognised(number: int) -> None:
        connection.send(("page", number))

    while True:
        try:
            request = connection.recv()
        except EOFError:
            return
        if request is None:
            return
        path, max_bytes, ocr = request
        try:
            reply: tuple[str, Any] = ("ok", load_file(Path(path), max_bytes, ocr, recognised))
        except RejectedFile as refused:
            reply = ("rejected", (refused.reason, refused.advice))
        except MemoryError:
            reply = ("memory", None)
        except Exception as error:  # load_file turns parser errors into refusals; this is a bug
            reply = ("rejected", (f"unexpected error while reading it ({error!r})"[:200],
                                  "please report this file to the maintainers"))  # fmt: skip
        try:
            connection.send(reply)
        except MemoryError:  # the document read, but is too big to hand back
            connection.send(("memory", None))
        except OSError:  # the run that asked has gone (killed): so does its reader
            return


def _cap_memory(memory_bytes: int) -> None:
    try:
        import resource

        pages = int(Path("/proc/self/statm").read_text().split()[0])
        in_use = pages * os.sysconf("SC_PAGE_SIZE")
    except (ImportError, OSError, ValueError):
        log.info("no memory cap for the reader on this platform; the time cap still applies")
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = in_use + memory_bytes
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
