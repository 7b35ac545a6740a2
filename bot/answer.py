"""Composing an extractive answer: the passages' best sentences, quoted verbatim and cited.

The heart is `compose_answer`, which knows nothing of FAISS, Slack or terminals. Every quote is
cut from the stored page text by offsets and checked against it before it is ever shown.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from index.lexical import terms
from index.records import Passage
from index.sentences import split_sentences

log = logging.getLogger(__name__)
Embed = Callable[[Sequence[str]], np.ndarray]
NO_EVIDENCE = "I could not find evidence on this in the library."
RELATED_MARGIN = 0.12  # how far below the answer threshold a passage may be "possibly related"
MAX_RELATED = 3
SHORT_QUOTE = 80  # characters; a best sentence shorter than this brings its neighbour along
LONG_QUOTE = 600
NEIGHBOUR_MARGIN = 0.2  # a neighbour this close to the best sentence's score is quoted with it


class QuoteMismatch(AssertionError):
    """A quote that is not an exact substring of the page it cites: never shown."""


@dataclass(frozen=True)
class Citation:
    number: int
    document_id: int
    title: str
    publisher: str | None
    year: int | None
    source: str
    source_url: str | None
    doc_type: str
    paginated: bool
    page_start: int
    page_end: int
    section: str
    quote: str
    score: float
    sample: bool = False


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    citations: tuple[Citation, ...]
    related: tuple[Citation, ...] = ()

    @property
    def message(self) -> str:
        if self.answered:
            return f"Found {len(self.citations)} passage(s) in the library."
        return NO_EVIDENCE


@dataclass(frozen=True)
class _Sentence:
    passage: int
    page: int
    start: int  # offsets into that page's text
    end: int
    text: str


def compose_answer(
    question: str,
    passages: Sequence[Passage],
    *,
    min_score: float,
    embed: Embed,
    question_vector: np.ndarray | None = None,
) -> Answer:
    """Quote the sentences that answer `question` from the passages that clear `min_score`.

    Args:
        question: what the practitioner asked.
        passages: retrieved passages, best first, with the texts of the pages they lie on and,
            where the library stored them, their sentences' vectors.
        min_score: cosine similarity a passage needs to count as evidence.
        embed: turns texts into unit vectors with the library's model; used only for what
            is not at hand (the question without `question_vector`, sentences without vectors).
        question_vector: the question's embedding, when retrieval already made it.

    Returns:
        An Answer; `answered` is False when no passage clears the threshold.
    """
    relevant = [p for p in passages if p.dense_score >= min_score]
    nearby = [p for p in passages if min_score - RELATED_MARGIN <= p.dense_score < min_score]
    chosen = relevant if relevant else nearby[:MAX_RELATED]
    quotes = _best_quotes(question, chosen, embed, question_vector)
    citations: list[Citation] = []
    for passage, quote in zip(chosen, quotes, strict=True):
        if quote is None:
            continue
        try:
            citations.append(_cite(len(citations) + 1, passage, quote))
        except QuoteMismatch:  # a bug, never evidence: log it and leave the passage out
            log.exception("dropped a quote from document %s", passage.document_id)
    if relevant and citations:
        return Answer(question, True, tuple(citations))
    return Answer(question, False, (), tuple(citations))


def _best_quotes(
    question: str,
    passages: Sequence[Passage],
    embed: Embed,
    question_vector: np.ndarray | None,
) -> list[_Sentence | None]:
    sentences = [s for i, p in enumerate(passages) for s in _sentences(i, p)]
    if not sentences:
        return [None] * len(passages)
    similarity = _similarities(question, passages, sentences, embed, question_vector)
    wanted = set(terms(question))
    scores = [
        float(sim) + 0.1 * (len(wanted & set(terms(s.text))) / max(len(wanted), 1))
        for sim, s in zip(similarity, sentences, strict=True)
    ]
    best: list[_Sentence | None] = []
    for i, passage in enumerate(passages):
        mine = [
            (score, n)
            for n, (score, s) in enumerate(zip(scores, sentences, strict=True))
            if s.passage == i
        ]
        if not mine:
            best.append(None)
            continue
        top, n = max(mine)
        best.append(_with_neighbour(passage, sentences, scores, n, top))
    return best


def _similarities(
    question: str,
    passages: Sequence[Passage],
    sentences: Sequence[_Sentence],
    embed: Embed,
    question_vector: np.ndarray | None,
) -> np.ndarray:
    """Cosine of the question with each sentence: stored vectors where the library has them.

    Libraries ingested before sentence vectors were stored, and any sentence without one, fall
    back to embedding the sentence here, which costs about 10 ms a sentence on two cores.
    """
    stored = [passages[s.passage].sentence_vectors.get((s.page, s.start, s.end)) for s in sentences]
    missing = [n for n, vector in enumerate(stored) if vector is None]
    texts = [sentences[n].text for n in missing]
    if question_vector is None:
        texts.insert(0, question)
    fresh = embed(texts) if texts else np.zeros((0, 0), dtype=np.float32)
    if question_vector is None:
        question_vector, fresh = fresh[0], fresh[1:]
    for n, vector in zip(missing, fresh, strict=True):
        stored[n] = vector
    return np.asarray(stored, dtype=np.float32) @ np.asarray(question_vector, dtype=np.float32)


def _with_neighbour(
    passage: Passage, sentences: list[_Sentence], scores: list[float], n: int, top: float
) -> _Sentence:
    """The best sentence, joined by the adjacent one in its paragraph when that one helps too.

    A neighbour comes along when the best sentence is very short, or when it scores nearly as
    well ("The review must happen within 20 working days" after "The initial health assessment
    should result in a health plan..."). The quote stays one verbatim stretch of one page.
    """
    quote = sentences[n]
    page_text = passage.page_texts[quote.page]
    candidates = []
    for m in (n - 1, n + 1):
        if not 0 <= m < len(sentences):
            continue
        other = sentences[m]
        first, last = (other, quote) if m < n else (quote, other)
        if (
            other.passage == quote.passage
            and other.page == quote.page
            and last.end - first.start <= LONG_QUOTE
            and "\n" not in page_text[first.end : last.start]
            and (len(quote.text) < SHORT_QUOTE or scores[m] >= top - NEIGHBOUR_MARGIN)
        ):
            candidates.append((scores[m], first, last))
    if not candidates:
        return quote
    _, first, last = max(candidates, key=lambda c: c[0])
    return _Sentence(
        quote.passage, quote.page, first.start, last.end, page_text[first.start : last.end]
    )


def _sentences(number: int, passage: Passage) -> list[_Sentence]:
    """Quotable sentences of a passage: headings and fragments such as "Page 4" left out."""
    headings = {h.strip() for h in passage.heading_path}
    out = []
    for span in passage.spans:
        page_text = passage.page_texts.get(span.page, "")
        region = page_text[span.start : span.end]
        for start, end in split_sentences(region):
            text = region[start:end]
            if any(text in h for h in headings) or len(terms(text)) < 3:
                continue
            out.append(_Sentence(number, span.page, span.start + start, span.start + end, text))
    return out


def verify_quote(quote: str, page_text: str, start: int, end: int) -> None:
    """Raises QuoteMismatch unless the quote is exactly the page text at those offsets."""
    if not quote or page_text[start:end] != quote or quote not in page_text:
        raise QuoteMismatch(f"quote is not verbatim page text: {quote[:60]!r}")


def _cite(number: int, passage: Passage, sentence: _Sentence) -> Citation:
    verify_quote(sentence.text, passage.page_texts[sentence.page], sentence.start, sentence.end)
    meta = passage.meta
    return Citation(
        number=number,
        document_id=passage.document_id,
        title=meta.title,
        publisher=meta.publisher,
        year=meta.year,
        source=meta.source_url or passage.source,
        source_url=meta.source_url,
        doc_type=meta.doc_type,
        paginated=passage.paginated,
        page_start=sentence.page,
        page_end=sentence.page,
        section=" > ".join(passage.heading_path),
        quote=sentence.text,
        score=round(passage.dense_score, 4),
        sample=meta.sample,
    )
