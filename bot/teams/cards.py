"""The Adaptive Card under every Teams answer: full passages, sources, evidence types, buttons.

Pure functions returning card JSON, no SDK. Library text only ever goes into `TextRun`s of a
`RichTextBlock`, which Teams does not read as Markdown, so a passage cannot format itself or link.
The supervision note is an `Action.Execute` (Universal Actions): Teams sends an
`adaptiveCard/action` invoke carrying the audit record's id. Share is an `Action.Submit` that opens
a dialog (`task/fetch`).
👍/👎 are Teams' own feedback buttons on the message (`message/submitAction`), not card buttons;
the verbs of the card buttons earlier answers carry are still handled.
"""

from __future__ import annotations

import json
from typing import Any

from bot.answer import NO_EVIDENCE, Answer, Citation
from bot.rendering import SAMPLE_FLAG, reference
from bot.teams.citations import EVIDENCE_LEAD, safe_url, shorten

Card = dict[str, Any]
CARD_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
HELPFUL, NOT_HELPFUL, NOTE = "feedback_up", "feedback_down", "supervision_note"
SHARE = "share"
NO_EVIDENCE_HEADER = "No evidence in the library"
RELATED_LABEL = "Possibly related (not an answer)"
RELATED_NOTE = "Below the evidence threshold; shown only as leads to look further."
SHORTENED = " (quote shortened)"
# Teams refuses messages over 100 KB; the card gives way (shorter quotes) well before that.
MAX_CARD_BYTES = 70_000
QUOTE_CAPS = (None, 2_000, 1_000, 500, 250)


def answer_card(
    answer: Answer,
    answer_id: int,
    *,
    library_version: int | None,
    shareable: bool,
    shared_by: str | None = None,
) -> Card:
    """The card for one answer, kept under `MAX_CARD_BYTES` by shortening quotes if it must.

    Args:
        answer: what the answering core returned.
        answer_id: the audit record's id, carried by every button.
        library_version: shown at the foot of the card.
        shareable: add "Share in a channel" (answers given in a personal chat).
        shared_by: the display name of whoever shared it, shown at the top; a shared copy
            carries no buttons, as in Slack.

    Returns:
        Adaptive Card JSON (schema 1.5).
    """
    for cap in QUOTE_CAPS:
        card = _card(answer, answer_id, library_version, shareable, cap, buttons=not shared_by)
        if shared_by:
            card["body"].insert(0, _rich(f"Shared by {shared_by}", isSubtle=True))
        if len(json.dumps(card, ensure_ascii=False).encode()) <= MAX_CARD_BYTES:
            break
    return card


def _card(
    answer: Answer,
    answer_id: int,
    version: int | None,
    shareable: bool,
    cap: int | None,
    buttons: bool = True,
) -> Card:
    if answer.answered:
        count = len(answer.citations)
        lead = f"{EVIDENCE_LEAD} ({count} passage{'' if count == 1 else 's'})"
        body: list[Card] = [_text(lead, weight="Bolder", size="Medium")]
        body += [_passage(c, cap, subtle=False) for c in answer.citations]
    else:
        body = [
            {
                "type": "Container",
                "style": "warning",
                "bleed": True,
                "items": [
                    _text(f"🔍 {NO_EVIDENCE_HEADER}", weight="Bolder", size="Medium"),
                    _rich(NO_EVIDENCE),
                ],
            }
        ]
        if answer.related:
            body.append(_text(f"{RELATED_LABEL}: {RELATED_NOTE}", isSubtle=True, separator=True))
            body += [_passage(c, cap, subtle=True) for c in answer.related]
    if version is not None:
        body.append(_text(f"Library version {version}", isSubtle=True, size="Small"))
    return {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "msteams": {"width": "Full"},
        "body": body,
        "actions": actions(answer_id, shareable=shareable) if buttons else [],
    }


def actions(answer_id: int, *, shareable: bool) -> list[Card]:
    """Share (answers given in a personal chat: opens a dialog) and the supervision note."""
    data = {"answer_id": answer_id}
    buttons = [_execute("Supervision note", NOTE, data)]
    if shareable:
        share = {"msteams": {"type": "task/fetch"}, "verb": SHARE, **data}
        buttons.insert(0, {"type": "Action.Submit", "title": "Share in a channel", "data": share})
    return buttons


def _passage(citation: Citation, cap: int | None, *, subtle: bool) -> Card:
    """The numbered quote, whole unless the card is too big, then its source and evidence type."""
    quote = " ".join(citation.quote.split())
    shortened = cap is not None and len(quote) > cap
    if shortened and cap is not None:
        quote = shorten(quote, cap)
    runs: list[Card] = [
        {"type": "TextRun", "text": f"[{citation.number}] ", "weight": "Bolder"},
        {"type": "TextRun", "text": f"“{quote}”", "italic": True, "isSubtle": subtle},
    ]
    if shortened:
        runs.append({"type": "TextRun", "text": SHORTENED, "isSubtle": True})
    source: list[Card] = [_run(reference(citation))]
    if url := safe_url(citation.source_url):
        source[0]["selectAction"] = {"type": "Action.OpenUrl", "url": url}
        source[0]["color"] = "Accent"
    kind: list[Card] = [_run(f"Evidence type: {citation.doc_type}", weight="Bolder")]
    if citation.sample:
        kind.append(_run(f"  ⚠ {SAMPLE_FLAG}", weight="Bolder", color="Attention"))
    return {
        "type": "Container",
        "separator": True,
        "spacing": "Medium",
        "items": [
            {"type": "RichTextBlock", "inlines": runs},
            {"type": "RichTextBlock", "inlines": source},
            {"type": "RichTextBlock", "inlines": kind},
        ],
    }


def _run(text: str, **style: Any) -> Card:
    return {"type": "TextRun", "text": text, "size": "Small", **style}


def _rich(text: str, **style: Any) -> Card:
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": text, **style}]}


def _text(text: str, **style: Any) -> Card:
    """A TextBlock for the bot's own words only (TextBlocks read Markdown)."""
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _execute(title: str, verb: str, data: dict[str, Any]) -> Card:
    return {"type": "Action.Execute", "title": title, "verb": verb, "data": data}


def attachment(card: Card) -> dict[str, Any]:
    """The card as a message attachment."""
    return {"contentType": CARD_TYPE, "content": card}
