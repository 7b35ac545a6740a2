"""Cutting a document into retrievable chunks: structure first, then sentences, then words."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from index import Chunk, Span, split_sentences
from ingest.loaded import Block

TokenCounter = Callable[[str], int]

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class _Piece:
    """A sentence, or part of one, inside a block: `pages[page - 1][start:end]`."""

    block: int
    page: int
    start: int
    end: int
    heading: bool
    heading_path: tuple[str, ...]  # in force at its block, the block included if a heading


@dataclass(frozen=True)
class _Section:
    """Block indexes under one heading: the heading (and bare ones above it), then the body."""

    headings: tuple[int, ...]
    body: tuple[int, ...]


def _spans(pieces: Sequence[_Piece]) -> tuple[Span, ...]:
    """One span per block touched, covering that block's pieces and the whitespace between them."""
    spans: list[Span] = []
    for index, piece in enumerate(pieces):
        if index and pieces[index - 1].block == piece.block:
            spans[-1] = replace(spans[-1], end=piece.end)
        else:
            spans.append(Span(piece.page, piece.start, piece.end))
    return tuple(spans)


def _text(pages: Sequence[str], pieces: Sequence[_Piece]) -> str:
    """The chunk text the pieces make: span texts joined by a blank line."""
    return "\n\n".join(pages[s.page - 1][s.start : s.end] for s in _spans(pieces))


def _heading_paths(pages: Sequence[str], blocks: Sequence[Block]) -> list[tuple[str, ...]]:
    """The heading path at each block: a heading of level n replaces those of level n or deeper."""
    stack: list[tuple[int, str]] = []
    paths = []
    for block in blocks:
        if block.kind == "heading":
            level = max(block.level, 1)
            stack = [(lvl, text) for lvl, text in stack if lvl < level]
            stack.append((level, pages[block.page - 1][block.start : block.end]))
        paths.append(tuple(text for _, text in stack))
    return paths


def _sections(blocks: Sequence[Block]) -> list[_Section]:
    """Group blocks by heading; a heading with no body joins the deeper heading that follows it."""
    sections: list[_Section] = []
    for index, block in enumerate(blocks):
        if block.kind == "aside":  # printed, never evidence: a cover block, a contents line
            continue
        bare = sections[-1] if sections and not sections[-1].body else None
        if block.kind == "paragraph" and sections:
            sections[-1] = replace(sections[-1], body=(*sections[-1].body, index))
        elif block.kind == "paragraph":
            sections.append(_Section((), (index,)))
        elif bare and bare.headings and max(blocks[bare.headings[-1]].level, 1) < block.level:
            sections[-1] = _Section((*bare.headings, index), ())
        else:
            sections.append(_Section((index,), ()))
    return sections


def _fit(
    pages: Sequence[str], before: list[_Piece], piece: _Piece, limit: int, count: TokenCounter
) -> _Piece | None:
    """The longest leading part of `piece` that fits after `before` within `limit` tokens."""
    text = pages[piece.page - 1][piece.start : piece.end]
    ends = [m.end() for m in _WORD.finditer(text)]
    first_word = replace(piece, end=piece.start + ends[0])
    if count(_text(pages, [*before, first_word])) > limit:
        ends = list(range(1, ends[0] + 1))  # a "word" too long for the room: cut between characters
    best, low, high = None, 0, len(ends) - 1
    while low <= high:  # binary search: counts grow with the prefix
        middle = (low + high) // 2
        candidate = replace(piece, end=piece.start + ends[middle])
        if count(_text(pages, [*before, candidate])) <= limit:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    if best is None and not before:
        best = replace(piece, end=piece.start + 1)  # a counter that scores one character > limit
    return best


def _remainder(pages: Sequence[str], piece: _Piece, head: _Piece) -> _Piece | None:
    """What is left of `piece` after `head`, without leading whitespace."""
    rest = pages[piece.page - 1][head.end : piece.end]
    start = head.end + len(rest) - len(rest.lstrip())
    return replace(piece, start=start) if start < piece.end else None


def _section_pieces(
    pages: Sequence[str],
    blocks: Sequence[Block],
    paths: Sequence[tuple[str, ...]],
    section: _Section,
) -> list[list[_Piece]]:
    """Each block of the section as its list of sentence pieces."""
    units = []
    for index in (*section.headings, *section.body):
        block = blocks[index]
        text = pages[block.page - 1][block.start : block.end]
        heading = block.kind == "heading"
        units.append(
            [
                _Piece(index, block.page, block.start + s, block.start + e, heading, paths[index])
                for s, e in split_sentences(text)
            ]
        )
    return units


