"""HTML loader: the main text of a page as headings and paragraphs, with its meta tags as hints."""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

from ingest.cleaning import Part, compose_pages
from ingest.loaded import LoadedDocument, MetadataHints
from ingest.loaders import iso_date, meaningful_title, names, terms
from ingest.sniffing import decode_text

SKIPPED = frozenset(
    "script style noscript nav header footer aside form svg template iframe button select "
    "dialog canvas object".split()
)
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_HEADINGS = frozenset(f"h{n}" for n in range(1, 7))
_BLOCKS = _HEADINGS | frozenset(
    "p li td th blockquote pre div dd dt dl figcaption caption section article main ul ol table "
    "tr address figure body details summary".split()
)
_MAIN = frozenset({"main", "article"})
_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)


def load(data: bytes) -> LoadedDocument:
    """Read an HTML page; only `<main>` or `<article>` when the page has one."""
    reader = MainText()
    reader.feed(decode_html(data))
    reader.close()
    in_main = [part for part, main in reader.parts if main]
    pages, blocks = compose_pages([in_main or [part for part, _ in reader.parts]])
    return LoadedDocument("html", False, pages, blocks, hints(reader.meta))


def decode_html(data: bytes) -> str:
    """Decode by BOM, else by the charset a `<meta>` declares, else as UTF-8 or Windows-1252."""
    declared = _CHARSET.search(data[:4096])
    if declared and not data.startswith(
        (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    ):
        try:
            return data.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return decode_text(data)


class MainText(HTMLParser):
    """Collects visible text blocks, each marked with whether it lies in `<main>`/`<article>`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[tuple[Part, bool]] = []
        self.meta: dict[str, list[str]] = {}
        self._stack: list[tuple[str, bool, bool]] = []  # tag, skipped, inside main
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag in ("meta", "link"):
            self._remember(found)
        if tag == "br":
            self._buffer.append(" ")
        elif tag == "hr":
            self._flush()
        if tag in _VOID:
            return
        skipped, main = self._stack[-1][1:] if self._stack else (False, False)
        hidden = "hidden" in found or found.get("aria-hidden") == "true"
        hidden |= bool(re.search(r"display\s*:\s*none", found.get("style", "")))
        skips = tag in SKIPPED and not (main and tag in ("header", "footer"))
        if tag in _BLOCKS:
            self._flush()
        self._stack.append(
            (tag, skipped or skips or hidden or tag == "title", main or tag in _MAIN)
        )

    def handle_endtag(self, tag: str) -> None:
        opened = [index for index, (name, _, _) in enumerate(self._stack) if name == tag]
        if not opened:
            return
        if tag in _BLOCKS:
            self._flush()
        del self._stack[opened[-1] :]

    def handle_data(self, data: str) -> None:
        if self._stack and self._stack[-1][0] == "title":
            self.meta.setdefault("<title>", []).append(data)
        elif not (self._stack and self._stack[-1][1]):
            self._buffer.append(data)

    def close(self) -> None:
        super().close()
        self._flush()

    def _flush(self) -> None:
        text = "".join(self._buffer)
        self._buffer.clear()
        if not text.strip():
            return
        level = next((int(tag[1]) for tag, _, _ in reversed(self._stack) if tag in _HEADINGS), 0)
        main = self._stack[-1][2] if self._stack else False
        part = Part(text, "heading", level) if level else Part(text)
        self.parts.append((part, main))

    def _remember(self, attrs: dict[str, str]) -> None:
        key = (attrs.get("name") or attrs.get("property") or "").lower()
        value = attrs.get("content", "")
        if attrs.get("rel", "").lower() in ("license", "canonical"):
            key, value = f"link:{attrs['rel'].lower()}", attrs.get("href", "")
        if key and value.strip():
            self.meta.setdefault(key, []).append(value.strip())


def hints(meta: dict[str, list[str]]) -> MetadataHints:
    """Metadata hints from collected meta tags: citation_* first, then Open Graph, Dublin Core."""

    def first(*keys: str) -> str | None:
        return next((meta[key][0] for key in keys if key in meta), None)

    title = first("citation_title", "og:title", "dc.title", "dcterms.title")
    authors = meta.get("citation_author") or meta.get("author") or meta.get("dc.creator") or []
    date = first("citation_publication_date", "citation_date", "article:published_time", "dc.date")
    return MetadataHints(
        title=meaningful_title(title or "".join(meta.get("<title>", []))),
        authors=names(authors),
        publisher=first("citation_publisher", "og:site_name", "dc.publisher"),
        date=iso_date(date or first("dcterms.date", "date")),
        source_url=first("link:canonical", "og:url", "citation_public_url", "citation_pdf_url"),
        licence=first("link:license", "dcterms.license", "dc.rights", "license"),
        topics=terms(meta.get("citation_keywords") or meta.get("article:tag") or first("keywords")),
    )
