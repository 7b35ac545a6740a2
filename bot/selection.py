"""Choosing the sentences that answer: every sentence of the retrieved passages is scored on cheap
features, and the best are taken whole, without near-duplicates, a few per document.

Pure functions over records: no FAISS, no model (sentence cosines arrive computed). The weights
were fitted by `python -m benchmarks.fit_selection` on the tune split of
`benchmarks/answers/corpus.tsv` with cross-validation; docs/quality.md gives the comparison that
kept them.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from index import Passage, split_sentences, terms

MIN_TERMS = 3  # a "sentence" with fewer content words is a fragment ("Page 4", "Good")
DUPLICATE_OVERLAP = (
    0.7  # share of the shorter sentence's terms two quotes share when they say the same
)
LONG_QUOTE = 600  # characters one quote may span at most
MAX_SENTENCES = 3  # sentences in one quote at most
# A neighbouring sentence scored within this much of the quote's own joins it: the answer
# often runs over two sentences ("... should be kept. This applies to ..."). Chosen on the tune
# split by benchmarks/answer_ablation.py (docs/quality.md).
JOIN_MARGIN = 2.0
_LEAD_IN = re.compile(r"[:–—-]\s*$")
_DOT_LEADER = re.compile(r"(\.\s?){4,}|…{2,}|_{4,}")
_CONTENTS_LINE = re.compile(r"^[^.!?;]{3,120}?\s\d{1,3}$")
_JUDGEMENT_LINE = re.compile(
    r":\s*(good|outstanding|inadequate|requires improvement to be good)\.?$", re.IGNORECASE
)
_PAGE_NUMBER = re.compile(r"(?:^|\s)\d{1,3}(?=\s|$)")
_LIST_MARK = re.compile(r"^\s*([-•*–▪◦●◼]|\(?[a-z0-9]{1,3}[.)])\s")

# What a question asks for, from its words, and the kinds of source that answer it best.
INSPECTION_WORDS = frozenset(
    terms("ofsted inspector inspectors inspection inspected found jtai ilacs judgement judged")
)
RECORDING_WORDS = frozenset(
    terms(
        "record recorded recording code codes census return data item field submit report "
        "reporting dataset collect collected"
    )
)
RESEARCH_WORDS = frozenset(
    terms(
        "research evaluation evaluated evidence study studies found findings outcomes "
        "impact effective"
    )
)

FEATURES = (
    "sentence_cosine",
    "passage_cosine",
    "passage_fused",
    "passage_rank",
    "sentence_coverage",
    "context_coverage",
    "rare_coverage",
    "lead_in",
    "lower_start",
    "short",
    "list_item",
    "first_in_passage",
    "inspection_match",
    "data_spec_penalty",
    "research_match",
    "cosine_gap",
    "coverage_gap",
    "context_gap",
    "cosine_rank",
    "time_match",
    "duty_match",
    "definition_match",
)
# What a question asks for, read from its wording, and what an answering sentence then holds.
_ASKS_TIME = re.compile(
    r"\b(how (long|soon|quickly|often|frequently)|when|timescales?|timeframes?|deadline|"
    r"frequency|within|how many (days|weeks|months))\b",
    re.IGNORECASE,
)
_HAS_TIME = re.compile(
    r"\b(\d+|one|two|three|four|five|six|seven|ten|twelve|twenty)\s+(working\s+)?"
    r"(days?|weeks?|months?|years?|hours?)\b|\b(annually|yearly|monthly|weekly|daily|"
    r"every|within|immediately|promptly|without delay|at least)\b",
    re.IGNORECASE,
)
_ASKS_DUTY = re.compile(
    r"\b(must|should|have to|has to|need to|needs to|duty|duties|required|responsib\w+|"
    r"allowed|can (we|i|a|the))\b",
    re.IGNORECASE,
)
_HAS_DUTY = re.compile(
    r"\b(must|should|required|duty|responsib\w+|expected to|may)\b", re.IGNORECASE
)
_ASKS_DEFINITION = re.compile(
    r"\b(what (is|are|does)|definition|define[sd]?|meaning|mean)\b", re.IGNORECASE
)
_HAS_DEFINITION = re.compile(
    r"\b(is defined|are defined|means|refers to|is a|are those|is the|are children)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Candidate:
    """One quotable sentence of a retrieved passage, with its features."""

    passage: int  # index into the passages
    page: int
    start: int  # offsets into that page's text
    end: int
    text: str
    order: int  # position among the passage's sentences
    features: tuple[float, ...] = ()
    score: float = 0.0


@dataclass(frozen=True)
class Quote:
    """A verbatim stretch of one page: one to three whole sentences."""

    passage: int
    page: int
    start: int
    end: int
    text: str
    score: float


def candidates(passages: Sequence[Passage]) -> list[Candidate]:
    """Every quotable sentence of the passages, in order; the same sentence once only.

    A sentence printed twice (on two pages, or in two overlapping passages) is kept where it
    first appears: the later copies would only take a slot from a different point.
    """
    seen: set[str] = set()
    out: list[Candidate] = []
    for number, passage in enumerate(passages):
        headings = {h.strip() for h in passage.heading_path}
        order = 0
        for span in passage.spans:
            page_text = passage.page_texts.get(span.page, "")
            region = page_text[span.start : span.end]
            for start, end in split_sentences(region):
                text = region[start:end]
                key = " ".join(text.casefold().split())
                if key in seen or any(text in h for h in headings) or not quotable(text):
                    continue
                seen.add(key)
                out.append(
                    Candidate(number, span.page, span.start + start, span.start + end, text, order)
                )
                order += 1
    return out


def quotable(text: str) -> bool:
    """Whether a sentence could ever be a quote: not a fragment, a contents line or a dot leader."""
    flat = " ".join(text.split())
    return (
        len(terms(flat)) >= MIN_TERMS
        and not contents_residue(flat)
        and not _JUDGEMENT_LINE.search(flat)
    )


def contents_residue(flat: str) -> bool:
    """Whether a whitespace-flattened text is left over from a contents page or an index."""
    return bool(_DOT_LEADER.search(flat) or _CONTENTS_LINE.match(flat)) or contents_run(flat)


def contents_run(flat: str) -> bool:
    """A contents page flattened into one line: titles, each followed by a page number.

    >>> contents_run("7 Understanding safeguarding 7 The importance of sharing 8 Why data 9")
    True
    """
    return len(_PAGE_NUMBER.findall(flat)) >= 3 and not flat.rstrip().endswith((".", "?", "!"))


def coverage(wanted: Mapping[str, float], text: str) -> float:
    """The share of the question's term weight that a text contains."""
    total = sum(wanted.values())
    if not total:
        return 0.0
    have = set(terms(text))
    return sum(w for t, w in wanted.items() if t in have) / total


