"""Teams rendering: citation claims within Teams' limits, inert library text, a card that fits."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answer import Answer, Citation
from bot.teams.app import reply_activity
from bot.teams.cards import MAX_CARD_BYTES, SHORTENED
from bot.teams.citations import (
    MAX_NAME,
    SAMPLE_KEYWORD,
    answer_text,
    citation_claims,
    citation_name,
    escape_markdown,
    problems,
)
from bot.teams.replies import conversation_key, render


def cite(number: int = 1, **changes: Any) -> Citation:
    citation = Citation(
        number=number,
        document_id=number,
        title="Supervision study",
        publisher="Example Council",
        year=2021,
        source="/library/supervision.pdf",
        source_url="https://example.org/supervision.pdf",
        doc_type="research report",
        paginated=True,
        page_start=4,
        page_end=4,
        section="3 Findings > 3.2 Supervision",
        quote="Reflective supervision gave social workers protected time to think.",
        score=0.71,
    )
    return replace(citation, **changes)


def wire(answer: Answer) -> dict[str, Any]:
    """The message as the SDK puts it on the wire."""
    reply = render(answer, 7, 3, shareable=True)
    return reply_activity(reply).model_dump(mode="json", by_alias=True, exclude_none=True)


def claims_of(activity: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for e in activity.get("entities", []) for c in e.get("citation", [])]


def test_a_claim_names_title_page_and_section_and_labels_the_evidence_type() -> None:
    (claim,) = claims_of(wire(Answer("q", True, (cite(sample=True),))))
    appearance = claim["appearance"]
    assert claim["@type"] == "Claim" and claim["position"] == 1
    assert appearance["name"] == "Supervision study, p. 4, § 3.2 Supervision"
    assert appearance["keywords"] == [SAMPLE_KEYWORD, "research report", "2021"]
    assert appearance["url"] == "https://example.org/supervision.pdf"
    assert appearance["abstract"] == cite().quote


def test_long_titles_keep_page_and_section_within_80_characters() -> None:
    citation = cite(title="A very long report title " * 8, section="Part > " + "Findings " * 12)
    name = citation_name(citation)
    assert len(name) <= MAX_NAME and "p. 4" in name and name.count("…") == 2


def test_the_message_entity_has_no_ai_generated_label() -> None:
    (entity,) = wire(Answer("q", True, (cite(),)))["entities"]
    assert entity["@type"] == "Message" and "AIGeneratedContent" not in entity["additionalType"]


@settings(max_examples=100, deadline=None)
@given(
    title=st.text(max_size=300),
    section=st.text(max_size=300),
    quote=st.text(max_size=2_000),
    doc_type=st.text(max_size=60),
    count=st.integers(min_value=1, max_value=25),
    sample=st.booleans(),
)
def test_claims_always_meet_teams_limits(
    title: str, section: str, quote: str, doc_type: str, count: int, sample: bool
) -> None:
    citations = tuple(
        cite(n, title=title, section=section, quote=quote, doc_type=doc_type, sample=sample)
        for n in range(1, count + 1)
    )
    activity = wire(Answer("q", True, citations))
    claims = claims_of(activity)
    assert len(claims) == min(count, 20)
    assert problems(claims, activity["text"]) == []


def test_the_checker_catches_what_teams_would_refuse() -> None:
    good = claims_of(wire(Answer("q", True, (cite(),))))[0]
    too_long = {**good, "appearance": {**good["appearance"], "name": "x" * 81}}
    too_many_keywords = {**good, "appearance": {**good["appearance"], "keywords": ["a"] * 4}}
    assert problems([good], "“…” [1]") == []
    assert problems([too_long], "[1]") == ["citation 1: name of 81 characters"]
    assert problems([too_many_keywords], "[1]")
    assert problems([good], "no marker") == ["citation 1: no [1] marker in the text"]
    assert problems([good] * 21, "[1]")[0] == "21 citations, Teams allows 20"


def test_library_text_is_inert_in_the_message() -> None:
    quote = "See [1](https://evil.example) and <at>Everyone</at>, *now* `x`"
    text = answer_text(Answer("q", True, (cite(quote=quote),)))
    assert "[1](" not in text and "<at>" not in text
    assert "\\[1\\]" in text and "&lt;at&gt;" in text and "\\*now\\*" in text
    assert text.endswith(" [1]")  # only the bot's own marker is a citation
    assert escape_markdown("plain words") == "plain words"


def test_library_text_never_reaches_markdown_in_the_card() -> None:
    card = render(
        Answer("q", True, (cite(quote="**bold** [x](https://evil)"),)), 1, 1, shareable=False
    ).card

    def text_blocks(node: Any) -> list[str]:
        if isinstance(node, dict):
            own = [node["text"]] if node.get("type") == "TextBlock" else []
            return own + [t for v in node.values() for t in text_blocks(v)]
        if isinstance(node, list):
            return [t for v in node for t in text_blocks(v)]
        return []

    assert all("evil" not in t and "bold" not in t for t in text_blocks(card))
    assert "**bold** [x](https://evil)" in json.dumps(card)  # verbatim, in a TextRun


def test_an_enormous_answer_still_fits_one_message() -> None:
    citations = tuple(cite(n, quote="word " * 1_500) for n in range(1, 21))
    reply = render(Answer("q", True, citations), 1, 1, shareable=True)
    size = len(json.dumps(reply.card, ensure_ascii=False).encode())
    assert size <= MAX_CARD_BYTES
    assert SHORTENED in json.dumps(reply.card)
    assert len(reply.citations) == 20


def test_no_evidence_has_no_claims_and_labels_near_misses() -> None:
    answer = Answer("unicorns?", False, (), (cite(quote="Unicorns are not studied."),))
    activity = wire(answer)
    assert "entities" not in activity
    assert activity["text"].startswith("**No evidence in the library.**")
    card = json.dumps(activity["attachments"][0]["content"], ensure_ascii=False)
    assert "Possibly related (not an answer)" in card and "Unicorns are not studied." in card
    assert citation_claims(answer) == []


def test_long_conversation_ids_fit_the_audit_table() -> None:
    short = "19:abc@thread.v2"
    assert conversation_key(short) == short
    long = "a:1" + "x" * 200
    assert len(conversation_key(long)) <= 100
    assert conversation_key(long) == conversation_key(long) != conversation_key(long + "y")
