"""Composing an extractive answer: the passages' best sentences, quoted verbatim and cited.

The heart is `compose_answer`, which knows nothing of FAISS, Slack or terminals. Every quote is
cut from the stored page text by offsets and checked against it before it is ever shown.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.councils import Councils, load_councils
from bot.outside import OutsideModel
from bot.scope import Scope
from bot.selection import (
    FEATURES,
    Candidate,
    Quote,
    candidates,
    coverage,
    featurise,
    rarest,
    scored,
    select,
)
from index import Passage, terms

log = logging.getLogger(__name__)
Embed = Callable[[Sequence[str]], np.ndarray]
NO_EVIDENCE = "I could not find evidence on this in the library."
OUTSIDE = (
    "The question looks like one about {reason}; the library holds evidence on children's "
    "social care in England."
)
UNHELD = "The library holds no document about {council}."
RELATED_MARGIN = 0.12  # how far below the answer threshold a passage may be "possibly related"
MAX_RELATED = 3
# Fitted by benchmarks/fit_selection.py on the tune split (see docs/quality.md).
SENTENCE_WEIGHTS: dict[str, float] = {
    "sentence_cosine": 3.795,
    "passage_cosine": -8.787,
    "passage_fused": 12.783,
    "passage_rank": 0.986,
    "sentence_coverage": -1.509,
    "context_coverage": 5.252,
    "rare_coverage": -1.623,
    "lead_in": -1.161,
    "lower_start": -3.433,
    "short": -3.519,
    "list_item": -0.331,
    "first_in_passage": -0.064,
    "inspection_match": 2.496,
    "research_match": 1.011,
    "cosine_gap": 3.795,
    "coverage_gap": -1.509,
    "context_gap": 5.252,
    "cosine_rank": 1.388,
    "time_match": 2.246,
    "duty_match": -0.247,
    "definition_match": 2.104,
}
SENTENCE_BIAS = 0.0  # ranking needs none; the refusal model has its own
REFUSAL_WEIGHTS: dict[str, float] = {
    "top_score": 0.084,
    "top_sentence_cosine": 5.261,
    "top_passage_cosine": -2.486,
    "best_coverage": -4.123,
    "passage_coverage": 3.383,
    "rare_passage_coverage": 0.26,
    "unseen_terms": 5.476,
}
REFUSAL_BIAS = -2.602
MIN_CONFIDENCE = 0.0  # off: neutral on the development set, and miscalibrated on small libraries
STRONG_SCORE = 0.0
_FEATURE = {name: n for n, name in enumerate(FEATURES)}  # a feature's place in Candidate.features


class QuoteMismatch(AssertionError):
    """A quote that is not an exact substring of the page it cites: never shown."""


# Pages recognised with a mean word confidence below this are kept, but their quotes are never
# strong matches.
OCR_FLOOR = 0.80


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
    strength: str = "partial"  # how well the quote matches: "strong" or "partial"
    text_source: str = "digital"  # "ocr" when the quote's page was recognised from a scan
    ocr_confidence: float | None = None  # the engine's mean word confidence on that page

    @property
    def scanned(self) -> bool:
        return self.text_source == "ocr"


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    citations: tuple[Citation, ...]
    related: tuple[Citation, ...] = ()
    confidence: float | None = None  # the refusal model's probability that the quotes answer
    outside: str | None = None  # why the question is outside what the library is for
    council: str | None = None  # the council asked about, when the library holds nothing on it

    @property
    def message(self) -> str:
        if self.answered:
            return f"Found {len(self.citations)} passage(s) in the library."
        if self.outside:
            return f"{NO_EVIDENCE} {OUTSIDE.format(reason=self.outside)}"
        if self.council:
            return f"{NO_EVIDENCE} {UNHELD.format(council=self.council)}"
        return NO_EVIDENCE


def compose_answer(
    question: str,
    passages: Sequence[Passage],
    *,
    min_score: float,
    embed: Embed,
    question_vector: np.ndarray | None = None,
    question_terms: Mapping[str, float] | None = None,
    limit: int = 5,
    per_document: int = 2,
    min_confidence: float = MIN_CONFIDENCE,
    unseen_share: float = 0.0,
    scope: Scope | None = None,
    councils: Councils | None = None,
    outside_model: OutsideModel | None = None,
) -> Answer:
    """Quote the sentences that answer `question` from the retrieved passages, or refuse.

    Args:
        question: what the practitioner asked.
        passages: retrieved passages, best first, with the texts of the pages they lie on and,
            where the library stored them, their sentences' vectors.
        min_score: cosine similarity the best passage needs before anything counts as evidence.
        embed: turns texts into unit vectors with the library's model; used only for what
            is not at hand (the question without `question_vector`, sentences without vectors).
        question_vector: the question's embedding, when retrieval already made it.
        question_terms: the question's search terms (glossary expansions included) weighted by
            how rare they are in the library; plain question terms, equally weighted, without it.
        limit: quotes at most; per_document: quotes from any one document at most.
        unseen_share: the share of the question's terms the library has never seen.
        scope: what the library is not for; a question it marks is refused with the reason.
        councils: the councils a question may ask about (the bundled list without it).
        outside_model: the question classifier, reading `question_vector`.
        min_confidence: how sure the refusal model must be that the quotes answer.

    Returns:
        An Answer; `answered` is False when the evidence is too weak, with any near misses as
        `related`.
    """
    weights = question_terms or {t: 1.0 for t in terms(question)}
    ranked = rank_sentences(question, passages, embed, question_vector, weights)
    councils = councils or load_councils()
    council = councils.asked(question)
    unheld = None
    if council is not None:
        ranked, unheld = _about_council(councils, council, ranked, passages)
    quotes = select(ranked, passages, limit=limit, per_document=per_document)
    confidence = answer_confidence(ranked, passages, weights, unseen_share)
    best_cosine = max((p.dense_score for p in passages), default=0.0)
    # Where the best quotes come from: their documents' titles and their sections.
    sources = [
        " ".join((*passages[q.passage].heading_path, passages[q.passage].meta.title))
        for q in quotes[:3]
    ]
    quoted = [q.text for q in quotes[:3]]
    outside = scope.outside(question, sources, quoted) if scope is not None else None
    # The classifier is not asked about a council's question its own documents answer.
    held_council = council is not None and unheld is None
    if outside is None and outside_model and question_vector is not None and not held_council:
        outside = outside_model.reason(question_vector)
    answered = (
        bool(quotes)
        and best_cosine >= min_score
        and confidence >= min_confidence
        and outside is None
        and unheld is None
    )
    near = best_cosine >= min_score - RELATED_MARGIN and confidence >= min_confidence - 0.25
    shown = quotes if answered else quotes[:MAX_RELATED] if near else []
    citations: list[Citation] = []
    for quote in shown:
        try:
            citations.append(
                _cite(len(citations) + 1, passages[quote.passage], quote, strength(quote.score))
            )
        except QuoteMismatch:  # a bug, never evidence: log it and leave the passage out
            log.exception("dropped a quote from document %s", passages[quote.passage].document_id)
    if answered and citations:
        return Answer(question, True, tuple(citations), confidence=round(confidence, 3))
    if outside is not None or unheld is not None:
        return Answer(question, False, (), (), round(confidence, 3), outside, unheld)
    return Answer(question, False, (), tuple(citations), confidence=round(confidence, 3))


def _about_council(
    councils: Councils, name: str, ranked: list[Candidate], passages: Sequence[Passage]
) -> tuple[list[Candidate], str | None]:
    """Sentences for a question about one council's services come only from documents whose
    title names it; the council's name comes back when the library holds none."""
    held = {i for i, p in enumerate(passages) if councils.named_in(name, p.meta.title)}
    kept = [c for c in ranked if c.passage in held]
    return (kept, None) if kept else (ranked, name)


