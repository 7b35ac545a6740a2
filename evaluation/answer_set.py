"""Answer sets: is the sentence that answers quoted, first, from the right page; are the quotes
shown worth reading; does the bot refuse exactly when the library holds nothing?

An answer set is a TSV file whose header names at least these columns:

    id<TAB>split<TAB>style<TAB>question<TAB>file<TAB>pages<TAB>answer

`file` is the end of the answering document's path (`dfe_guidance/Local_offer_guidance.pdf`),
`pages` its pages (`4;17`), `answer` the sentence(s) that answer it as printed on the page, with
` || ` between alternatives that each answer it alone. An empty `file` marks a question the library
cannot answer. `split` is `tune` or `test`: tune on one, report the other. Any other column (such
as `showcase`) is kept and ignored.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.answer import Answer, Citation
from bot.selection import contents_residue, same_point
from evaluation.question_set import parse_pages, share
from index import terms

REQUIRED = ("id", "split", "style", "question", "file", "pages", "answer")
ANSWER_COVERAGE = 0.5  # a quote "holds" the answer when it has more than this share of its words
MIN_WORDS = 6
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")


class AnswerSetError(ValueError):
    """The answer set file cannot be read; the message says where and why."""


@dataclass(frozen=True)
class Item:
    id: str
    split: str
    style: str
    question: str
    file: str  # empty: the library cannot answer this one
    pages: frozenset[int]
    answers: tuple[str, ...]  # alternatives; each answers the question alone
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def answerable(self) -> bool:
        return bool(self.file)


@dataclass(frozen=True)
class Verdict:
    item: Item
    answered: bool
    quote_rank: int | None  # 1-based rank of the first quote that holds the answer
    page_rank: int | None  # of the first citation on the right page of the right file
    document_rank: int | None  # of the first citation from the right file
    junk: tuple[str, ...]  # one reason or "" per quote shown
    quotes: tuple[str, ...]
    where: tuple[str, ...]  # "file p. N" per quote shown

    @property
    def junk_count(self) -> int:
        return sum(bool(reason) for reason in self.junk)


def read_answer_set(path: Path) -> list[Item]:
    try:
        rows = list(
            csv.reader(
                path.read_text(encoding="utf-8").splitlines(),
                delimiter="\t",
                quoting=csv.QUOTE_NONE,
            )
        )
    except (OSError, UnicodeDecodeError) as error:
        raise AnswerSetError(f"{path}: cannot read: {error}") from error
    header = [c.strip().casefold() for c in rows[0]] if rows else []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise AnswerSetError(
            f"{path}: the header lacks {', '.join(missing)}; it needs {'<TAB>'.join(REQUIRED)}"
        )
    items = []
    seen: set[str] = set()
    for line, row in enumerate(rows[1:], start=2):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        cells = dict(zip(header, [*row, *[""] * len(header)], strict=False))
        try:
            item = _item(cells)
        except ValueError as error:
            raise AnswerSetError(f"{path}, line {line}: {error}") from error
        if item.id in seen:
            raise AnswerSetError(f"{path}, line {line}: id {item.id!r} is used twice")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise AnswerSetError(f"{path}: no questions")
    return items


def _item(cells: Mapping[str, str]) -> Item:
    file = cells["file"].strip()
    answers = tuple(a.strip() for a in cells["answer"].split("||") if a.strip())
    if not cells["id"].strip() or not cells["question"].strip():
        raise ValueError("id and question must not be empty")
    if file and not answers:
        raise ValueError("an answerable question needs its answer sentence(s)")
    if not file and (answers or cells["pages"].strip()):
        raise ValueError("answer or pages given but no file")
    return Item(
        id=cells["id"].strip(),
        split=cells["split"].strip() or "tune",
        style=cells["style"].strip(),
        question=cells["question"].strip(),
        file=file,
        pages=parse_pages(cells["pages"]),
        answers=answers,
        extra={k: v for k, v in cells.items() if k not in REQUIRED},
    )


def holds(quote: str, answer: str) -> bool:
    """Whether a quote holds most of the answer sentence's words (distinct stems, no stopwords).

    >>> holds("Reviews must take place within 20 working days.", "within 20 working days")
    True
    """
    wanted = set(terms(answer))
    if not wanted:
        return False
    return len(wanted & set(terms(quote))) / len(wanted) > ANSWER_COVERAGE


def junk_reason(quote: str, earlier: Sequence[str]) -> str:
    """Why a quote is not worth showing, or "" if it is.

    >>> junk_reason("The plan should set out:", [])
    'ends in a colon'
    """
    text = " ".join(quote.split())
    words = _WORD.findall(text)
    first = next((c for c in text if c.isalnum()), "")
    if text.endswith(":"):
        return "ends in a colon"
    if first.islower() or text[:1] in ",;:)]":
        return "starts mid-sentence"
    if len(words) < MIN_WORDS:
        return "under six words"
    if contents_residue(text):
        return "contents-page residue"
    if any(same_point(text, other) for other in earlier):
        return "near-duplicate of an earlier quote"
    return ""


def judge(item: Item, answer: Answer, source_of: Callable[[Citation], str]) -> Verdict:
    """Judge one answer against its item; `source_of` gives a citation's document path."""
    shown = answer.citations if answer.answered else ()
    quote_rank = page_rank = document_rank = None
    for rank, citation in enumerate(shown, start=1):
        if not item.answerable or not same_file(source_of(citation), item.file):
            continue
        document_rank = document_rank or rank
        on_page = (
            not citation.paginated
            or not item.pages
            or any(page in item.pages for page in range(citation.page_start, citation.page_end + 1))
        )
        if on_page:
            page_rank = page_rank or rank
            if quote_rank is None and any(holds(citation.quote, a) for a in item.answers):
                quote_rank = rank
    junk = tuple(junk_reason(c.quote, [e.quote for e in shown[:n]]) for n, c in enumerate(shown))
    where = tuple(
        f"{Path(source_of(c)).name} p. {c.page_start}" if c.paginated else Path(source_of(c)).name
        for c in shown
    )
    return Verdict(
        item,
        answer.answered,
        quote_rank,
        page_rank,
        document_rank,
        junk,
        tuple(c.quote for c in shown),
        where,
    )


