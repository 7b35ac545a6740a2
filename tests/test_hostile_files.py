"""Hostile files (issue 15): each is refused or read within the caps, named with its reason, and
the run goes on. Real ingestion runs (the reader process, its memory and time caps) over files
built here: bombs, entity tricks, looping PDFs, sparse files, pipes, devices, links."""

from __future__ import annotations

import io
import os
import re
import signal
import struct
import threading
import time
import zipfile
from pathlib import Path

import pytest

from index.library import Library
from index.settings import Settings
from ingest.isolation import Reader
from ingest.job import ADDED, FAILED, RunReport, ingest
from ingest.loaded import RejectedFile
from ingest.settings import IngestSettings
from tests.support import factories
from tests.support.doubles import HashEmbedder

GOOD = "Kinship carers need a named support worker within the first month of a placement."
DOCUMENT_XML = "word/document.xml"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def run(tmp_path: Path, paths: list[Path], **limits: object) -> RunReport:
    library = Library(Settings(home=tmp_path / "library"), HashEmbedder())
    try:
        return ingest(library, paths, settings=IngestSettings(**limits))  # type: ignore[arg-type]
    finally:
        library.close()


def outcome(report: RunReport, name: str):  # type: ignore[no-untyped-def]
    (found,) = [o for o in report.outcomes if Path(o.source).name == name]
    return found


def write(path: Path, content: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return factories.write(path, content)


def good_file(folder: Path) -> Path:
    return write(folder / "good.txt", f"Kinship support\n\n{GOOD}\n")


def docx_with(path: Path, document_xml: bytes) -> Path:
    """A real Word file (python-docx's own) with its body replaced."""
    base = io.BytesIO()
    path.parent.mkdir(parents=True, exist_ok=True)
    factories.make_docx(path, ["placeholder"])
    with zipfile.ZipFile(path) as original, zipfile.ZipFile(base, "w") as copy:
        for item in original.infolist():
            data = document_xml if item.filename == DOCUMENT_XML else original.read(item)
            copy.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)
    path.write_bytes(base.getvalue())
    return path


def body(paragraphs: str, doctype: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{doctype}'
        f"<w:document {W}><w:body>{paragraphs}</w:body></w:document>"
    ).encode()


def test_a_docx_declaring_gigabytes_unpacked_is_refused_before_unpacking(tmp_path: Path) -> None:
    path = docx_with(tmp_path / "bomb.docx", body(f"<w:p><w:r><w:t>{GOOD}</w:t></w:r></w:p>"))
    data = bytearray(path.read_bytes())
    # Declare document.xml as 4 GB in the central directory (what zipfile trusts).
    for start in [m.start() for m in re.finditer(rb"PK\x01\x02", bytes(data))]:
        name_length = struct.unpack_from("<H", data, start + 28)[0]
        if data[start + 46 : start + 46 + name_length] == DOCUMENT_XML.encode():
            struct.pack_into("<I", data, start + 24, 0xFFFF0000)
    path.write_bytes(bytes(data))
    good_file(tmp_path)
    started = time.monotonic()
    report = run(tmp_path, [tmp_path / "bomb.docx", tmp_path / "good.txt"])
    refused = outcome(report, "bomb.docx")
    assert refused.status == FAILED and "decompression bomb" in refused.reason
    assert outcome(report, "good.txt").status == ADDED  # the run went on
    assert time.monotonic() - started < 30


def test_a_real_bomb_is_stopped_by_the_memory_cap(tmp_path: Path) -> None:
    """300 MB of XML packed into about 1 MB: under the size limit, over a 128 MB memory cap."""
    text = b" " * (300 * 2**20)
    xml = body(f"<w:p><w:r><w:t>{GOOD}</w:t></w:r></w:p>").replace(
        b"</w:body>", b"<w:p><w:r><w:t>" + text + b"</w:t></w:r></w:p></w:body>"
    )
    path = docx_with(tmp_path / "bomb.docx", xml)
    del text, xml
    assert path.stat().st_size < 5 * 2**20
    good_file(tmp_path)
    report = run(tmp_path, [path, tmp_path / "good.txt"], file_memory_mb=128)
    refused = outcome(report, "bomb.docx")
    assert refused.status == FAILED and "more than 128 MB of memory" in refused.reason
    assert outcome(report, "good.txt").status == ADDED


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">'
        for n in range(1, 10)
    )
    + "]>\n"
)