def featurise(
    question: str,
    question_terms: Mapping[str, float],
    passages: Sequence[Passage],
    found: Sequence[Candidate],
    cosines: Sequence[float],
) -> list[Candidate]:
    """The candidates with their feature vectors (in the order of FEATURES)."""
    asked = set(question_terms)
    inspection = bool(asked & INSPECTION_WORDS)
    recording = bool(asked & RECORDING_WORDS)
    research = bool(asked & RESEARCH_WORDS)
    rare = rarest(question_terms)
    asks_time = bool(_ASKS_TIME.search(question))
    asks_duty = bool(_ASKS_DUTY.search(question))
    asks_definition = bool(_ASKS_DEFINITION.search(question))
    top_fused = max((p.score for p in passages), default=1.0) or 1.0
    flats = [" ".join(c.text.split()) for c in found]
    covered = [coverage(question_terms, f) for f in flats]
    surroundings = [
        " ".join((*passages[c.passage].heading_path, passages[c.passage].meta.title, c.text))
        for c in found
    ]
    contexts = [coverage(question_terms, text) for text in surroundings]
    best_cosine, best_covered, best_context = max(cosines), max(covered), max(contexts)
    by_cosine = sorted(range(len(found)), key=lambda n: -cosines[n])
    cosine_rank = {n: rank for rank, n in enumerate(by_cosine)}
    out = []
    for number, (candidate, cosine) in enumerate(zip(found, cosines, strict=True)):
        passage = passages[candidate.passage]
        kind = passage.meta.doc_type
        flat = flats[number]
        features = (
            float(cosine),
            passage.dense_score,
            passage.score / top_fused,
            1.0 / (1 + candidate.passage),
            covered[number],
            contexts[number],
            coverage(rare, surroundings[number]) if rare else 1.0,
            float(bool(_LEAD_IN.search(flat))),
            float(flat[:1].islower()),
            float(len(flat.split()) < 8),
            float(bool(_LIST_MARK.match(candidate.text))),
            float(candidate.order == 0),
            float(inspection and kind == "inspection report"),
            float(kind == "data specification" and not recording),
            float(research and kind in ("research report", "systematic review")),
            float(cosine) - best_cosine,
            covered[number] - best_covered,
            contexts[number] - best_context,
            1.0 / (1 + cosine_rank[number]),
            float(asks_time and bool(_HAS_TIME.search(flat))),
            float(asks_duty and bool(_HAS_DUTY.search(flat))),
            float(asks_definition and bool(_HAS_DEFINITION.search(flat))),
        )
        out.append(replace(candidate, features=features))
    return out