def same_file(source: str, wanted: str) -> bool:
    """Whether a document's source path is the file an item names (the end of its path)."""
    source, wanted = source.casefold(), wanted.casefold().strip().lstrip("/")
    return source == wanted or source.endswith("/" + wanted)


def _within(rank: int | None, k: int) -> bool:
    return rank is not None and rank <= k


def summary(verdicts: Iterable[Verdict]) -> dict[str, float | int]:
    """The measures over answerable and unanswerable questions, shares rounded to 3 places."""
    items = list(verdicts)
    answerable = [v for v in items if v.item.answerable]
    unanswerable = [v for v in items if not v.item.answerable]
    quotes = sum(len(v.junk) for v in items)
    n = len(answerable)
    return {
        "answerable": n,
        "unanswerable": len(unanswerable),
        "quote_hit@1": share(sum(_within(v.quote_rank, 1) for v in answerable), n),
        "quote_hit@3": share(sum(_within(v.quote_rank, 3) for v in answerable), n),
        "page_hit@3": share(sum(_within(v.page_rank, 3) for v in answerable), n),
        "doc_hit@3": share(sum(_within(v.document_rank, 3) for v in answerable), n),
        "wrong_refusals": share(sum(not v.answered for v in answerable), n),
        "correct_refusals": share(sum(not v.answered for v in unanswerable), len(unanswerable)),
        "junk_quotes": share(sum(v.junk_count for v in items), quotes),
        "quotes_shown": quotes,
    }


def per_question(verdict: Verdict) -> dict[str, float]:
    """One question's scores, for `evidence eval compare` (hits only where there is one to hit)."""
    scores = {"right_call": float(verdict.answered == verdict.item.answerable)}
    if verdict.item.answerable:
        scores |= {
            "quote_hit@1": float(_within(verdict.quote_rank, 1)),
            "quote_hit@3": float(_within(verdict.quote_rank, 3)),
            "page_hit@3": float(_within(verdict.page_rank, 3)),
            "doc_hit@3": float(_within(verdict.document_rank, 3)),
        }
    if verdict.junk:
        scores["junk_share"] = verdict.junk_count / len(verdict.junk)
    return scores


def to_look_at(verdicts: Sequence[Verdict]) -> list[str]:
    """One line per question that missed: what went wrong and what was quoted first."""
    lines = []
    for v in verdicts:
        reasons = []
        if not v.item.answerable:
            if v.answered:
                reasons.append("answered, but the library has no evidence")
        elif not v.answered:
            reasons.append("refused")
        elif not _within(v.quote_rank, 3):
            reasons.append(
                "answer not quoted" if v.quote_rank is None else f"answer quoted at {v.quote_rank}"
            )
            if not _within(v.page_rank, 3):
                reasons.append("page missed" if v.document_rank else "document missed")
        reasons += [f"junk quote {n + 1}: {why}" for n, why in enumerate(v.junk) if why]
        if reasons:
            first = f" first: {v.where[0]} “{v.quotes[0][:100]}”" if v.quotes else ""
            lines.append(
                f"- {v.item.id} ({v.item.style}) {v.item.question} — {'; '.join(reasons)}.{first}"
            )
    return lines


def markdown(verdicts: Sequence[Verdict], splits: Mapping[str, dict[str, float | int]]) -> str:
    """A table with one column per split, then the questions to look at."""
    names = list(splits)
    measures = list(next(iter(splits.values())))
    lines = [
        "| measure | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
        *(f"| {m} | " + " | ".join(str(splits[s][m]) for s in names) + " |" for m in measures),
    ]
    misses = to_look_at(verdicts)
    if misses:
        lines += ["", "Questions to look at:", *misses]
    return "\n".join(lines)
