"""PDF loader: pypdf text per page, cleaned and laid out as headings and paragraphs."""

from __future__ import annotations

import io
import math
import re
import statistics
from collections.abc import Callable, Sequence

import pypdf
from pypdf.errors import DependencyError

from index import ScannedPage
from ingest.cleaning import (
    Part,
    compose_pages,
    join_lines,
    normalise_characters,
    split_footnote_marks,
    standalone_words,
    starts_list_item,
    strip_running_lines,
    vocabulary,
)
from ingest.loaded import LoadedDocument, MetadataHints, RejectedFile
from ingest.loaders import iso_date, meaningful_title, names
from ingest.ocr import INSTALL, Scanner

MIN_CHARACTERS_PER_PAGE = 25
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*$")
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+\S")
# A numbered section heading the code-row test must not take for a table row ("2.1 Scope").
_NUMBERED_SECTION = re.compile(r"^\d{1,2}\.\d")
_CONTENTS_ENTRY = re.compile(r"(?:\.{3,}|\s)\d+$")
_GRADE = r"(?:outstanding|good|requires improvement to be good|inadequate)"
# An Ofsted judgement heading, on one line or two: "The experiences and progress of care
# leavers: good", "Overall effectiveness Good".
_JUDGEMENT = re.compile(
    rf"^(?:The experiences and progress of .{{3,120}}?|The impact of leaders .{{3,120}}?|"
    rf"Overall effectiveness)(?::\s*|\s+){_GRADE}$|"
    r"^(?:The experiences and progress of .{3,120}|The impact of leaders on .{3,120})$",
    re.IGNORECASE,
)
_SALUTATION = re.compile(r"^Dear\s+\S")
# A figure's or table's caption ("Figure 1 – Data modules", "Table 3: Costs"): not a section.
_CAPTION = re.compile(r"^(?:Figure|Fig\.|Table|Chart|Graph|Diagram|Box)\s+\d+[a-z]?\s*[.:–—-]\s*\S")
# A table's header row is made only of column words ("Code Description", "Version Comments
# Date", "Total cost / year Time spent / year").
_COLUMN_WORDS = frozenset(
    "code codes category description descriptions definition definitions name names option "
    "options criteria version comments comment date dates variable type value values total "
    "number numbers field fields format notes note item items reference detail details status "
    "yes no further source label id count percentage rate cost costs year years time spent "
    "incurred per in place not being implemented users reason for creation entity character".split()
)
# A row of a code table: a code, then its label ("1 Male", "WBRI White British", "UN1 Child
# is not of school age").
_CODE_ROW = re.compile(r"^(?:\d{1,3}|[A-Z][A-Z0-9]{1,5})\s+[A-Z]")
# A number with a decimal point or a per cent sign at the end of a line closes a table row.
_FIGURE_END = re.compile(r"(?:^|\s)[-−]?\d+(?:[.,]\d+)+%?$|\d%$")
_WEB_ADDRESS = re.compile(r"\b[\w-]+\.(?:org|gov|com|net|co|ac|nhs)(?:\.uk)?\b", re.IGNORECASE)
# A cover's "label: value" lines ("Inspection dates: 7 to 18 October 2024", "Lead inspector: ...").
_COVER_LABEL = re.compile(
    r"^(?:inspection dates?|lead inspectors?|inspectors?|published|publication date|"
    r"report authors?|authors?|version|date of (?:publication|inspection)|"
    r"(?:unique )?reference(?: number)?|urn|prepared (?:by|for))\s*:",
    re.IGNORECASE,
)
COVER_WORDS = 12  # a cover's lines before its first paragraph of prose are at most this long
COVER_RUN = 3  # this many short lines before the prose are a cover block, headings included
COVER_PAGES = 3  # pages whose printed text sizes tell a cover title from the body text
Sized = list[tuple[float, str]]  # pieces of one page's text, each with its printed size


def load(data: bytes, ocr: Scanner | None = None) -> LoadedDocument:
    """Read a PDF's text layer page by page; blank pages stay as empty strings. With an `ocr`
    scanner, pages without a usable text layer are recognised from their image instead.

    Raises:
        RejectedFile: the PDF is locked, or has (almost) no text layer and no engine was given.
    """
    reader = _open(data)
    texts, sizes, notes = _page_texts(reader)
    recognised: list[ScannedPage] = []
    scanned_cover = False
    if ocr is not None:
        recognised, scanned_sizes = _recognise(data, texts, ocr)
        scanned_cover = bool(recognised) and recognised[0].page == 1
        if recognised:  # printed sizes: the recognised lines' heights stand in on a scanned cover
            sizes = scanned_sizes if scanned_cover else None
            notes = [n for n in notes if "no extractable text" not in n] + [_ocr_note(recognised)]
    _require_text(texts)
    pages = strip_running_lines([normalise_characters(text).split("\n") for text in texts])
    text = "\n".join(line for lines in pages for line in lines)
    words, alone = vocabulary(text), standalone_words(text)
    fallback = _typical_length([line for lines in pages for line in lines])
    parts = [assemble(lines, words, _typical_length(lines, fallback), alone) for lines in pages]
    parts = [mark_asides(page, first=number == 0) for number, page in enumerate(parts)]
    page_texts, blocks = compose_pages(parts)
    hints = _hints(
        reader, lambda: cover_title(texts[0], sizes) if sizes else None, scanned_cover=scanned_cover
    )
    return LoadedDocument("pdf", True, page_texts, blocks, hints, tuple(notes), tuple(recognised))


