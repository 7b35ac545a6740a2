"""Sentence vectors pooled at ingestion: pooling, storage, and quoting without the model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import update

from bot.answering import Answerer
from index.library import Library
from index.records import Span
from index.sentence_vectors import pack, pool, sentence_spans, unpack
from index.settings import Settings
from index.tables import ChunkRow
from ingest.job import ingest
from tests.support import factories
from tests.support.doubles import HashEmbedder

PAGES = (
    "Intro line.\n\nKinship care keeps children with family. Supervision helps decisions.",
    "Caseloads matter. Staff leave when caseloads are high.",
)


def test_pool_averages_only_the_word_pieces_inside_each_span() -> None:
    hidden = np.array([[9, 9], [1, 0], [3, 0], [0, 2], [9, 9]], dtype=np.float32)
    offsets = np.array([[0, 0], [0, 4], [5, 9], [11, 15], [0, 0]])  # [CLS] ... [SEP]
    pooled = pool(hidden, offsets, [(0, 9), (10, 15), (20, 30)])
    assert np.allclose(pooled[0], [1, 0])  # mean of (1, 0) and (3, 0), made unit length
    assert np.allclose(pooled[1], [0, 1])
    assert not pooled[2].any()  # past the model's window: no vector, never a made-up one


def test_pack_keeps_keys_and_vectors_and_drops_empty_rows() -> None:
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((3, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors[1] = 0
    keys = [(1, 0, 10), (1, 11, 20), (2, 5, 40)]
    blob = pack(keys, vectors)
    assert blob is not None and len(blob) == 1 + 4 + 2 * (12 + 4 + 8)
    stored = unpack(blob)
    assert list(stored) == [(1, 0, 10), (2, 5, 40)]
    assert np.allclose(stored[(2, 5, 40)], vectors[2], atol=0.02)
    assert float(stored[(2, 5, 40)] @ vectors[2]) > 0.999
    assert pack(keys, np.zeros((3, 8), dtype=np.float32)) is None
    assert unpack(None) == {}
    # Bytes of another format, even one starting like this one, read as "no vectors": the
    # answer then embeds the sentences rather than failing.
    other = np.asarray([1], "<i4").tobytes() + np.asarray(keys[0], "<i4").tobytes() + bytes(16)
    assert unpack(other) == {} and unpack(b"\x02" + blob[1:]) == {} and unpack(b"\x01") == {}


def test_sentence_spans_locate_each_sentence_in_the_chunk_and_on_its_page() -> None:
    spans = (Span(1, 13, len(PAGES[0])), Span(2, 0, len(PAGES[1])))
    text = "\n\n".join(PAGES[s.page - 1][s.start : s.end] for s in spans)
    keys, where = sentence_spans(spans, dict(enumerate(PAGES, start=1)))
    assert len(keys) == 4
    for (page, start, end), (a, b) in zip(keys, where, strict=True):
        assert PAGES[page - 1][start:end] == text[a:b]
    assert text[where[-1][0] : where[-1][1]] == "Staff leave when caseloads are high."


@pytest.mark.parametrize("backend", ["torch", "onnx"])
def test_the_real_model_gives_passage_vectors_unchanged_and_sentence_vectors_that_choose(
    backend: str, real_embedder: Any, model_cache: Path
) -> None:
    from index.embedding.onnx_backend import OnnxEmbedder

    model = (
        real_embedder
        if backend == "torch"
        else OnnxEmbedder("bundled:all-MiniLM-L6-v2", cache=model_cache, quantised=False)
    )
    texts = [
        "Caseloads were high in the team. Family group conferences bring relatives in before "
        "care is considered. The office moved in 2019.",
        "A short one.",
    ]
    first = texts[0]
    cuts = [first.index("Family"), first.index("The office")]
    sentences = [[(0, cuts[0] - 1), (cuts[0], cuts[1] - 1), (cuts[1], len(first))], [(0, 12)]]
    vectors, pooled = model.embed_passages(texts, sentences)
    assert np.allclose(vectors, model.embed(texts), atol=1e-5)
    assert pooled[0].shape == (3, model.dimension) and pooled[1].shape == (1, model.dimension)
    assert np.allclose(np.linalg.norm(pooled[0], axis=1), 1, atol=1e-5)
    question = model.embed(["Do family group conferences involve relatives?"])[0]
    assert int(np.argmax(pooled[0] @ question)) == 1


class CountingEmbedder(HashEmbedder):
    """The test double, recording every text it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def embed(self, texts: Any, *, batch_size: int = 64) -> np.ndarray:
        self.texts.extend(texts)
        return super().embed(texts, batch_size=batch_size)


def _library_with_a_report(settings: Settings, tmp_path: Path) -> tuple[Library, CountingEmbedder]:
    folder = tmp_path / "in"
    folder.mkdir()
    factories.make_pdf(
        folder / "conferences.pdf",
        [
            ["# Family group conferences", factories.prose(4, seed=5),
             "Family group conferences bring relatives in before care is considered. "
             "Coordinators are independent of the local authority."],
            ["# Costs", factories.prose(5, seed=6)],
        ],
        title="Family group conferences",
    )  # fmt: skip
    embedder = CountingEmbedder()
    library = Library(settings, embedder)
    assert not ingest(library, [folder]).failed
    return library, embedder


def test_answers_quote_from_stored_sentence_vectors_embedding_only_the_question(
    settings: Settings, tmp_path: Path
) -> None:
    library, embedder = _library_with_a_report(settings, tmp_path)
    question = "family group conferences relatives before care"
    embedder.texts.clear()
    answer = Answerer(library, min_score=0.1).answer(question)
    assert answer.answered
    assert embedder.texts == [question]  # no sentence went through the model
    assert answer.citations[0].quote.startswith("Family group conferences bring relatives in")
    library.close()


def test_a_library_without_sentence_vectors_quotes_by_embedding_them_until_reindexed(
    settings: Settings, tmp_path: Path
) -> None:
    library, embedder = _library_with_a_report(settings, tmp_path)
    question = "family group conferences relatives before care"
    stored = Answerer(library, min_score=0.1).answer(question)
    with library.catalog.session() as session:  # as a library ingested before revision 0005
        session.execute(update(ChunkRow).values(sentence_vectors=None))
        session.commit()
    embedder.texts.clear()
    fallback = Answerer(library, min_score=0.1).answer(question)
    assert len(embedder.texts) > 1 and embedder.texts[0] == question
    assert [c.quote for c in fallback.citations] == [c.quote for c in stored.citations]
    with library.writing():  # what `evidence reindex` does for such a library
        assert library.add_sentence_vectors(batch=2) == library.catalog.counts()["chunks"]
        assert library.add_sentence_vectors() == 0
    embedder.texts.clear()
    again = Answerer(library, min_score=0.1).answer(question)
    assert embedder.texts == [question]
    assert [c.quote for c in again.citations] == [c.quote for c in stored.citations]
    library.close()