def rarest(question_terms: Mapping[str, float], share: float = 0.34) -> dict[str, float]:
    """The question's rarest terms: about a third of them, at least one."""
    ranked = sorted(question_terms.items(), key=lambda kv: -kv[1])
    keep = max(1, math.ceil(len(ranked) * share)) if ranked else 0
    return dict(ranked[:keep])


def scored(
    found: Sequence[Candidate], weights: Mapping[str, float], bias: float
) -> list[Candidate]:
    """Candidates with their linear score, best first (ties keep the retrieval order)."""
    vector = [weights.get(name, 0.0) for name in FEATURES]
    out = [
        replace(c, score=bias + sum(w * f for w, f in zip(vector, c.features, strict=True)))
        for c in found
    ]
    return sorted(out, key=lambda c: -c.score)


def select(
    ranked: Sequence[Candidate],
    passages: Sequence[Passage],
    *,
    limit: int,
    per_document: int,
) -> list[Quote]:
    """The best sentences as whole quotes: no two saying the same, `per_document` per document.

    A sentence read from a scan (OCR) yields to the same sentence in a digital document further
    down: a scanned copy of pages the library also holds digitally never takes the original's
    place, and the quote shown is the one read from a text layer.
    """
    ranked = _digital_first(ranked, passages)
    pairs = _pairs(ranked)
    neighbours = {_key(b): a for b, a in pairs}
    before = {_key(a): b for b, a in pairs}
    chosen: list[Quote] = []
    taken: dict[int, int] = {}
    used: set[tuple[int, int, int]] = set()
    for candidate in ranked:
        if len(chosen) >= limit:
            break
        document = passages[candidate.passage].document_id
        if _key(candidate) in used:
            continue
        if taken.get(document, 0) >= per_document:
            continue
        quote = _grow(candidate, passages[candidate.passage], neighbours)
        quote = _join(quote, passages[candidate.passage], neighbours, before, used)
        if any(same_point(quote.text, q.text) for q in chosen):
            continue
        for part in _parts(quote, neighbours):
            used.add(part)
        taken[document] = taken.get(document, 0) + 1
        chosen.append(quote)
    return chosen


def _pairs(found: Sequence[Candidate]) -> list[tuple[Candidate, Candidate]]:
    """Candidates next to each other in one passage on one page, in reading order."""
    ordered = sorted(found, key=lambda c: (c.passage, c.page, c.start))
    return [
        (before, after)
        for before, after in itertools.pairwise(ordered)
        if before.passage == after.passage and before.page == after.page
    ]


def _key(candidate: Candidate) -> tuple[int, int, int]:
    """Where a sentence is: (passage, page, start)."""
    return (candidate.passage, candidate.page, candidate.start)