def assemble(
    lines: Sequence[str],
    words: frozenset[str],
    typical: float,
    alone: frozenset[str] = frozenset(),
) -> list[Part]:
    """Group one page's lines into headings and paragraphs.

    `words` mend hyphenated line breaks; `alone` (words printed on their own) lets footnote
    numbers fused to a word be parted from it.

    A paragraph ends at a blank line, a list bullet, or a line that ends a sentence and stops
    noticeably short of the typical line length. A heading is a short line (or a line and a short
    lower-case continuation) without closing punctuation that opens a paragraph.
    """
    parts: list[Part] = []
    current: list[str] = []
    filled = [line.strip() for line in lines]
    index = 0
    while index < len(filled):
        line = filled[index]
        if _SALUTATION.match(line) and len(line) < typical:  # a letter's "Dear ...", on its own
            parts.extend(_flush(current, words, alone))
            parts.extend(_flush([line], words, alone))
            index += 1
            continue
        label = _CAPTION.match(line) or _column_words(line)
        if label and len(line) < typical and (not current or _closes(current[-1], typical)):
            parts.extend(_flush(current, words, alone))
            parts.append(Part(line, "aside"))
            index += 1
            continue
        span = _judgement_span(filled[index : index + 2]) or (
            0 if _in_table(filled, index) else _heading_span(filled[index : index + 3], typical)
        )
        if span and (not current or _closes(current[-1], typical)):
            parts.extend(_flush(current, words, alone))
            heading = " ".join(filled[index : index + span])
            parts.append(Part(heading, "heading", heading_level(heading)))
            index += span
            continue
        if not line or starts_list_item(line):
            parts.extend(_flush(current, words, alone))
        if line:
            current.append(line)
        if _SENTENCE_END.search(line) and len(line) < 0.8 * typical:
            parts.extend(_flush(current, words, alone))
        index += 1
    parts.extend(_flush(current, words, alone))
    return parts


def mark_asides(parts: Sequence[Part], *, first: bool) -> list[Part]:
    """Mark what is printed but never evidence: contents lines, and a first page's cover block.

    The cover block is the "label: value" lines of a first page ("Inspection dates: ...", "Lead
    inspector: ...") and its short lines between the title and the first paragraph of prose (a
    judgement table, the date, the authors); a lone short heading there ("1 Introduction") stays
    a heading unless three or more short lines make a block. Asides stay in the page text but
    are never indexed.
    """
    short: set[int] = set()  # the first page's short lines between its title and its prose
    if first:
        prose = next(
            (n for n, p in enumerate(parts) if p.kind == "paragraph" and _prose(p.text)),
            len(parts),
        )
        short = {n for n in range(1, prose) if len(parts[n].text.split()) <= COVER_WORDS}
    table = len(short) >= COVER_RUN  # a cover block or judgement table, headings and all
    marked = []
    for number, part in enumerate(parts):
        flat = " ".join(part.text.split())
        cover = (first and bool(_COVER_LABEL.match(flat))) or (
            number in short and (table or part.kind == "paragraph")
        )
        contents = part.kind == "paragraph" and _contents(flat)
        marked.append(Part(part.text, "aside") if cover or contents else part)
    return marked


def _prose(text: str) -> bool:
    flat = " ".join(text.split())
    return len(flat.split()) > COVER_WORDS and not _COVER_LABEL.match(flat)


def _contents(flat: str) -> bool:
    """A contents or index line: dot leaders, or three or more titles each ending in a number."""
    if re.search(r"(\.\s?){4,}\s*\d+|…{2,}\s*\d+", flat):
        return True
    entries = re.findall(r"[A-Za-z][^.!?]{2,120}?\s\d{1,3}(?=\s|$)", flat)
    return len(entries) >= 3 and not flat.rstrip().endswith((".", "?", "!", ":"))


def heading_level(heading: str) -> int:
    """1 for "Introduction" or "2 Scope", 2 for "2.1 Supervision", and so on."""
    numbered = _NUMBERED.match(heading)
    return numbered.group(1).count(".") + 1 if numbered else 1


