"""Cleaning extracted text and laying it out as page text with located blocks."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ingest.loaded import Block

_CHARACTERS = str.maketrans(
    {
        **dict.fromkeys("\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007", " "),
        **dict.fromkeys("\u2008\u2009\u200a\u202f\u205f\u3000\t", " "),
        **dict.fromkeys("\r\f\v\u2028\u2029\x85", "\n"),
        **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff", ""),
        "ﬀ": "ff",
        "ﬁ": "fi",
        "ﬂ": "fl",
        "ﬃ": "ffi",
        "ﬄ": "ffl",
        "ﬅ": "st",
        "ﬆ": "st",
        # Symbol-font bullets that Word exports into the Private Use Area.
        "\uf0b7": "•",
        "\uf0a7": "▪",
        "\uf0d8": "➢",
        "\uf0fc": "✓",
    }
)
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x84\x86-\x9f]")
_SPACES = re.compile(r"[ ]+")
_WHITESPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[^\W\d_]+")
_HYPHEN_BREAK = re.compile(r"[^\W\d_]+-\n[^\W\d_]+")
# Editors' markers that say how text was laid out, not what it says: "[block quote]".
_MARKER = re.compile(r"\[\s*(?:block\s*quote|blockquote|pull\s*quote|quote|callout)\s*\]\s*", re.I)
# A footnote reference printed against the word it follows: "lawful basis3", "Prevent Duty.41".
_FUSED_NOTE = re.compile(r"\b([^\W\d_]{3,})(\d{1,3})(?=[\s,.;:)\"'”’]|$)")
_NOTE_AFTER_STOP = re.compile(r"(?<=[^\W\d_]{2}[.,;:])(\d{1,3})(?=\s|$)")
_LIST_ITEM = re.compile(r"^(?:[•◼▪●○■□◦‣∙·➢✓*\-–]|\(?[0-9]{1,2}[.)]|\(?[a-z][.)])\s")


@dataclass(frozen=True)
class Part:
    """A heading or paragraph waiting to be placed on a page."""

    text: str
    kind: Literal["heading", "paragraph", "aside"] = "paragraph"
    level: int = 0


def normalise_characters(text: str) -> str:
    """Unify spaces and line breaks, expand ligatures, drop soft hyphens and control characters."""
    text = text.replace("\r\n", "\n").replace("\u00ad\n", "")
    text = unicodedata.normalize("NFC", text).translate(_CHARACTERS)
    text = _CONTROL.sub("", text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def tidy(text: str) -> str:
    """Normalise characters, drop layout markers, collapse every run of whitespace to one space."""
    return _WHITESPACE.sub(" ", _MARKER.sub("", normalise_characters(text))).strip()


def standalone_words(text: str) -> frozenset[str]:
    """Lower-cased words that occur on their own, not run into digits ("basis", not "cin1")."""
    return vocabulary(re.sub(r"\w*\d\w*", " ", text))


def split_footnote_marks(text: str, words: frozenset[str]) -> str:
    """Part footnote reference numbers from the words they are printed against.

    "the lawful basis3 for" becomes "the lawful basis 3 for" when "basis" is one of `words` (the
    document's `standalone_words`); "Prevent Duty.41 The" becomes "Prevent Duty. 41 The". Codes
    such as "N4", "Y10" or "CIN1" (letters not used on their own, or under three) stay.

    >>> split_footnote_marks("a lawful basis3 for sharing", frozenset({"basis"}))
    'a lawful basis 3 for sharing'
    """
    text = _FUSED_NOTE.sub(lambda m: f"{m[1]} {m[2]}" if m[1].lower() in words else m[0], text)
    return _NOTE_AFTER_STOP.sub(r" \1", text)


def starts_list_item(line: str) -> bool:
    """Whether a line opens a bulleted or numbered list item."""
    return bool(_LIST_ITEM.match(line.strip()))


def vocabulary(text: str) -> frozenset[str]:
    """Lower-cased words of a text, leaving out halves of words broken by a line-end hyphen."""
    return frozenset(w.lower() for w in _WORD.findall(_HYPHEN_BREAK.sub(" ", text)))


def join_lines(lines: Sequence[str], words: frozenset[str] = frozenset()) -> str:
    """Join the lines of one paragraph with spaces, mending words hyphenated across a line break.

    "wel-" + "being" becomes "wellbeing"; the hyphen stays when the next line starts in capitals
    or when `words` shows a real compound ("well" and "being" both occur but "wellbeing" does not).
    """
    joined = ""
    for line in (line.strip() for line in lines):
        if not line:
            continue
        if joined.endswith("-") and len(joined) > 1 and joined[-2].isalpha() and line[0].isalpha():
            keep = _keeps_hyphen(joined[:-1], line, words)
            joined = joined + line if keep else joined[:-1] + line
        else:
            joined = f"{joined} {line}" if joined else line
    return joined


def _keeps_hyphen(before: str, after: str, words: frozenset[str]) -> bool:
    head = _WORD.findall(before)[-1].lower()
    tail = _WORD.match(after)
    if tail is None or after[0].isupper():
        return True
    rest = tail.group().lower()
    if head + rest in words:
        return False
    return head in words and rest in words


def running_lines(pages: Sequence[Sequence[str]], depth: int = 3) -> frozenset[tuple[str, int]]:
    """Lines that recur near the top or bottom of many pages, as (key, page-number offset).

    A line repeated word for word has offset 0 and a key with its digits; a line whose only
    change is a page number ("Page 3 of 40", "Page 4 of 40") has its digits as '#' and the
    offset between that number and the page's position, so "2025" on a cover never matches.
    """
    if len(pages) < 3:
        return frozenset()
    counts: Counter[tuple[str, int]] = Counter()
    for number, lines in enumerate(pages, start=1):
        counts.update({key for i in _edges(lines, depth) for key in _keys(lines[i], number)})
    needed = max(3, math.ceil(0.4 * len(pages)))
    return frozenset(key for key, count in counts.items() if count >= needed and key[0])


def strip_running_lines(pages: Sequence[Sequence[str]], depth: int = 3) -> list[list[str]]:
    """Drop headers and footers repeated across pages, like "Page 3 of 40" (needs 3+ pages)."""
    stripped = [list(lines) for lines in pages]
    for _ in range(3):  # a header block can hide a second one beneath it
        running = running_lines(stripped, depth)
        if not running:
            break
        for number, lines in enumerate(stripped, start=1):
            edges = {i for i in _edges(lines, depth) if _keys(lines[i], number) & running}
            stripped[number - 1] = [line for i, line in enumerate(lines) if i not in edges]
    return stripped


def _keys(line: str, page: int) -> set[tuple[str, int]]:
    exact = _WHITESPACE.sub(" ", line).strip().lower()
    numbered = {(line_key(line), int(n) - page) for n in _DIGITS.findall(line) if len(n) < 5}
    return {(exact, 0)} | numbered


def line_key(line: str) -> str:
    """A line compared for repetition: digits as '#', whitespace collapsed, lower case."""
    return _WHITESPACE.sub(" ", _DIGITS.sub("#", line)).strip().lower()


def _edges(lines: Sequence[str], depth: int) -> list[int]:
    """Indices of the first and last `depth` non-blank lines."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return filled[:depth] + filled[depth:][-depth:]


def compose_page(parts: Sequence[Part], page: int) -> tuple[str, list[Block]]:
    """Lay parts out as one page's text, paragraphs separated by a blank line, and locate each.

    Example: `compose_page([Part("Scope", "heading", 1), Part("It covers...")], 1)` gives
    `("Scope\\n\\nIt covers...", [Block(1, 0, 5, "heading", 1), Block(1, 7, 19)])`.
    """
    text, blocks = "", []
    for part in parts:
        body = tidy(part.text)
        if not body:
            continue
        if text:
            text += "\n\n"
        level = part.level if part.kind == "heading" else 0
        blocks.append(Block(page, len(text), len(text) + len(body), part.kind, level))
        text += body
    return text, blocks


def compose_pages(pages: Sequence[Sequence[Part]]) -> tuple[tuple[str, ...], tuple[Block, ...]]:
    """Compose every page; pages without parts stay as empty strings so numbering stays true."""
    texts: list[str] = []
    blocks: list[Block] = []
    for number, parts in enumerate(pages, start=1):
        text, located = compose_page(parts, number)
        texts.append(text)
        blocks.extend(located)
    return tuple(texts), tuple(blocks)
