"""Generators of fixture files (PDF, DOCX, HTML, Markdown, odd binaries) for tests.

Every function writes into a path the caller chooses (normally under pytest's `tmp_path`) and
returns that path, so tests never depend on files checked into the repository.
PDFs use fpdf2's core Helvetica font, so their text must be Latin-1.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import docx
import fpdf
import pypdf
from PIL import Image, ImageDraw

_WORDS = (
    "child family social worker plan review visit carer school health support risk safety "
    "assessment meeting record decision manager team court placement contact wishes feelings "
    "relationship advocate service partner agency practice outcome evidence consent home"
).split()


def prose(sentences: int, seed: int = 0) -> str:
    """Distinct, deterministic sentences of care vocabulary, for bodies that never repeat."""
    rng = random.Random(seed)
    made = []
    for _ in range(sentences):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 16))]
        made.append(" ".join(words).capitalize() + ".")
    return " ".join(made)


class _Pdf(fpdf.FPDF):
    """An fpdf2 document that draws a running header and footer on every page."""

    def __init__(self, header: str | None, footer: str | None) -> None:
        super().__init__(format="A4")
        self.running_header = header
        self.running_footer = footer

    def header(self) -> None:
        if self.running_header:
            self._running(self.running_header, 10)

    def footer(self) -> None:
        if self.running_footer:
            self._running(self.running_footer, self.h - 15)

    def _running(self, template: str, y: float) -> None:
        self.set_font("Helvetica", size=9)
        self.set_xy(self.l_margin, y)
        text = template.replace("{page}", str(self.page_no())).replace("{pages}", "{nb}")
        self.cell(self.epw, 5, text, align="C")
        self.set_xy(self.l_margin, 25)


def make_pdf(
    path: Path,
    pages: Sequence[Sequence[str]],
    *,
    title: str | None = None,
    author: str | None = None,
    creation_date: str | None = None,
    two_columns: bool = False,
    header: str | None = None,
    footer: str | None = None,
) -> Path:
    """Write a text PDF: one inner list per page, one string per paragraph.

    A paragraph starting with "# " is drawn as a bold heading, one starting with "! " as a large
    cover title. `header`/`footer` are repeated on
    every page with "{page}" and "{pages}" filled in. An empty inner list gives a blank page.
    With `two_columns`, each page's paragraphs are split between a left and a right column.
    Example: `make_pdf(tmp_path / "a.pdf", [["# Scope", "It covers..."]], footer="Page {page}")`.
    """
    pdf = _Pdf(header, footer)
    pdf.set_auto_page_break(True, margin=25)
    if title is not None:
        pdf.set_title(title)
    if author is not None:
        pdf.set_author(author)
    if creation_date is not None:
        pdf.set_creation_date(_datetime(creation_date))
    for paragraphs in pages:
        pdf.add_page()
        pdf.set_xy(pdf.l_margin, 25)
        if not two_columns:
            _write(pdf, paragraphs, pdf.l_margin, pdf.epw)
            continue
        width = (pdf.epw - 10) / 2
        half = (len(paragraphs) + 1) // 2
        _write(pdf, paragraphs[:half], pdf.l_margin, width)
        pdf.set_y(25)
        _write(pdf, paragraphs[half:], pdf.l_margin + width + 10, width)
    path.write_bytes(bytes(pdf.output()))
    return path


def _write(pdf: fpdf.FPDF, paragraphs: Sequence[str], x: float, width: float) -> None:
    for paragraph in paragraphs:
        heading, cover = paragraph.startswith("# "), paragraph.startswith("! ")
        size = 24 if cover else 14 if heading else 11
        pdf.set_font("Helvetica", style="B" if heading or cover else "", size=size)
        pdf.set_x(x)
        text = paragraph.removeprefix("# ").removeprefix("! ")
        pdf.multi_cell(width, 10 if cover else 6, text, new_x="LEFT", new_y="NEXT")
        pdf.ln(4)


def _datetime(iso: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=UTC)


def make_image_pdf(path: Path, pages: int = 1, seed: int = 7) -> Path:
    """Write a PDF whose pages are only pictures (a scan without a text layer)."""
    rng = random.Random(seed)
    pdf = fpdf.FPDF(format="A4")
    for _ in range(pages):
        image = Image.new("L", (600, 800), color=255)
        draw = ImageDraw.Draw(image)
        for row in range(40, 760, 24):  # grey bars that look like lines of scanned print
            draw.rectangle((40, row, rng.randint(300, 560), row + 10), fill=rng.randint(0, 90))
        pdf.add_page()
        pdf.image(image, x=10, y=10, w=190)
    path.write_bytes(bytes(pdf.output()))
    return path


def make_scanned_pdf(
    path: Path, pages: Sequence[Sequence[str]], dpi: int = 150, title: str | None = None
) -> Path:
    """A scan of printed pages: the text typeset as a PDF (a `title` in large print above the
    first page's text), each page rasterised in grey at `dpi`, the pictures put back together as
    a PDF with no text layer."""
    import pypdfium2

    printed = pypdfium2.PdfDocument(bytes(_typeset(pages, title).output()))
    images = [
        printed[i].render(scale=dpi / 72, grayscale=True).to_pil() for i in range(len(printed))
    ]
    printed.close()
    images[0].save(path, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return path


def _typeset(pages: Sequence[Sequence[str]], title: str | None = None) -> fpdf.FPDF:
    pdf = fpdf.FPDF(format="A4")
    for number, paragraphs in enumerate(pages):
        pdf.add_page()
        if title and number == 0:
            pdf.set_font("Helvetica", size=26)
            pdf.multi_cell(0, 12, title)
            pdf.ln(6)
        pdf.set_font("Helvetica", size=12)
        for paragraph in paragraphs:
            pdf.multi_cell(0, 7, paragraph)
            pdf.ln(4)
    return pdf


def make_encrypted_pdf(path: Path, user_password: str = "secret", owner: str = "owner") -> Path:
    """Write a password-protected PDF; an empty `user_password` gives one that opens freely."""
    source = make_pdf(path, [["# Locked", "This text sits behind a password."]])
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(source))
    writer.encrypt(user_password=user_password, owner_password=owner)
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def make_corrupt_pdf(path: Path) -> Path:
    """Write a PDF cut off after its first few hundred bytes, as from a broken download."""
    whole = make_pdf(path, [["Some text that will be cut off."]]).read_bytes()
    path.write_bytes(whole[:300])
    return path


def make_docx(
    path: Path,
    paragraphs: Sequence[str],
    *,
    table: Sequence[Sequence[str]] | None = None,
    title: str | None = None,
    author: str | None = None,
    keywords: str | None = None,
    created: str = "2024-03-01",
) -> Path:
    """Write a Word document; "# x" / "## x" paragraphs get Heading 1 / Heading 2 style.

    A `table` (rows of cell texts) is appended after the paragraphs.
    """
    document = docx.Document()
    for paragraph in paragraphs:
        marks = len(paragraph) - len(paragraph.lstrip("#"))
        if marks and paragraph[marks : marks + 1] == " ":
            document.add_heading(paragraph[marks + 1 :], level=marks)
        else:
            document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=max(len(row) for row in table))
        for cells, row in zip(grid.rows, table, strict=False):
            for cell, text in zip(cells.cells, row, strict=False):
                cell.text = text
    properties = document.core_properties
    properties.title = title or ""
    properties.author = author or ""
    properties.keywords = keywords or ""
    properties.created = _datetime(created)
    document.save(str(path))
    return path


def html_page(body: str, *, title: str = "", head: str = "") -> str:
    """An HTML5 page with the given `<title>`, extra `<head>` markup and `<body>` content."""
    return (
        f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title>{head}</head>\n<body>{body}</body></html>\n"
    )


def front_matter(fields: Mapping[str, object], body: str) -> str:
    """A Markdown text with YAML front matter built from `fields` (values via yaml.safe_dump)."""
    import yaml

    return f"---\n{yaml.safe_dump(dict(fields), sort_keys=False)}---\n{body}"


def make_zip(path: Path, members: Mapping[str, str]) -> Path:
    """Write a ZIP archive, e.g. `{"xl/workbook.xml": "<workbook/>"}` to imitate an .xlsx."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def make_image(path: Path, kind: str = "PNG") -> Path:
    """Write a small picture in Pillow format `kind` (PNG, JPEG, GIF, TIFF)."""
    Image.new("RGB", (32, 32), color=(200, 30, 30)).save(path, format=kind)
    return path


def write(path: Path, content: str | bytes, encoding: str = "utf-8") -> Path:
    """Write text (in `encoding`) or bytes to `path` and return it."""
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path
