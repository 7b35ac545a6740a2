"""The answering core every surface shares: a question in, a cited Answer out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.answer import Answer, compose_answer
from bot.councils import load_councils
from bot.outside import OutsideModel, load_outside_model
from bot.scope import load_scope
from index import Embedder, Filters, Library, Passage, load_glossary, terms


@dataclass(frozen=True)
class Retrieved:
    passages: list[Passage]
    vector: np.ndarray  # the embedding of the question with its expansions
    terms: dict[str, float]  # its search terms, weighted by rarity in the library
    unseen: float  # the share of the question's own terms the library has never seen


CANDIDATE_PASSAGES = 20  # retrieved for each question; the quotes are chosen among their sentences
CANDIDATES_PER_DOCUMENT = 6


class Answerer:
    """Retrieval plus answer composition over one open library; safe to share between threads."""

    def __init__(self, library: Library, min_score: float) -> None:
        self.library = library
        self.min_score = min_score
        self.glossary = load_glossary(library.settings.glossary)
        self.scope = load_scope(library.settings.scope)
        self.councils = load_councils(library.settings.councils)
        self.outside_model = _outside_model(library)

    def answer(
        self, question: str, filters: Filters | None = None, *, limit: int | None = None
    ) -> Answer:
        """Answer from the library, or say plainly that it holds no evidence."""
        settings = self.library.settings
        wanted = limit or settings.passages
        found = self.retrieve(question, filters, wanted)
        return compose_answer(
            question,
            found.passages,
            min_score=self.min_score,
            embed=self._embedder().embed,
            question_vector=found.vector,
            question_terms=found.terms,
            unseen_share=found.unseen,
            scope=self.scope,
            councils=self.councils,
            outside_model=self.outside_model,
            limit=wanted,
            per_document=settings.per_document,
            min_confidence=settings.min_confidence,
        )

    def retrieve(self, question: str, filters: Filters | None = None, wanted: int = 5) -> Retrieved:
        """The candidate passages for a question, searched with its glossary expansions."""
        settings = self.library.settings
        query = self.glossary.expand(question)
        vector = self._embedder().embed([query])[0]
        passages = self.library.search_by_vector(
            query,
            vector,
            filters,
            limit=max(CANDIDATE_PASSAGES, wanted),
            per_document=max(CANDIDATES_PER_DOCUMENT, settings.per_document),
            sentences=True,
        )
        rarity = self.library.term_weights(query)  # the question's own terms are in the query
        own = set(terms(question))
        unseen = len(rarity.unseen & own) / max(len(own), 1)
        return Retrieved(passages, vector, rarity.weights, unseen)

    def _embedder(self) -> Embedder:
        return self.library.require_embedder()

    def library_version(self) -> int | None:
        return self.library.version()


def _outside_model(library: Library) -> OutsideModel | None:
    """The question classifier, when it was fitted with the library's model and is on."""
    settings = library.settings
    model = load_outside_model(settings.outside_model, settings.outside_threshold)
    embedder = library.embedder
    if embedder is None or embedder.name != model.model or model.threshold >= 1.0:
        return None
    return model
