"""Block Kit rendering: library text stays inert, every message stays within Slack's limits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block

from bot.answer import NO_EVIDENCE, Answer, Citation
from bot.rendering import SAMPLE_FLAG
from bot.slack.blocks import (
    EVIDENCE_LEAD,
    SHORTENED,
    ZWSP,
    Message,
    answer_messages,
    escape_mrkdwn,
    thinking_text,
)

INJECTION = "Call <@U123> and <!channel> or <#C42|general>, see <https://evil.example|click> & *go*"
BARE_AMPERSAND = re.compile(r"&(?!amp;|lt;|gt;)")


def cite(number: int = 1, **changes: Any) -> Citation:
    citation = Citation(
        number=number,
        document_id=number,
        title="Supervision study",
        publisher="Example Council",
        year=2021,
        source="/library/supervision.pdf",
        source_url=None,
        doc_type="research report",
        paginated=True,
        page_start=4,
        page_end=4,
        section="3 Findings > 3.2 Supervision",
        quote="Reflective supervision gave social workers protected time to think.",
        score=0.71,
    )
    return replace(citation, **changes)


def answered(*citations: Citation) -> Answer:
    return Answer("How does supervision help?", True, citations)


def unanswered(*related: Citation) -> Answer:
    return Answer("What about unicorns?", False, (), related)


def text_objects(message: Message) -> Iterator[dict[str, Any]]:
    for block in message.blocks:
        if "text" in block:
            yield block["text"]
        yield from block.get("elements", ())


def texts(message: Message) -> list[str]:
    return [message.text, *(t["text"] for t in text_objects(message))]


def everything(messages: list[Message]) -> str:
    return "\n".join(text for message in messages for text in texts(message))


def source_line(messages: list[Message], number: int) -> str:
    for text in everything(messages).splitlines():
        if text.startswith(f"*[{number}]* "):
            return text
    raise AssertionError(f"no source line for [{number}]")


def related_label_blocks(message: Message) -> list[dict[str, Any]]:
    return [
        b
        for b in message.blocks
        if b["type"] == "context" and "not an answer" in b["elements"][0]["text"]
    ]


def assert_valid(message: Message) -> None:
    assert len(message.blocks) <= 49  # 50, less one kept free for the lead's actions block
    assert 0 < len(message.text) < 4_000
    for block in message.blocks:
        parsed = Block.parse(block)  # slack-sdk's own models: a second, independent check
        assert parsed is not None
        parsed.validate_json()
        assert parsed.to_dict() == block
        kind = block["type"]
        assert kind in {"section", "context", "header", "divider"}
        if kind == "section":
            assert 0 < len(block["text"]["text"]) <= 3_000
        elif kind == "context":
            assert 0 < len(block["elements"]) <= 10
            assert all(0 < len(e["text"]) <= 3_000 for e in block["elements"])
        elif kind == "header":
            assert block["text"]["type"] == "plain_text"
            assert len(block["text"]["text"]) <= 150


def assert_inert(text: str) -> None:
    """No raw angle brackets (bar block-quote markers) and no bare ampersands."""
    body = "\n".join(line.removeprefix(">") for line in text.split("\n"))
    assert "<" not in body
    assert ">" not in body
    assert not BARE_AMPERSAND.search(text)


def test_escape_mrkdwn_neutralises_mentions_links_and_entities() -> None:
    escaped = escape_mrkdwn(INJECTION)
    assert_inert(escaped)
    assert "&lt;@U123&gt;" in escaped
    assert "&lt;!channel&gt;" in escaped
    assert "&lt;https://evil.example|click&gt;" in escaped
    assert " &amp; " in escaped


def test_escape_mrkdwn_wraps_formatting_markers_and_keeps_the_characters() -> None:
    text = "*bold* _italic_ ~strike~ `code`"
    escaped = escape_mrkdwn(text)
    assert escaped.replace(ZWSP, "") == text
    for marker in "*_~`":
        assert re.findall(rf"(?<!{ZWSP}){re.escape(marker)}", escaped) == []
        assert re.findall(rf"{re.escape(marker)}(?!{ZWSP})", escaped) == []


def test_library_text_never_injects_anywhere() -> None:
    nasty = cite(
        1,
        quote=INJECTION,
        title=INJECTION,
        publisher=INJECTION,
        section=INJECTION,
        doc_type=INJECTION,
        source=INJECTION,
    )
    for answer in (answered(nasty, cite(2)), unanswered(nasty)):
        messages = answer_messages(answer, library_version=3)
        for message in messages:
            for text in texts(message):
                assert "<@U123>" not in text and "<!channel>" not in text
                assert "<https://evil" not in text and "<#C42" not in text
                assert_inert(text)


def test_every_mrkdwn_object_is_verbatim() -> None:
    for answer in (answered(cite(1), cite(2)), unanswered(cite(1))):
        for message in answer_messages(answer, library_version=1):
            objects = [t for t in text_objects(message) if t["type"] == "mrkdwn"]
            assert objects
            assert all(t["verbatim"] is True for t in objects)


def test_quotes_are_numbered_block_quotes_with_page_labels() -> None:
    answer = answered(
        cite(1, quote="First line.\nSecond line."),
        cite(2, page_start=4, page_end=5),
        cite(3, paginated=False, page_start=0, page_end=0, title="Web guidance"),
    )
    [message] = answer_messages(answer)
    sections = [b["text"]["text"] for b in message.blocks if b["type"] == "section"]
    assert sections[0] == f"*{EVIDENCE_LEAD}* (3 passages)"
    assert "*[1]*\n>First line.\n>Second line." in sections
    assert "p. 4" in source_line([message], 1)
    assert "pp. 4-5" in source_line([message], 2)
    assert "p." not in source_line([message], 3)
    assert "*Sources*" in everything([message])
    assert "Example Council, 2021" in source_line([message], 1)
    assert "research report" in source_line([message], 1)
    assert "3 Findings &gt; 3.2 Supervision" in source_line([message], 1)


def test_only_http_urls_become_links() -> None:
    answer = answered(
        cite(1, source_url="https://example.org/r.pdf?a=1&b=2"),
        cite(2, source_url="http://example.org/x"),
        cite(3, source_url="javascript:alert(1)"),
        cite(4, source_url="ftp://example.org/r.pdf"),
        cite(5, source_url="file:///etc/passwd"),
        cite(6, source_url=None),
        cite(7, source_url="https://example.org/a|b>c"),
    )
    messages = answer_messages(answer)
    assert "<https://example.org/r.pdf?a=1&amp;b=2|Supervision study>" in source_line(messages, 1)
    assert "<http://example.org/x|Supervision study>" in source_line(messages, 2)
    for number in (3, 4, 5, 6):
        assert "<" not in source_line(messages, number)
    assert "<https://example.org/a%7Cb%3Ec|Supervision study>" in source_line(messages, 7)


def test_link_label_is_escaped() -> None:
    answer = answered(cite(1, title="<!here> & *x*", source_url="https://example.org/"))
    line = source_line(answer_messages(answer), 1)
    assert line.startswith("*[1]* <https://example.org/|&lt;!here&gt; &amp; ")
    assert "<!here>" not in line


def test_sample_material_is_flagged() -> None:
    messages = answer_messages(answered(cite(1, sample=True), cite(2)))
    assert SAMPLE_FLAG in source_line(messages, 1)
    assert SAMPLE_FLAG not in source_line(messages, 2)


def test_library_version_is_shown_in_a_context_block() -> None:
    [message] = answer_messages(answered(cite(1)), library_version=7)
    assert message.blocks[-1] == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": "Library version 7", "verbatim": True}],
    }
    [without] = answer_messages(answered(cite(1)))
    assert "Library version" not in everything([without])


def test_no_evidence_looks_different_and_related_is_not_an_answer() -> None:
    [real] = answer_messages(answered(cite(1)))
    [none] = answer_messages(unanswered(cite(1, quote="Unicorns are rarely assessed.")))
    assert real.blocks[0]["type"] == "section"
    assert none.blocks[0]["type"] == "header"
    assert "No evidence in the library" in none.blocks[0]["text"]["text"]
    assert EVIDENCE_LEAD not in everything([none])
    assert NO_EVIDENCE in everything([none])
    assert "No evidence" in none.text and "No evidence" not in real.text
    assert len(related_label_blocks(none)) == 1
    # The related passage is only ever shown in de-emphasised context blocks.
    [quoted] = [b for b in none.blocks if "Unicorns are rarely assessed." in str(b)]
    assert quoted["type"] == "context"
    assert all(b["type"] != "section" or "[1]" not in b["text"]["text"] for b in none.blocks)


def test_no_evidence_without_related_items() -> None:
    [message] = answer_messages(unanswered(), library_version=2)
    assert_valid(message)
    assert [b["type"] for b in message.blocks] == ["header", "section", "context"]
    assert related_label_blocks(message) == []


def test_a_huge_answer_splits_into_valid_messages_and_keeps_every_citation() -> None:
    citations = [
        cite(n, quote=f"Quote {n} " + "careful & <thorough> *work* " * 400) for n in range(1, 61)
    ]
    messages = answer_messages(answered(*citations), library_version=9)
    assert len(messages) > 1
    for message in messages:
        assert_valid(message)
    text = everything(messages)
    for n in range(1, 61):
        assert f"*[{n}]*\n>Quote {n} " in text
        assert source_line(messages, n)
    assert "(quote shortened)" in text
    assert f"part 1 of {len(messages)}" in messages[0].blocks[0]["text"]["text"]


def test_many_related_items_split_and_each_part_says_not_an_answer() -> None:
    related = [cite(n, quote="x" * 5_000, title="t" * 2_000) for n in range(1, 31)]
    messages = answer_messages(unanswered(*related))
    assert len(messages) > 1
    for message in messages:
        assert_valid(message)
        assert message.blocks[0]["type"] == "header"
        assert len(related_label_blocks(message)) == 1
    for n in range(1, 31):
        assert f"[{n}] “" in everything(messages)


def test_shortening_never_cuts_an_escape_sequence() -> None:
    for filler in ("&", "<", "*", "a&"):
        [message] = answer_messages(answered(cite(1, quote=filler * 4_000)))
        quote = message.blocks[1]["text"]["text"]
        assert len(quote) <= 3_000
        assert quote.endswith(f"…\n{SHORTENED}")
        assert not BARE_AMPERSAND.search(quote)
        assert not re.search(r"&(a|am|l|g|lt|gt|amp)?…", quote)
        if filler == "*":
            assert quote.removesuffix(f"…\n{SHORTENED}").endswith(f"{ZWSP}*{ZWSP}")


def test_huge_metadata_still_fits() -> None:
    long = "Title & <more> " * 1_000
    answer = answered(
        cite(
            1, title=long, publisher=long, section=long, doc_type=long, source_url="https://e.org/"
        )
    )
    for message in answer_messages(answer, library_version=1):
        assert_valid(message)
        assert "<https://e.org/|" in message.blocks[2]["text"]["text"]


def test_many_short_citations_split_on_the_block_limit() -> None:
    messages = answer_messages(answered(*(cite(n) for n in range(1, 201))), library_version=1)
    assert len(messages) > 4
    for message in messages:
        assert_valid(message)
    assert all(source_line(messages, n) for n in range(1, 201))


def test_thinking_text_is_plain() -> None:
    assert thinking_text()
    assert_inert(thinking_text())


QUOTE_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("<>&*_~`|@!:\n "),
        st.characters(exclude_characters=f"{ZWSP}\r"),
    ),
    max_size=4_000,
)


def unescape(text: str) -> str:
    text = text.replace(ZWSP, "").replace("&lt;", "<").replace("&gt;", ">")
    return text.replace("&amp;", "&")


@settings(max_examples=150, deadline=None)
@given(quotes=st.lists(QUOTE_TEXT, min_size=1, max_size=6), answered_=st.booleans())
def test_any_quote_text_renders_within_limits_and_stays_inert(
    quotes: list[str], answered_: bool
) -> None:
    citations = [cite(n, quote=q) for n, q in enumerate(quotes, start=1)]
    answer = answered(*citations) if answered_ else unanswered(*citations)
    messages = answer_messages(answer, library_version=1)
    for message in messages:
        assert_valid(message)
        for text in texts(message):
            assert_inert(text)
    if answered_:
        # The quote shown is the verbatim quote, or a prefix of it ending in "…".
        sections = [b["text"]["text"] for b in messages[0].blocks if b["type"] == "section"]
        shown = next(text for text in sections if text.startswith("*[1]*\n>"))
        body = shown.removeprefix("*[1]*\n>").replace("\n>", "\n")
        if body.endswith(f"\n{SHORTENED}"):
            cut = unescape(body.removesuffix(f"\n{SHORTENED}").removesuffix("…"))
            assert quotes[0].startswith(cut)
        else:
            assert unescape(body) == quotes[0]
    text = everything(messages)
    for n in range(1, len(quotes) + 1):
        assert f"[{n}]" in text