def test_entity_expansion_is_not_performed(tmp_path: Path) -> None:
    """The billion laughs: libxml2 refuses the Word body; the HTML reader never expands entities."""
    docx = body(f"<w:p><w:r><w:t>{GOOD} &lol9;</w:t></w:r></w:p>", LAUGHS)
    docx_with(tmp_path / "laughs.docx", docx)
    write(tmp_path / "laughs.html", f"{LAUGHS}<html><body><p>{GOOD} &lol9;</p></body></html>")
    started = time.monotonic()
    report = run(tmp_path, [tmp_path / "laughs.docx", tmp_path / "laughs.html"])
    assert time.monotonic() - started < 30
    refused = outcome(report, "laughs.docx")
    assert refused.status == FAILED and "amplification" in refused.reason
    assert outcome(report, "laughs.html").status == ADDED
    library = Library(Settings(home=tmp_path / "library"), HashEmbedder())
    try:
        (page,) = library.catalog.pages(library.catalog.documents()[0].id).values()
    finally:
        library.close()
    assert GOOD in page and "&lol9;" in page and "lollol" not in page


def test_external_entities_are_never_read(tmp_path: Path) -> None:
    secret = write(tmp_path / "outside" / "secret.txt", "TOPSECRET-4711")
    doctype = f'<!DOCTYPE d [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
    folder = tmp_path / "in"
    docx_with(folder / "xxe.docx", body(f"<w:p><w:r><w:t>{GOOD} &xxe;</w:t></w:r></w:p>", doctype))
    write(folder / "xxe.html", f"{doctype}<html><body><p>{GOOD} &xxe;</p></body></html>")
    report = run(tmp_path, [folder])
    library = Library(Settings(home=tmp_path / "library"), HashEmbedder())
    try:
        texts = [
            " ".join(library.catalog.pages(d.id).values()) for d in library.catalog.documents()
        ]
    finally:
        library.close()
    assert report.count(ADDED) == 2 and all(GOOD in text for text in texts)
    assert not any("TOPSECRET" in text for text in texts)