def _join(
    quote: Quote,
    passage: Passage,
    following: Mapping[tuple[int, int, int], Candidate],
    preceding: Mapping[tuple[int, int, int], Candidate],
    used: set[tuple[int, int, int]],
) -> Quote:
    """The quote with the sentence before or after it when that one scores nearly as well.

    Only sentences of the same paragraph join, at most three sentences and 600 characters in all,
    so the quote stays one verbatim stretch of one page.
    """
    page_text = passage.page_texts[quote.page]
    parts = _parts(quote, following)
    last, sentences = parts[-1], len(parts)
    start, end = quote.start, quote.end
    floor = quote.score - JOIN_MARGIN
    while sentences < MAX_SENTENCES:
        after = following.get(last)
        prior = preceding.get((quote.passage, quote.page, start))
        options = [
            c
            for c in (after, prior)
            if c is not None
            and c.score >= floor
            and _key(c) not in used
            and max(end, c.end) - min(start, c.start) <= LONG_QUOTE
            and "\n\n" not in page_text[min(end, c.end) : max(start, c.start)]
        ]
        if not options:
            break
        best = max(options, key=lambda c: c.score)
        if best is after:
            last, end = _key(best), best.end
        else:
            start = best.start
        sentences += 1
    start = _lead_in_before(page_text, start, end) if _mid_list(page_text[start:end]) else start
    if (start, end) == (quote.start, quote.end):
        return quote
    return replace(quote, start=start, end=end, text=page_text[start:end])


def _mid_list(text: str) -> bool:
    """A list item that continues a sentence ("• review the policy annually.")."""
    first = next((c for c in _LIST_MARK.sub("", text, count=1) if c.isalnum()), "")
    return bool(_LIST_MARK.match(text)) and first.islower()


def _lead_in_before(page_text: str, start: int, end: int) -> int:
    """Where the lead-in of the list holding `start` begins, if it fits; else `start`.

    Walks back over the list's earlier items to the sentence ending in a colon that opens it,
    keeping the quote within 600 characters.
    """
    position = start
    while True:
        before = page_text[:position].rstrip()
        gap = before.rfind("\n\n")
        block_start = gap + 2 if gap >= 0 else 0
        block = before[block_start:]
        if not block or end - block_start > LONG_QUOTE * 1.5:
            return start
        if block.endswith(":"):
            sentences = split_sentences(block)
            lead = block_start + sentences[-1][0] if sentences else block_start
            return lead if end - lead <= LONG_QUOTE else start
        if not _LIST_MARK.match(block) or gap < 0:
            return start
        position = block_start


def _grow(
    candidate: Candidate,
    passage: Passage,
    following: Mapping[tuple[int, int, int], Candidate],
) -> Quote:
    """The sentence, and what completes it: a lead-in ending in a colon brings what follows it.

    The quote stays one verbatim stretch of one page, at most three sentences and 600 characters.
    """
    page_text = passage.page_texts[candidate.page]
    first = last = candidate
    count = 1
    while count < MAX_SENTENCES and _LEAD_IN.search(" ".join(last.text.split())):
        nxt = following.get(_key(last))
        if nxt is None or nxt.end - first.start > LONG_QUOTE:
            break
        if page_text[last.end : nxt.start].count("\n\n") > 1:
            break
        last, count = nxt, count + 1
    text = page_text[first.start : last.end]
    return Quote(candidate.passage, candidate.page, first.start, last.end, text, candidate.score)


def _parts(
    quote: Quote, following: Mapping[tuple[int, int, int], Candidate]
) -> list[tuple[int, int, int]]:
    parts = [(quote.passage, quote.page, quote.start)]
    nxt = following.get(parts[-1])
    while nxt is not None and nxt.end <= quote.end:
        parts.append(_key(nxt))
        nxt = following.get(parts[-1])
    return parts


def _digital_first(ranked: Sequence[Candidate], passages: Sequence[Passage]) -> list[Candidate]:
    """`ranked` with each scanned sentence moved just after a digital one saying the same."""

    def scanned(candidate: Candidate) -> bool:
        return candidate.page in passages[candidate.passage].scanned

    if not any(scanned(c) for c in ranked):
        return list(ranked)
    order = list(ranked)
    for candidate in [c for c in ranked if scanned(c)]:
        here = order.index(candidate)
        later = next((n for n in range(here + 1, len(order)) if not scanned(order[n])
                      and same_point(candidate.text, order[n].text)), None)  # fmt: skip
        if later is not None:
            order.insert(later, order.pop(here))
    return order


def same_point(a: str, b: str) -> bool:
    """Whether two quotes say the same: they share 70 % of the shorter one's terms."""
    mine, theirs = set(terms(a)), set(terms(b))
    smaller = min(len(mine), len(theirs))
    return bool(smaller) and len(mine & theirs) / smaller >= DUPLICATE_OVERLAP
