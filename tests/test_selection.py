"""Quote selection over scored sentences: whole answers, joined neighbours, list lead-ins."""

from __future__ import annotations

from dataclasses import replace

from bot.selection import JOIN_MARGIN, LONG_QUOTE, candidates, select
from index.records import DocumentMeta, Passage, Span


def passage(text: str) -> Passage:
    return Passage(
        chunk_id=1,
        document_id=1,
        source="/library/guidance.pdf",
        meta=DocumentMeta(title="Guidance", doc_type="statutory guidance"),
        paginated=True,
        text=text,
        spans=(Span(5, 0, len(text)),),
        heading_path=(),
        page_texts={5: text},
    )


def chosen(text: str, scores: dict[str, float], limit: int = 3) -> list[str]:
    """The quotes `select` takes when each sentence starting with a key has that score."""
    p = passage(text)
    found = candidates([p])
    ranked = [
        replace(c, score=next((v for k, v in scores.items() if c.text.startswith(k)), -9.0))
        for c in found
    ]
    ranked.sort(key=lambda c: -c.score)
    quotes = select(ranked, [p], limit=limit, per_document=3)
    for quote in quotes:
        assert text[quote.start : quote.end] == quote.text  # verbatim, one stretch of the page
    return [q.text for q in quotes]


PARAGRAPH = (
    "Records of allegations must be kept on the personnel file. They should be retained until "
    "the accused reaches pension age or for ten years if that is longer. Budget lines for the "
    "training programme are listed in the annex of this report."
)


def test_a_neighbour_scoring_nearly_as_well_joins_the_quote() -> None:
    quotes = chosen(PARAGRAPH, {"Records": 5.0, "They should": 5.0 - JOIN_MARGIN / 2})
    assert quotes[0].startswith("Records of allegations")
    assert quotes[0].endswith("if that is longer.")
    assert not any("Budget" in q for q in quotes[:1])


def test_a_neighbour_scoring_far_lower_stays_apart() -> None:
    quotes = chosen(PARAGRAPH, {"Records": 5.0, "They should": 5.0 - 2 * JOIN_MARGIN})
    assert quotes[0] == "Records of allegations must be kept on the personnel file."


def test_the_sentence_before_joins_when_it_scores_well() -> None:
    quotes = chosen(PARAGRAPH, {"They should": 5.0, "Records": 5.0 - JOIN_MARGIN / 2})
    assert quotes[0].startswith("Records of allegations")
    assert quotes[0].endswith("if that is longer.")


def test_sentences_of_another_paragraph_never_join() -> None:
    text = PARAGRAPH.replace(" Budget", "\n\nBudget")
    quotes = chosen(text, {"They should": 5.0, "Budget": 5.0})
    assert all("\n\n" not in q for q in quotes)


def test_joined_quotes_stay_within_three_sentences_and_the_length_limit() -> None:
    sentence = "Each plan should name the worker who reviews the placement every month. "
    text = sentence * 8
    quotes = chosen(text.strip(), {"Each plan": 5.0}, limit=2)
    for quote in quotes:
        assert quote.count("Each plan") <= 3
        assert len(quote) <= LONG_QUOTE


def test_a_list_item_is_quoted_with_the_lead_in_that_opens_its_list() -> None:
    text = (
        "Filtering standards set out that schools and colleges should:\n\n"
        "• assign roles and responsibilities to manage filtering systems.\n\n"
        "• review filtering and monitoring provision at least annually.\n\n"
        "Other matters are covered in part four of this guidance document."
    )
    quotes = chosen(text, {"• review": 5.0})
    assert quotes[0].startswith("Filtering standards set out that schools and colleges should:")
    assert quotes[0].endswith("at least annually.")


def test_a_sentence_read_from_a_scan_yields_to_the_same_sentence_in_a_digital_document() -> None:
    from index.records import ScannedPage

    text = "Strategy meetings are sometimes delayed in cases viewed as less urgent."
    misread = text.replace("delayed", "de1ayed")  # as OCR reads it
    scan = replace(passage(misread), document_id=2, scanned={5: ScannedPage(5, "tesseract", 0.9)})
    digital = passage(text)
    found = candidates([scan, digital])
    ranked = sorted(found, key=lambda c: c.passage)  # the scan's sentence ranked first
    quotes = select(ranked, [scan, digital], limit=1, per_document=3)
    assert [q.passage for q in quotes] == [1]  # the digital one
    alone = select(
        sorted(candidates([scan]), key=lambda c: c.order), [scan], limit=1, per_document=3
    )
    assert [q.passage for q in alone] == [0]  # with no digital copy, the scan is quoted
