"""Vectors of a passage's sentences, pooled from the passage's own forward pass.

At ingestion the model reads each passage once. The word-piece states that lie inside a sentence
are averaged into that sentence's vector ("late chunking"), so sentences get vectors at no extra
model cost, and each carries its passage's context. An answer then picks the sentence to quote
by comparing these with the question, without running the model on sentences while a
practitioner waits. Vectors are keyed by their sentence's page offsets, the same offsets a quote
is cut at, and stored as int8 codes beside the passage in the catalog.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from index.records import Span
from index.sentences import split_sentences

if TYPE_CHECKING:
    from index.embedding import Embedder

Key = tuple[int, int, int]  # page number, start and end offsets in that page's text
SEPARATOR = 2  # a chunk's text joins its spans with a blank line
FORMAT = b"\x01"  # the first byte of every stored blob: int8 codes with a scale per sentence


def sentence_spans(
    spans: Sequence[Span], pages: Mapping[int, str]
) -> tuple[list[Key], list[tuple[int, int]]]:
    """The sentences of a chunk: their page keys, and where each lies in the chunk's text.

    `pages` maps page numbers to texts. Sentences are split exactly as answers split them,
    region by region, so keys match the quotes answers cut.
    """
    keys: list[Key] = []
    where: list[tuple[int, int]] = []
    offset = 0
    for span in spans:
        region = pages[span.page][span.start : span.end]
        for start, end in split_sentences(region):
            keys.append((span.page, span.start + start, span.start + end))
            where.append((offset + start, offset + end))
        offset += len(region) + SEPARATOR
    return keys, where


def embed_chunks(
    embedder: Embedder, chunks: Sequence[tuple[str, Sequence[Span], Mapping[int, str]]]
) -> tuple[np.ndarray, list[bytes | None]]:
    """Passage vectors and packed sentence vectors of chunks, from one pass of the model.

    Each chunk is (its text, its spans, the texts of its document's pages by number). Ingestion
    and `Library.add_sentence_vectors` both embed through here, each backend in its own batches.
    """
    keys, where = zip(*(sentence_spans(spans, pages) for _, spans, pages in chunks), strict=True)
    vectors, pooled = embedder.embed_passages([text for text, _, _ in chunks], where)
    return vectors, [pack(k, v) for k, v in zip(keys, pooled, strict=True)]


def pool(hidden: np.ndarray, offsets: np.ndarray, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """Unit mean vectors of the word pieces inside each character span of the text.

    Args:
        hidden: (tokens, dimension) states of one text from the model's last layer.
        offsets: (tokens, 2) character offsets of each token; special and padding tokens are
            (0, 0) and never count.
        spans: (start, end) character ranges of the sentences.

    Returns:
        (len(spans), dimension) float32; a row is zero where no word piece lies inside the span
        (text past the model's window).
    """
    out = np.zeros((len(spans), hidden.shape[1]), dtype=np.float32)
    if not len(spans):
        return out
    starts, ends = offsets[: len(hidden), 0], offsets[: len(hidden), 1]
    real = ends > starts
    for row, (start, end) in enumerate(spans):
        inside = real & (starts >= start) & (ends <= end)
        if inside.any():
            vector = hidden[inside].mean(axis=0)
            norm = float(np.linalg.norm(vector))
            if norm > 0:
                out[row] = vector / norm
    return out


def pack(keys: Sequence[Key], vectors: np.ndarray) -> bytes | None:
    """Bytes for the catalog; zero rows (no vector) are left out, and None when none is left.

    Layout: the format byte, the count n, n keys (3 int32), n scales (float32), then n int8
    vectors, each scaled so its largest component is 127: about 0.4 KB a sentence at 384
    dimensions, and cosines within about 0.005 of the float32 ones.
    """
    keep = [row for row in range(len(keys)) if vectors[row].any()]
    if not keep:
        return None
    rows = np.asarray(vectors[keep], dtype=np.float32)
    scales = np.abs(rows).max(axis=1) / 127.0
    codes = np.rint(rows / scales[:, None]).astype(np.int8)
    return b"".join(
        (
            FORMAT,
            np.asarray([len(keep)], dtype="<i4").tobytes(),
            np.asarray([keys[row] for row in keep], dtype="<i4").tobytes(),
            scales.astype("<f4").tobytes(),
            codes.tobytes(),
        )
    )


def unpack(blob: bytes | None) -> dict[Key, np.ndarray]:
    """The sentence vectors `pack` stored, as unit float32 rows by key; {} for none."""
    if not blob:
        return {}
    if blob[:1] != FORMAT or len(blob) < 5:  # another release's format: as if there were none
        return {}
    count = int(np.frombuffer(blob, dtype="<i4", count=1, offset=1)[0])
    codes_bytes = len(blob) - 5 - 16 * count
    if count <= 0 or codes_bytes <= 0 or codes_bytes % count:  # not this format after all
        return {}
    keys = np.frombuffer(blob, dtype="<i4", count=3 * count, offset=5).reshape(count, 3)
    scales = np.frombuffer(blob, dtype="<f4", count=count, offset=5 + 12 * count)
    body = 5 + 16 * count
    codes = np.frombuffer(blob, dtype=np.int8, offset=body).reshape(count, -1)
    rows = codes.astype(np.float32) * scales[:, None]
    rows /= np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
    return {(int(p), int(s), int(e)): rows[n] for n, (p, s, e) in enumerate(keys)}
