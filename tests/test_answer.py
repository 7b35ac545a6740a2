"""The answer composer: verbatim quotes from the cited page, or an honest 'no evidence'."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answer import NO_EVIDENCE, QuoteMismatch, compose_answer, verify_quote
from bot.rendering import render_text, to_dict
from bot.scope import load_scope
from index.records import DocumentMeta, Passage, Span
from tests.support.doubles import HashEmbedder

PAGE_3 = (
    "Supervision in practice\n\n"
    "Teams met weekly. Reflective supervision gave social workers protected time to think "
    "about what was happening for each child. Managers reported fewer drift cases.\n\n"
    "Costs were not measured."
)
PAGE_4 = "Caseloads above twenty children were linked with staff leaving within a year."


def passage(score: float, *, page: int = 3, text: str = PAGE_3, sample: bool = False) -> Passage:
    start = text.index("Teams") if page == 3 else 0
    return Passage(
        chunk_id=7,
        document_id=2,
        source="/library/supervision.pdf",
        meta=DocumentMeta(
            title="Supervision study",
            publisher="Example Council",
            year=2021,
            doc_type="research report",
            sample=sample,
        ),
        paginated=True,
        text=text[start:],
        spans=(Span(page, start, len(text)),),
        heading_path=("3 Findings", "3.2 Supervision"),
        page_texts={page: text},
        score=0.03,
        dense_score=score,
    )


def test_quotes_the_best_sentence_verbatim_with_its_page() -> None:
    answer = compose_answer(
        "How does reflective supervision help social workers think about each child?",
        [passage(0.7)],
        min_score=0.5,
        embed=HashEmbedder().embed,
    )
    assert answer.answered
    citation = answer.citations[0]
    assert citation.quote.startswith("Reflective supervision gave social workers")
    assert citation.quote in PAGE_3
    assert (citation.page_start, citation.page_end) == (3, 3)
    assert citation.section == "3 Findings > 3.2 Supervision"
    assert citation.number == 1


def test_a_lead_in_ending_in_a_colon_is_quoted_with_what_follows() -> None:
    text = (
        "The health plan should set out:\n\n"
        "• how the child's dental checks will be arranged each year.\n\n"
        "Unrelated budget tables follow in the annex of this report."
    )
    p = passage(0.8, page=4, text=text)
    answer = compose_answer(
        "what should the health plan set out", [p], min_score=0.5, embed=HashEmbedder().embed,
        min_confidence=0.0,
    )  # fmt: skip
    quotes = [c.quote for c in answer.citations]
    assert not any(q.endswith(":") for q in quotes)
    lead_in = next(q for q in quotes if q.startswith("The health plan should set out:"))
    assert "dental checks" in lead_in
    assert "budget" not in lead_in  # the next paragraph never joins


def test_below_threshold_is_no_evidence_with_possibly_related() -> None:
    answer = compose_answer(
        "reflective supervision", [passage(0.4)], min_score=0.5, embed=HashEmbedder().embed
    )
    assert not answer.answered
    assert answer.citations == ()
    assert answer.message == NO_EVIDENCE
    assert 1 <= len(answer.related) <= 3
    text = render_text(answer)
    assert NO_EVIDENCE in text
    assert "Possibly related" in text


def test_far_below_threshold_lists_nothing() -> None:
    answer = compose_answer("anything", [passage(0.1)], min_score=0.5, embed=HashEmbedder().embed)
    assert not answer.answered
    assert answer.related == ()


def test_json_structure_has_what_scripts_need() -> None:
    answer = compose_answer(
        "reflective supervision time", [passage(0.9)], min_score=0.5, embed=HashEmbedder().embed,
        min_confidence=0.0,
    )  # fmt: skip
    data = to_dict(answer)
    assert data["answered"] is True
    citation = data["citations"][0]
    for key in (
        "number", "document_id", "title", "source", "page_start", "page_end", "section",
        "doc_type", "score", "quote", "strength",
    ):  # fmt: skip
        assert key in citation
    assert citation["source"] == "/library/supervision.pdf"
    assert citation["strength"] in ("strong", "partial")
    assert 0.0 <= data["confidence"] <= 1.0


def test_sample_material_is_flagged_in_text() -> None:
    answer = compose_answer(
        "reflective supervision", [passage(0.9, sample=True)], min_score=0.5,
        embed=HashEmbedder().embed, min_confidence=0.0,
    )  # fmt: skip
    assert "SAMPLE MATERIAL, NOT EVIDENCE" in render_text(answer)


def test_verify_quote_rejects_anything_not_verbatim() -> None:
    verify_quote("Teams met weekly.", PAGE_3, PAGE_3.index("Teams"), PAGE_3.index("Teams") + 17)
    with pytest.raises(QuoteMismatch):
        verify_quote("Teams met  weekly.", PAGE_3, 0, 18)
    with pytest.raises(QuoteMismatch):
        verify_quote("", PAGE_3, 0, 0)


@settings(max_examples=60, deadline=None)
@given(
    sentences=st.lists(
        st.text(alphabet=st.sampled_from("abcdefgh ijk.,;"), min_size=1, max_size=60),
        min_size=1,
        max_size=8,
    ),
    question=st.text(alphabet="abcdefgh ", min_size=1, max_size=30),
    cut=st.integers(min_value=0, max_value=20),
)
def test_every_quote_is_verbatim_page_text(sentences: list[str], question: str, cut: int) -> None:
    text = " ".join(sentences)
    start = min(cut, max(len(text) - 1, 0))
    p = Passage(
        chunk_id=1, document_id=1, source="x", meta=DocumentMeta(title="t"), paginated=True,
        text=text[start:], spans=(Span(1, start, len(text)),), heading_path=(),
        page_texts={1: text}, dense_score=0.9,
    )  # fmt: skip
    answer = compose_answer(question, [p], min_score=0.5, embed=HashEmbedder().embed)
    for citation in answer.citations:
        assert citation.quote in text
        assert citation.quote.strip() == citation.quote


def test_the_same_sentence_on_two_pages_is_quoted_once() -> None:
    said = "Reviews of the health plan must happen within twenty working days."
    first = passage(0.8, page=4, text=said + " Dental checks are yearly.")
    second = replace(
        passage(0.79, page=9, text="Annex. " + said), chunk_id=8,
        spans=(Span(9, 0, len("Annex. " + said)),),
    )  # fmt: skip
    answer = compose_answer(
        "when must health plan reviews happen", [first, second], min_score=0.5,
        embed=HashEmbedder().embed, min_confidence=0.0,
    )  # fmt: skip
    quotes = [c.quote for c in answer.citations]
    assert sum(said in q for q in quotes) == 1


def test_a_question_outside_the_library_is_refused_with_the_reason() -> None:
    answer = compose_answer(
        "How does reflective supervision work in Scotland?", [passage(0.9)], min_score=0.5,
        embed=HashEmbedder().embed, min_confidence=0.0, scope=load_scope(),
    )  # fmt: skip
    assert not answer.answered
    assert answer.outside == "another UK nation's law and services"
    assert answer.message.startswith(NO_EVIDENCE)
    assert "England" in answer.message


def test_what_inspectors_found_in_a_council_comes_from_its_own_report() -> None:
    leicester = DocumentMeta(title="Inspection of Leicester children's services")
    other = replace(passage(0.9), meta=leicester)
    own = replace(
        passage(0.6, page=4, text=PAGE_4), chunk_id=9, document_id=5,
        meta=DocumentMeta(title="Inspection of Norfolk children's services"),
    )  # fmt: skip
    ask = "What did Ofsted find about caseloads in Norfolk?"
    answer = compose_answer(ask, [other, own], min_score=0.5, embed=HashEmbedder().embed,
                            min_confidence=0.0)  # fmt: skip
    assert answer.answered
    assert {c.title for c in answer.citations} == {"Inspection of Norfolk children's services"}
    refused = compose_answer(ask, [other], min_score=0.5, embed=HashEmbedder().embed,
                             min_confidence=0.0)  # fmt: skip
    assert not refused.answered and refused.council == "Norfolk"
    assert "no document about Norfolk" in refused.message
    assert to_dict(refused)["council"] == "Norfolk"


def test_a_document_about_the_other_nation_answers_for_it() -> None:
    welsh = replace(passage(0.9), meta=DocumentMeta(title="Reflective supervision in Wales"))
    ask = "How does reflective supervision work in Wales?"
    answer = compose_answer(ask, [welsh], min_score=0.5, embed=HashEmbedder().embed,
                            min_confidence=0.0, scope=load_scope())  # fmt: skip
    assert answer.answered and answer.outside is None
