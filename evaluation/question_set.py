"""Question sets for real libraries: does retrieval find the right document and page, and does the
bot abstain exactly when the library holds nothing?

A question set is a TSV file with a header row and three columns:

    question<TAB>documents<TAB>pages

`documents` names the document(s) that answer the question, separated by `;`, each as a file name
(`kcsie-2025.pdf`), the end of a path, or a title; leave it empty for a question the library cannot
answer, where the right behaviour is "no evidence". `pages` lists the pages that answer it
(`4;17;20-22`); empty means any page of those documents.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from index import Passage

HEADER = ("question", "documents", "pages")


class QuestionSetError(ValueError):
    """The question set file cannot be read; the message says where and why."""


@dataclass(frozen=True)
class Question:
    line: int
    text: str
    documents: tuple[str, ...]  # empty: the library cannot answer this one
    pages: frozenset[int]  # empty: any page of the documents

    @property
    def answerable(self) -> bool:
        return bool(self.documents)


@dataclass(frozen=True)
class Judgement:
    question: Question
    document_rank: int | None  # rank of the first expected document among distinct documents
    page_hit: bool  # an expected page is among the passages the bot would show
    answered: bool  # the bot gave an answer rather than "no evidence"


def read_question_set(path: Path) -> list[Question]:
    try:
        rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines(), delimiter="\t"))
    except (OSError, UnicodeDecodeError) as error:
        raise QuestionSetError(f"{path}: cannot read: {error}") from error
    if not rows or tuple(c.strip().casefold() for c in rows[0][:3]) != HEADER:
        raise QuestionSetError(f"{path}: the first line must be the header: {'<TAB>'.join(HEADER)}")
    questions = []
    for line, row in enumerate(rows[1:], start=2):
        if not row or not row[0].strip() or row[0].lstrip().startswith("#"):
            continue
        cells = [*row, "", ""][:3]
        documents = tuple(d.strip() for d in cells[1].split(";") if d.strip())
        try:
            pages = parse_pages(cells[2])
        except ValueError as error:
            raise QuestionSetError(f"{path}, line {line}: {error}") from error
        if pages and not documents:
            raise QuestionSetError(f"{path}, line {line}: pages are given but no document")
        questions.append(Question(line, cells[0].strip(), documents, pages))
    if not questions:
        raise QuestionSetError(f"{path}: no questions")
    return questions


def parse_pages(text: str) -> frozenset[int]:
    """`4;17;20-22` -> {4, 17, 20, 21, 22}.

    >>> sorted(parse_pages("4; 20-22"))
    [4, 20, 21, 22]
    """
    pages: set[int] = set()
    for part in (p.strip() for p in text.replace(",", ";").split(";")):
        if not part:
            continue
        first, _, last = part.partition("-")
        if not first.strip().isdigit() or (last and not last.strip().isdigit()):
            raise ValueError(f"pages must look like 4;17;20-22, not {text!r}")
        low, high = int(first), int(last or first)
        if high < low or high - low > 1000:
            raise ValueError(f"page range {part!r} is backwards or too long")
        pages.update(range(low, high + 1))
    return frozenset(pages)


def matches(expected: str, passage: Passage) -> bool:
    """Whether a passage comes from the named document: file name, end of path, or title."""
    wanted = expected.casefold().strip()
    source = passage.source.casefold()
    return (
        Path(source).name == wanted
        or source.endswith("/" + wanted.lstrip("/"))
        or passage.meta.title.casefold().strip() == wanted
    )


def judge(
    question: Question, ranked: Sequence[Passage], shown: Sequence[Passage], answered: bool
) -> Judgement:
    """Judge one question from the ranked passages and the ones the bot would show."""
    rank = None
    seen: list[int] = []
    for passage in ranked:
        if passage.document_id in seen:
            continue
        seen.append(passage.document_id)
        if any(matches(d, passage) for d in question.documents):
            rank = len(seen)
            break
    page_hit = any(
        any(matches(d, p) for d in question.documents)
        and (not question.pages or any(s.page in question.pages for s in p.spans))
        for p in shown
    )
    return Judgement(question, rank, page_hit, answered)


def summary(judgements: Iterable[Judgement]) -> dict[str, float | int]:
    """Shares over the answerable and unanswerable questions, rounded to 3 places."""
    items = list(judgements)
    answerable = [j for j in items if j.question.answerable]
    unanswerable = [j for j in items if not j.question.answerable]
    n = len(answerable)
    return {
        "answerable": n,
        "unanswerable": len(unanswerable),
        "document_hit@1": share(sum(j.document_rank == 1 for j in answerable), n),
        "document_hit@5": share(sum((j.document_rank or 99) <= 5 for j in answerable), n),
        "page_hit@5": share(sum(j.page_hit for j in answerable), n),
        "wrongly_abstained": share(sum(not j.answered for j in answerable), n),
        "correctly_abstained": share(sum(not j.answered for j in unanswerable), len(unanswerable)),
    }


def share(count: int, total: int) -> float:
    """count / total rounded to 3 places; 0 when there is nothing to count."""
    return round(count / total, 3) if total else 0.0


def markdown(judgements: Sequence[Judgement], totals: dict[str, float | int]) -> str:
    lines = [
        "| measure | value |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in totals.items()),
        "",
    ]
    misses = [
        j
        for j in judgements
        if (j.question.answerable and (j.document_rank != 1 or not j.page_hit or not j.answered))
        or (not j.question.answerable and j.answered)
    ]
    if misses:
        lines.append("Questions to look at:")
    for j in misses:
        if not j.question.answerable:
            why = "answered, but the library should have no evidence"
        else:
            where = f"document at rank {j.document_rank}" if j.document_rank else "document missed"
            why = ", ".join(
                [where]
                + ([] if j.page_hit else ["expected page not shown"])
                + ([] if j.answered else ["abstained"])
            )
        lines.append(f"- line {j.question.line}: {j.question.text} ({why})")
    return "\n".join(lines)