def _judgement_span(window: Sequence[str]) -> int:
    """1 or 2 when the window opens with an Ofsted judgement heading on one or two lines; else 0."""
    line, following = [*window, ""][:2]
    if re.search(rf":\s*{_GRADE}$|^Overall effectiveness\s+{_GRADE}$", line, re.I):
        return 1 if _JUDGEMENT.match(line) else 0
    two = f"{line} {following}"
    if following and re.search(rf"(?::\s*|\s){_GRADE}$", two, re.I) and _JUDGEMENT.match(two):
        return 2 if re.fullmatch(_GRADE, following.rstrip(" ."), re.I) else 0
    return 0


def _in_table(lines: Sequence[str], index: int) -> bool:
    """Whether a line is a row of a table, never a heading: a code row beside another code row,
    a row ending in a figure, a web address."""
    line = lines[index]
    if _FIGURE_END.search(line) or _WEB_ADDRESS.search(line):
        return True
    if _CODE_ROW.match(line) and not _NUMBERED_SECTION.match(line):
        return any(
            0 <= n < len(lines) and _CODE_ROW.match(lines[n]) for n in (index - 1, index + 1)
        )
    return False


def _column_words(line: str) -> bool:
    """A table's header row: two or more words, all of them column words."""
    words = re.findall(r"[A-Za-z]+", line.casefold())
    return len(words) >= 2 and all(w in _COLUMN_WORDS for w in words)


def _closes(line: str, typical: float) -> bool:
    """Whether a line could end its paragraph: a sentence end, or far short of the margin."""
    return bool(_SENTENCE_END.search(line)) or len(line) < 0.5 * typical


def _heading_span(window: Sequence[str], typical: float) -> int:
    """How many lines from the start of `window` form a heading: 0, 1 or 2."""
    line, following, after = [*window, "", ""][:3]
    if _heading_like(line, 0.7 * typical) and not following[:1].islower():
        return 1
    wrapped = following[:1].islower() and len(following) < 0.5 * typical
    if wrapped and _heading_like(line, typical) and not re.search(r"[.,;:!]$", following):
        return 2 if not after[:1].islower() else 0
    return 0


def _heading_like(line: str, limit: float) -> bool:
    if not line or len(line) > min(100, limit) or len(line.split()) > 14:
        return False
    if re.search(r"[.,;:!]$", line) or _CONTENTS_ENTRY.search(line):
        return False
    return sum(c.isalpha() for c in line) >= 3 and (
        line[0].isupper() or bool(_NUMBERED.match(line))
    )


def _flush(current: list[str], words: frozenset[str], alone: frozenset[str]) -> list[Part]:
    text = split_footnote_marks(join_lines(current, words), alone)
    current.clear()
    return [Part(text)] if text else []


def _typical_length(lines: Sequence[str], fallback: float = 80.0) -> float:
    lengths = [len(line.strip()) for line in lines if len(line.strip()) > 1]
    if len(lengths) < 8:
        return fallback
    return float(statistics.quantiles(lengths, n=5)[-1])


def _open(data: bytes) -> pypdf.PdfReader:
    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            unlocked = reader.decrypt("")
        except DependencyError as error:
            raise RejectedFile(
                "encrypted PDF that needs the `cryptography` package to open",
                "install `cryptography`, or save an unlocked copy and ingest that",
            ) from error
        if unlocked == pypdf.PasswordType.NOT_DECRYPTED:
            raise RejectedFile(
                "password-protected PDF",
                "save an unlocked copy (print to PDF or remove the password) and ingest that",
            )
    return reader


def _page_texts(reader: pypdf.PdfReader) -> tuple[list[str], list[Sized] | None, list[str]]:
    """Each page's text; the printed size of each piece of text on the first pages (None when
    one of them could not be read); notes on pages without text."""
    texts, failed = [], []
    sizes: list[Sized] | None = []
    for number, page in enumerate(reader.pages, start=1):
        pieces: Sized = []
        visitor = _sizes_into(pieces) if number <= COVER_PAGES else None
        try:
            texts.append(page.extract_text(visitor_text=visitor) or "")
        except Exception:  # one broken page must not lose the rest of the document
            texts.append("")
            failed.append(str(number))
            if number <= COVER_PAGES:
                sizes = None
        if sizes is not None and number <= COVER_PAGES:
            sizes.append(pieces)
    notes = [f"text could not be extracted from page(s) {', '.join(failed)}"] if failed else []
    empty = sum(1 for text in texts if not text.strip())
    if 0 < empty < len(texts):
        notes.append(f"{empty} of {len(texts)} pages have no extractable text (left empty)")
    return texts, sizes, notes


