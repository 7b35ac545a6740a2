"""Sentence splitting: examples from report prose, and coverage of any text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.sentences import split_sentences


def _sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two? Three! Four", ["One.", "Two?", "Three!", "Four"]),
        (
            "Use tools, e.g. genograms, i.e. family maps, etc. They help.",
            ["Use tools, e.g. genograms, i.e. family maps, etc.", "They help."],
        ),
        (
            "Dr. Khan met Mr. and Mrs. Ali and Ms. Lee. Then",
            ["Dr. Khan met Mr. and Mrs. Ali and Ms. Lee.", "Then"],
        ),
        (
            "See s. 47 and ss. 17-20, para. 3, paras. 4 to 6. Next.",
            ["See s. 47 and ss. 17-20, para. 3, paras. 4 to 6.", "Next."],
        ),
        (
            "Vol. 2, No. 3, p. 14, pp. 15-19, fig. 4. Done.",
            ["Vol. 2, No. 3, p. 14, pp. 15-19, fig. 4.", "Done."],
        ),
        (
            "Smith et al. (2019) agree, cf. Jones. Approx. 40% did.",
            ["Smith et al. (2019) agree, cf. Jones.", "Approx. 40% did."],
        ),
        ("It rose 1.5 times to 2.75. Fine.", ["It rose 1.5 times to 2.75.", "Fine."]),
        (
            "2.3 Local authorities must act. They do.",
            ["2.3 Local authorities must act.", "They do."],
        ),
        (
            "J. Smith and A. B. Jones (2020) wrote. It helps.",
            ["J. Smith and A. B. Jones (2020) wrote.", "It helps."],
        ),
        ("He lives near St. Albans. Fine.", ["He lives near St. Albans.", "Fine."]),
        ("The answer was no. No. 10 agreed.", ["The answer was no.", "No. 10 agreed."]),
        (
            "In R v. Smith, J. (ed.) Social Work. Fine.",
            ["In R v. Smith, J. (ed.) Social Work.", "Fine."],
        ),
        (
            'She said "no." Then (as noted.) It ended.',
            ['She said "no."', "Then (as noted.)", "It ended."],
        ),
        ('"Why?" she asked. Fine.', ['"Why?" she asked.', "Fine."]),
        ("A heading without a stop\n\nA paragraph", ["A heading without a stop", "A paragraph"]),
        ("Wrapped across\na line. Next", ["Wrapped across\na line.", "Next"]),
        (
            "Includes:\n- visits\n• reviews\n1. plans",
            ["Includes:", "- visits", "• reviews", "1. plans"],
        ),
        ("1. Introduction to care", ["1. Introduction to care"]),
        ("Wait... then more. Wait... Then.", ["Wait... then more.", "Wait...", "Then."]),
        ("", []),
        (" \n\t ", []),
    ],
)
def test_split_sentences_examples(text: str, expected: list[str]) -> None:
    assert _sentences(text) == expected


_PIECES = [*"aZ1 .?!\n()\"'•-", "e.g. ", "Dr. ", "\n\n", "1.5", "J. ", "etc. ", "\n- "]


def _assert_covers_in_order(text: str) -> None:
    previous_end = 0
    covered: set[int] = set()
    for start, end in split_sentences(text):
        assert previous_end <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
        covered.update(range(start, end))
        previous_end = end
    assert {i for i, char in enumerate(text) if not char.isspace()} <= covered


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60).map("".join))
def test_split_sentences_covers_report_like_text(text: str) -> None:
    _assert_covers_in_order(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_split_sentences_covers_any_text(text: str) -> None:
    _assert_covers_in_order(text)
