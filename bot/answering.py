"""The answering core every surface shares: a question in, a cited Answer out."""

from __future__ import annotations

from bot.answer import Answer, compose_answer
from index.library import Library
from index.records import Filters


class Answerer:
    """Retrieval plus answer composition over one open library; safe to share between threads."""

    def __init__(self, library: Library, min_score: float) -> None:
        self.library = library
        self.min_score = min_score

    def answer(
        self, question: str, filters: Filters | None = None, *, limit: int | None = None
    ) -> Answer:
        """Answer from the library, or say plainly that it holds no evidence."""
        embedder = self.library.embedder
        assert embedder is not None, "an Answerer needs a library opened with its model"
        vector = embedder.embed([question])[0]
        passages = self.library.search(
            question, filters, limit=limit, vector=vector, sentences=True
        )
        return compose_answer(
            question,
            passages,
            min_score=self.min_score,
            embed=embedder.embed,
            question_vector=vector,
        )

    def library_version(self) -> int | None:
        row = self.library.catalog.library()
        return row.index_version if row else None