def _recognise(
    data: bytes, texts: list[str], ocr: Scanner
) -> tuple[list[ScannedPage], list[Sized]]:
    """Recognise, in place in `texts`, each page whose text layer is (nearly) empty; with the
    recognised first pages' lines and their heights (for the cover's title).

    Raises:
        RejectedFile: more than `max_pages` pages would need recognising.
    """
    wanted = [n for n, text in enumerate(texts, start=1) if _unreadable(text)]
    if len(wanted) > ocr.max_pages:
        raise RejectedFile(
            f"{len(wanted)} pages would need OCR, more than EVIDENCE_OCR_MAX_PAGES "
            f"({ocr.max_pages})",
            "split the document, or raise EVIDENCE_OCR_MAX_PAGES",
        )
    found: list[ScannedPage] = []
    sizes: list[Sized] = []
    for number, result in zip(wanted, ocr.recognise(data, wanted), strict=True):
        if result.text.strip():
            texts[number - 1] = result.text
            found.append(ScannedPage(number, ocr.label, result.confidence))
            if number == len(sizes) + 1 and number <= COVER_PAGES:
                # A logo's word or a page number may be the largest print: not a single word.
                sizes.append([(h, line) for h, line in result.lines if len(line.split()) > 1])
    return found, sizes


def _unreadable(text: str) -> bool:
    return len("".join(text.split())) < MIN_CHARACTERS_PER_PAGE


def _ocr_note(pages: Sequence[ScannedPage]) -> str:
    numbers = ", ".join(str(p.page) for p in pages[:20]) + ("…" if len(pages) > 20 else "")
    mean = sum(p.confidence for p in pages) / len(pages)
    return (
        f"text recognised from a scan on page(s) {numbers} by {pages[0].engine} "
        f"(mean confidence {mean:.2f}): check quotes against the page"
    )


def _require_text(texts: Sequence[str]) -> None:
    characters = sum(len("".join(text.split())) for text in texts)
    if characters == 0:
        raise RejectedFile("scanned PDF with no text layer", INSTALL)
    if characters < MIN_CHARACTERS_PER_PAGE * len(texts):
        raise RejectedFile(
            f"PDF with almost no text ({characters} characters over {len(texts)} page(s))",
            f"if it is a scan or a form, {INSTALL}; otherwise export the text another way",
        )


def _hints(
    reader: pypdf.PdfReader, cover: Callable[[], str | None], *, scanned_cover: bool = False
) -> MetadataHints:
    """The PDF's metadata; `cover` gives the title when the metadata has none worth using, or
    first when the cover page is a scan (a scanner's title is its own: "scan0001")."""
    try:
        info = reader.metadata
        if info is None:
            return MetadataHints(title=cover())
        given = meaningful_title(info.get("/Title"))
        return MetadataHints(
            title=(cover() or given) if scanned_cover else (given or cover()),
            authors=names(info.get("/Author")),
            date=iso_date(info.get("/CreationDate")),
        )
    except Exception:  # damaged metadata is not worth losing the text over
        return MetadataHints()


def cover_title(first_text: str, sized: Sequence[Sized]) -> str | None:
    """The first page's largest text, when it stands out from the body text, as one line.

    `sized` holds the first pages' pieces of text with their printed sizes. The title's words
    come from the first page's extracted text (so spacing is pypdf's); None when the first page
    has no text noticeably larger than the first pages' typical size.
    """
    body = [size for pieces in sized for size, text in pieces for _ in "".join(text.split())]
    first = [(size, text) for size, text in sized[0] if text.strip()] if sized else []
    if not first or not body:
        return None
    top = max(size for size, _ in first)
    if top < 1.25 * statistics.median(body):
        return None
    wanted = "".join("".join(text.split()) for size, text in first if abs(size - top) < 0.5)
    return _find_ignoring_spaces(first_text, wanted)


def _sizes_into(pieces: Sized) -> Callable[..., None]:
    """A pypdf text visitor that records each piece of text with its printed size."""

    def visit(text: str, cm: Sequence[float], tm: Sequence[float], _: object, size: float) -> None:
        scale = math.sqrt(abs(tm[0] * tm[3] - tm[1] * tm[2]) * abs(cm[0] * cm[3] - cm[1] * cm[2]))
        pieces.append((round(float(size) * scale, 1), text))

    return visit


def _find_ignoring_spaces(text: str, wanted: str) -> str | None:
    """`wanted` (written without spaces) as it appears in `text`, spaces and all, on one line."""
    if not wanted:
        return None
    positions = [n for n, c in enumerate(text) if not c.isspace()]
    squeezed = "".join(text[n] for n in positions)
    found = squeezed.find(wanted)
    if found < 0:
        return None
    span = text[positions[found] : positions[found + len(wanted) - 1] + 1]
    span = re.sub(r"(?<=[^\W\d_])-[^\S\n]*\n\s*(?=[^\W\d_])", "-", span)
    title = " ".join(normalise_characters(span).split())
    return title if 3 <= len(title) <= 250 else None