def rank_sentences(
    question: str,
    passages: Sequence[Passage],
    embed: Embed,
    question_vector: np.ndarray | None = None,
    question_terms: Mapping[str, float] | None = None,
) -> list[Candidate]:
    """Every quotable sentence of the passages with its features and score, best first."""
    found = candidates(passages)
    if not found:
        return []
    similarity = _similarities(question, passages, found, embed, question_vector)
    weights = question_terms or {t: 1.0 for t in terms(question)}
    featured = featurise(question, weights, passages, found, [float(s) for s in similarity])
    return scored(featured, SENTENCE_WEIGHTS, SENTENCE_BIAS)


def answer_confidence(
    ranked: Sequence[Candidate],
    passages: Sequence[Passage],
    question_terms: Mapping[str, float],
    unseen_share: float = 0.0,
) -> float:
    """How likely the best sentences answer the question at all (a calibrated probability)."""
    if not ranked:
        return 0.0
    values = refusal_features(ranked, passages, question_terms, unseen_share)
    z = REFUSAL_BIAS + sum(REFUSAL_WEIGHTS.get(k, 0.0) * v for k, v in values.items())
    return 1.0 / (1.0 + math.exp(-z))


def refusal_features(
    ranked: Sequence[Candidate],
    passages: Sequence[Passage],
    question_terms: Mapping[str, float],
    unseen_share: float = 0.0,
) -> dict[str, float]:
    """What the refusal model reads: how well the best sentences and passages match and cover
    the question, above all its rarest terms (a place, an Act, a name the library lacks)."""
    top = ranked[:3]
    texts = [" ".join((*p.heading_path, p.meta.title, p.text)) for p in passages[:3]]
    rare = rarest(question_terms)
    return {
        "top_score": top[0].score,
        "top_sentence_cosine": max(c.features[_FEATURE["sentence_cosine"]] for c in top),
        "top_passage_cosine": max((p.dense_score for p in passages), default=0.0),
        "best_coverage": max(c.features[_FEATURE["context_coverage"]] for c in top),
        "passage_coverage": max((coverage(question_terms, t) for t in texts), default=0.0),
        "rare_passage_coverage": max((coverage(rare, t) for t in texts), default=0.0),
        "unseen_terms": unseen_share,
    }


def strength(score: float) -> str:
    """'strong' or 'partial': how well a quote matches, from its sentence score."""
    return "strong" if score >= STRONG_SCORE else "partial"


def _similarities(
    question: str,
    passages: Sequence[Passage],
    sentences: Sequence[Candidate],
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


def verify_quote(quote: str, page_text: str, start: int, end: int) -> None:
    """Raises QuoteMismatch unless the quote is exactly the page text at those offsets."""
    if not quote or page_text[start:end] != quote or quote not in page_text:
        raise QuoteMismatch(f"quote is not verbatim page text: {quote[:60]!r}")


def _cite(number: int, passage: Passage, sentence: Quote, match: str) -> Citation:
    verify_quote(sentence.text, passage.page_texts[sentence.page], sentence.start, sentence.end)
    meta = passage.meta
    scan = passage.scanned.get(sentence.page)
    if scan is not None and scan.confidence < OCR_FLOOR:
        match = "partial"  # machine-read text this unsure is never shown as a strong match
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
        strength=match,
        text_source="ocr" if scan is not None else "digital",
        ocr_confidence=round(scan.confidence, 3) if scan is not None else None,
    )