class _Packer:
    """Fills chunks piece by piece within a token budget; the only mutable state here."""

    def __init__(
        self, pages: Sequence[str], count: TokenCounter, target: int, most: int, overlap: int
    ) -> None:
        self.pages, self.count = pages, count
        self.target, self.most, self.overlap = target, most, overlap
        self.chunks: list[Chunk] = []
        self.current: list[_Piece] = []
        self.carried = 0  # leading pieces repeated from the previous chunk

    def _tokens(self, pieces: Sequence[_Piece]) -> int:
        return self.count(_text(self.pages, pieces))

    def _fresh(self) -> bool:
        """Whether the current chunk holds body text of its own, beyond headings and overlap."""
        return any(not piece.heading for piece in self.current[self.carried :])

    def _limit(self) -> int:
        return self.target if self._fresh() else self.most

    def _share(self, piece: _Piece) -> int:
        """A budget that cuts an overlong sentence into near-equal parts, not a part and a stub."""
        total = self._tokens([*self.current, piece])
        parts = -(-total // self.most)
        return min(self.most, -(-total // parts) + max(1, self.most // 25))

    def add_block(self, pieces: list[_Piece]) -> None:
        """Add a whole block if it fits, else open a new chunk for it, else add it by sentence."""
        if self._tokens([*self.current, *pieces]) <= self._limit():
            self.current.extend(pieces)
            return
        if self._fresh() and self._tokens(pieces) <= self.target:
            self.flush(carry=True)
            if self._tokens([*self.current, *pieces]) <= self.most:
                self.current.extend(pieces)
                return
        for piece in pieces:
            self._add_piece(piece)

    def _add_piece(self, piece: _Piece) -> None:
        pending = [piece]
        while pending:
            piece = pending.pop()
            if self._tokens([*self.current, piece]) <= self._limit():
                self.current.append(piece)
            elif self._fresh():
                self.flush(carry=True)
                pending.append(piece)
            elif self.carried:  # overlap is a nicety: drop it before cutting a sentence
                del self.current[: self.carried]
                self.carried = 0
                pending.append(piece)
            elif head := _fit(self.pages, self.current, piece, self._share(piece), self.count):
                self.current.append(head)
                rest = _remainder(self.pages, piece, head)
                pending.extend([rest] if rest else [])
            else:  # headings so long that not one word fits beside them
                self.flush(carry=False)
                pending.append(piece)

    def flush(self, *, carry: bool) -> None:
        """Emit the current chunk; with `carry`, open the next with its trailing sentences."""
        if len(self.current) == self.carried:  # nothing new since the last chunk
            self.current, self.carried = [], 0
            return
        text = _text(self.pages, self.current)
        chunk = Chunk(
            len(self.chunks),
            text,
            _spans(self.current),
            self.current[-1].heading_path,
            self.count(text),
        )
        self.chunks.append(chunk)
        kept: list[_Piece] = []
        for size in range(1, len(self.current) if carry else 0):
            suffix = self.current[-size:]
            if suffix[0].heading or self._tokens(suffix) > self.overlap:
                break
            kept = suffix
        self.current, self.carried = kept, len(kept)


def chunk_blocks(
    pages: Sequence[str],
    blocks: Sequence[Block],
    count_tokens: TokenCounter,
    *,
    target_tokens: int = 180,
    max_tokens: int = 250,
    overlap_tokens: int = 30,
) -> tuple[Chunk, ...]:
    r"""Cut a document's blocks into chunks of about `target_tokens`, never over `max_tokens`.

    A heading opens a chunk; paragraphs are packed whole, long ones split at sentences and
    overlong sentences at words. Chunks within a section repeat up to `overlap_tokens` of the
    previous chunk's trailing sentences.

    Args:
        pages: cleaned text per page; page n is `pages[n - 1]`.
        blocks: headings and paragraphs located in `pages`, in reading order.
        count_tokens: the embedding model's count of word pieces, without special tokens.
        target_tokens: the size chunks are packed to.
        max_tokens: the hard ceiling on `count_tokens(chunk.text)`.
        overlap_tokens: the most a chunk repeats from the one before it in the same section.

    Returns:
        Chunks numbered from 0, whose spans cover every character of every heading and
        paragraph; asides (cover blocks, contents lines) are in no chunk.

    Example:
        >>> pages = ("1 Scope\n\nIt applies to all. It is new.",)
        >>> blocks = (Block(1, 0, 7, "heading", 1), Block(1, 9, 38))
        >>> [c.text for c in chunk_blocks(pages, blocks, lambda s: len(s.split()))]
        ['1 Scope\n\nIt applies to all. It is new.']

    Raises:
        ValueError: if the budgets are inconsistent (need 0 <= overlap < max and 0 < target <= max).
    """
    if not (0 < target_tokens <= max_tokens and 0 <= overlap_tokens < max_tokens):
        raise ValueError(
            f"chunk budgets target={target_tokens}, max={max_tokens}, overlap={overlap_tokens} "
            "are inconsistent: need 0 < target <= max and 0 <= overlap < max"
        )
    packer = _Packer(pages, count_tokens, target_tokens, max_tokens, overlap_tokens)
    paths = _heading_paths(pages, blocks)
    for section in _sections(blocks):
        for pieces in _section_pieces(pages, blocks, paths, section):
            packer.add_block(pieces)
        packer.flush(carry=False)
    return tuple(packer.chunks)