def pdf(objects: list[bytes]) -> bytes:
    """A PDF from raw object bodies (object 1 the catalogue) and a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, content in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, content))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"


@pytest.mark.parametrize(
    ("name", "objects"),
    [
        ("circular.pdf", [CATALOG, b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"]),
        ("deep.pdf", [b"<< /Type /Catalog /Pages 2 0 R /X %s%s >>" % (b"[" * 10**5, b"]" * 10**5),
                      b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", PAGE]),
        ("count.pdf", [CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 2000000000 >>", PAGE]),
        ("length.pdf", [CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                        b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
                        b"<< /Length 99999999999 >>\nstream\nBT ET\nendstream"]),
    ],
)  # fmt: skip
def test_looping_deep_and_lying_pdfs_are_refused_with_a_reason(
    tmp_path: Path, name: str, objects: list[bytes]
) -> None:
    (tmp_path / name).write_bytes(pdf(objects))
    good_file(tmp_path)
    started = time.monotonic()
    report = run(tmp_path, [tmp_path / name, tmp_path / "good.txt"], file_seconds=20)
    refused = outcome(report, name)
    assert refused.status == FAILED and refused.reason and refused.advice
    assert "unexpected error" not in refused.reason
    assert outcome(report, "good.txt").status == ADDED
    assert time.monotonic() - started < 60


def test_a_sparse_multi_gigabyte_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    with (tmp_path / "huge.pdf").open("wb") as huge:
        huge.truncate(3 * 2**30)
    started = time.monotonic()
    report = run(tmp_path, [tmp_path / "huge.pdf"])
    refused = outcome(report, "huge.pdf")
    assert refused.status == FAILED and "file too large: 3072.0 MB" in refused.reason
    assert time.monotonic() - started < 20


def test_pipes_and_devices_are_refused_and_nothing_blocks(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    good_file(folder)
    os.mkfifo(folder / "pipe.pdf")
    os.mkfifo(tmp_path / "named-pipe.txt")
    started = time.monotonic()
    report = run(tmp_path, [folder, tmp_path / "named-pipe.txt", Path("/dev/zero")])
    assert outcome(report, "pipe.pdf").reason.startswith("not a regular file")
    assert outcome(report, "named-pipe.txt").reason == "not a regular file (a named pipe)"
    assert outcome(report, "zero").reason == "not a regular file (a character device)"
    assert outcome(report, "good.txt").status == ADDED
    assert time.monotonic() - started < 30


def test_a_file_that_cannot_be_read_is_named_with_the_reason(tmp_path: Path) -> None:
    """/proc/self/mem is a regular file that refuses reads from its start, even to root."""
    good_file(tmp_path)
    report = run(tmp_path, [Path("/proc/self/mem"), tmp_path / "good.txt"])
    refused = outcome(report, "mem")
    assert refused.status == FAILED and refused.reason.startswith("cannot read the file")
    assert outcome(report, "good.txt").status == ADDED


def test_links_out_of_the_folder_or_in_a_loop_are_refused(tmp_path: Path) -> None:
    secret = write(tmp_path / "outside" / "secret.txt", "Outside\n\nTOPSECRET-4711 words.\n")
    folder = tmp_path / "in"
    good_file(folder)
    (folder / "escape.txt").symlink_to(secret)
    (folder / "etc").symlink_to(tmp_path / "outside", target_is_directory=True)
    (folder / "a.txt").symlink_to(folder / "b.txt")
    (folder / "b.txt").symlink_to(folder / "a.txt")
    (folder / "again.txt").symlink_to(folder / "good.txt")  # inside: the same file, once
    report = run(tmp_path, [folder])
    for name in ("escape.txt", "etc"):
        assert outcome(report, name).reason == "a symbolic link to outside the folder"
    for name in ("a.txt", "b.txt"):
        assert outcome(report, name).reason == "a symbolic link that loops or points nowhere"
    assert outcome(report, "good.txt").status == ADDED
    assert report.count(ADDED) == 1
    library = Library(Settings(home=tmp_path / "library"), HashEmbedder())
    try:
        assert not library.search("TOPSECRET-4711", mode="lexical")
    finally:
        library.close()


def test_the_time_cap_stops_a_slow_read_and_the_next_file_gets_a_fresh_reader(
    tmp_path: Path,
) -> None:
    slow = write(tmp_path / "slow.html", "<p>word</p>" * 2_000_000)  # 22 MB of tags
    with Reader(256 * 2**20, seconds=0.3) as reader:
        started = time.monotonic()
        with pytest.raises(RejectedFile, match=r"took longer than 0\.3 s"):
            reader.load(slow, 100 * 2**20)
        assert time.monotonic() - started < 10
        reader.seconds = 30
        assert GOOD in reader.load(good_file(tmp_path), 2**20).pages[0]


def test_a_reader_that_dies_mid_file_is_reported_and_replaced(tmp_path: Path) -> None:
    slow = write(tmp_path / "slow.html", "<p>word</p>" * 2_000_000)
    with Reader(256 * 2**20, seconds=60) as reader:
        reader.load(good_file(tmp_path), 2**20)  # started
        pid = reader._process.pid
        threading.Timer(0.3, os.kill, (pid, signal.SIGKILL)).start()
        with pytest.raises(RejectedFile, match="the reader stopped while reading it"):
            reader.load(slow, 100 * 2**20)
        assert GOOD in reader.load(tmp_path / "good.txt", 2**20).pages[0]


def test_names_and_titles_with_control_sequences_never_reach_the_terminal_raw(
    tmp_path: Path, real_embedder: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from evidence.cli import run as evidence

    folder = tmp_path / "in"
    good_file(folder)
    write(folder / "clear\x1b[2J\x1b]0;owned\x07.txt", f"Title \x1b[31mred\x9b0m\n\n{GOOD}\n")
    write(folder / "new\nline\u202eevil.txt", "")  # empty: refused, its name in the summary
    status = evidence(["--home", str(tmp_path / "library"), "ingest", "--no-progress", str(folder)],
                      {"HF_HUB_OFFLINE": "1"})  # fmt: skip
    shown = capsys.readouterr()
    assert status == 1  # one file failed; the others were added
    assert shown.out.splitlines()[-2].split()[:1] == ["2"]  # added
    for stream in (shown.out, shown.err):
        assert not any(char in stream for char in "\x1b\x07\x9b\u202e"), stream
    assert "clear\\u001b[2J\\u001b]0;owned\\u0007.txt" in shown.out
    assert "new\\u000aline\\u202eevil.txt" in shown.out  # one line: no forged summary rows
    capsys.readouterr()
    evidence(["--home", str(tmp_path / "library"), "docs", "list"], {"HF_HUB_OFFLINE": "1"})
    listed = capsys.readouterr().out
    assert "\x1b" not in listed and "clear\\u001b[2J" in listed
