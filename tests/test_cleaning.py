"""Cleaning: character normalisation, hyphen mending, running headers, block offsets."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from ingest.cleaning import (
    Part,
    compose_page,
    compose_pages,
    join_lines,
    normalise_characters,
    strip_running_lines,
    tidy,
    vocabulary,
)
from ingest.loaded import Block


def test_normalise_characters() -> None:
    raw = "a\u00a0\u00a0b\tc  d \ufb01nd \ufb02ow\x07 soft\u00adhyphen\r\nnext\u200b line  "
    assert normalise_characters(raw) == "a b c d find flow softhyphen\nnext line"


def test_soft_hyphen_at_line_end_joins_the_word() -> None:
    assert normalise_characters("wel\u00ad\nbeing") == "welbeing"


def test_tidy_collapses_all_whitespace() -> None:
    assert tidy("  one\n two\t\tthree \n\n") == "one two three"


def test_join_lines_mends_hyphenated_breaks() -> None:
    assert join_lines(["the well-", "being of children"]) == "the wellbeing of children"
    assert join_lines(["an Anglo-", "Saxon name"]) == "an Anglo-Saxon name"
    assert join_lines(["pages 3 -", "5"]) == "pages 3 - 5"
    assert join_lines(["ends here.", "", "Next line"]) == "ends here. Next line"


def test_join_lines_keeps_real_compounds_the_document_uses() -> None:
    compound = vocabulary("The child's well being, and whole family work.")
    assert join_lines(["child well-", "being"], compound) == "child well-being"
    assert join_lines(["whole-", "family"], compound) == "whole-family"
    closed = vocabulary("Their wellbeing matters.")
    assert join_lines(["their well-", "being"], closed) == "their wellbeing"


def test_vocabulary_leaves_out_broken_halves() -> None:
    words = vocabulary("adip-\niscing elit sed")
    assert {"elit", "sed"} <= words
    assert "adip" not in words and "iscing" not in words


def _page(number: int, body: str) -> list[str]:
    return ["Inspection of Anytown children's services", f"Page {number} of 5", body, "", "x"]


def test_running_headers_and_page_numbers_are_removed() -> None:
    pages = [_page(n, f"Body text number {n * 17} about visits.") for n in range(1, 6)]
    pages[0].insert(0, "Front cover title")
    stripped = strip_running_lines(pages)
    assert stripped[0][0] == "Front cover title"
    for number, lines in enumerate(stripped, start=1):
        assert not any(line.startswith(("Inspection of", "Page ")) for line in lines)
        assert f"Body text number {number * 17} about visits." in lines


def test_running_lines_need_three_pages() -> None:
    pages = [_page(n, "Body.") for n in (1, 2)]
    assert strip_running_lines(pages) == pages


def test_a_year_on_the_cover_is_not_a_page_number() -> None:
    pages = [["2025", "Keeping children safe"]] + [[str(n), f"Text {n * 31}."] for n in range(2, 7)]
    stripped = strip_running_lines(pages)
    assert stripped[0] == ["2025", "Keeping children safe"]
    assert stripped[3] == ["Text 124."]


def test_lines_in_the_middle_of_a_page_are_kept_even_if_repeated() -> None:
    middle = ["a1", "a2", "a3", "Repeated line", "b1", "b2", "b3"]
    pages = [
        [f"{line} on page {n}" if line != "Repeated line" else line for line in middle]
        for n in "ABCD"
    ]
    assert all("Repeated line" in lines for lines in strip_running_lines(pages))


def test_compose_page_locates_each_part() -> None:
    parts = [Part(" Scope ", "heading", 1), Part("It  covers\nboth."), Part("  "), Part("End.")]
    text, blocks = compose_page(parts, 3)
    assert text == "Scope\n\nIt covers both.\n\nEnd."
    assert blocks == [
        Block(3, 0, 5, "heading", 1),
        Block(3, 7, 22, "paragraph", 0),
        Block(3, 24, 28, "paragraph", 0),
    ]


def test_compose_pages_keeps_empty_pages() -> None:
    pages, blocks = compose_pages([[Part("One.")], [], [Part("Three.")]])
    assert pages == ("One.", "", "Three.")
    assert [block.page for block in blocks] == [1, 3]


_texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
_parts = st.lists(
    st.builds(Part, _texts, st.sampled_from(["heading", "paragraph"]), st.integers(0, 6)),
    max_size=12,
)


@given(st.lists(_parts, max_size=5))
def test_blocks_always_point_at_their_own_clean_text(pages_parts: list[list[Part]]) -> None:
    pages, blocks = compose_pages(pages_parts)
    assert len(pages) == len(pages_parts)
    expected = [
        (number, tidy(part.text))
        for number, parts in enumerate(pages_parts, start=1)
        for part in parts
        if tidy(part.text)
    ]
    assert [(b.page, pages[b.page - 1][b.start : b.end]) for b in blocks] == expected
    for block in blocks:
        text = pages[block.page - 1][block.start : block.end]
        assert text and text == text.strip()
    for before, after in itertools.pairwise(blocks):
        assert (before.page, before.end) < (after.page, after.start)


def test_an_ofsted_judgement_heading_over_two_lines_is_one_heading() -> None:
    from ingest.loaders.pdf import assemble

    lines = [
        "The experiences and progress of children who need help and protection:",
        "requires improvement to be good",
        "1. Most children and families benefit from thorough screening at the front door by",
        "skilled workers, and decisions to support them are timely and appropriate.",
    ]
    parts = assemble(lines, frozenset(), 80.0)
    assert (parts[0].kind, parts[0].text) == (
        "heading",
        "The experiences and progress of children who need help and protection: "
        "requires improvement to be good",
    )
    assert parts[1].kind == "paragraph" and parts[1].text.startswith("1. Most children")


def test_a_letters_salutation_ends_the_address_and_the_title_follows() -> None:
    from ingest.loaders.pdf import assemble

    lines = [
        "Jo Bloggs, Director of Children's Services, Anytown Borough Council, Anytown",
        "Sam Smith, Chief Executive, Anytown Integrated Care Board and Partners",
        "Dear Anytown Local Safeguarding Partnership",
        "Joint targeted area inspection of Anytown",
        "This letter summarises the findings of the joint targeted area inspection of the",
        "multi-agency response to children who are victims of domestic abuse in Anytown.",
    ]
    parts = assemble(lines, frozenset(), 80.0)
    assert ("heading", "Joint targeted area inspection of Anytown") in [
        (p.kind, p.text) for p in parts
    ]


def test_layout_markers_are_dropped_and_footnote_numbers_parted() -> None:
    from ingest.cleaning import split_footnote_marks

    quoted = "“Individuals related to a child”"
    assert tidy(f"[block quote] {quoted}") == quoted
    words = frozenset({"basis", "harm"})
    parted = split_footnote_marks("lawful basis3 and “harm4”.", words)
    assert parted == "lawful basis 3 and “harm 4”."
    assert split_footnote_marks("codes N4, Y10 and CIN1", words) == "codes N4, Y10 and CIN1"


def test_table_rows_header_rows_and_captions_are_not_headings() -> None:
    from ingest.loaders.pdf import assemble

    lines = [
        "B1. Gender",
        "Code Description",
        "1 Male",
        "2 Female",
        "9 Indeterminate gender",
        "Figure 1 – Data modules",
        "7 Conclusion",
        "The database was used by most teams and its records were kept up to date by staff.",
        "30 mins to 2 hours (less than half a day) -1.25",
    ]
    parts = assemble(lines, frozenset(), 80.0)
    headings = [p.text for p in parts if p.kind == "heading"]
    assert headings == ["B1. Gender", "7 Conclusion"]
    asides = [p.text for p in parts if p.kind == "aside"]
    assert asides == ["Code Description", "Figure 1 – Data modules"]
    # the rows stay in the text, as paragraphs
    assert any(p.kind == "paragraph" and "2 Female" in p.text for p in parts)
