"""Redaction: each kind found and replaced, ordinary practice questions left alone."""

from __future__ import annotations

import dataclasses
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.redaction import KINDS, Redaction, redact
from bot.wording import REMINDER


@pytest.mark.parametrize(
    ("text", "secret", "kind"),
    [
        ("Family at SW1A 1AA", "SW1A 1AA", "postcode"),
        ("Family at sw1a1aa", "sw1a1aa", "postcode"),
        ("Moved to M1 1AE last week", "M1 1AE", "postcode"),
        ("Moved to B33 8TH.", "B33 8TH", "postcode"),
        ("Moved to cr2 6xh", "cr2 6xh", "postcode"),
        ("Moved to DN55 1PT", "DN55 1PT", "postcode"),
        ("Moved to W1A 0AX", "W1A 0AX", "postcode"),
        ("Moved to EC1A 1BB", "EC1A 1BB", "postcode"),
        ("Girobank was GIR 0AA", "GIR 0AA", "postcode"),
        ("NHS no 943 476 5919 on file", "943 476 5919", "NHS number"),
        ("NHS no 943-476-5919 on file", "943-476-5919", "NHS number"),
        ("NHS no 9434765919 on file", "9434765919", "NHS number"),
        ("NI number AB 12 34 56 C", "AB 12 34 56 C", "NI number"),
        ("NI number ab123456d", "ab123456d", "NI number"),
        ("Mum's mobile is 07700 900123", "07700 900123", "phone"),
        ("Ring +44 (0)113 496 0000 today", "+44 (0)113 496 0000", "phone"),
        ("Ring +447700900123 today", "+447700900123", "phone"),
        ("Ring (0113) 496 0000 today", "(0113) 496 0000", "phone"),
        ("Ring 020-7946-0958 today", "020-7946-0958", "phone"),
        (
            "Write to jo.bloggs+school@example.co.uk please",
            "jo.bloggs+school@example.co.uk",
            "email",
        ),
        ("Child DOB 03/04/2015 disclosed", "03/04/2015", "date of birth"),
        ("Child d.o.b. 3.4.15 disclosed", "3.4.15", "date of birth"),
        ("She was born on the 3rd of April 2015.", "3rd of April 2015", "date of birth"),
        ("Date of birth: 2015-04-03", "2015-04-03", "date of birth"),
        ("Born April 3, 2015 in Leeds", "April 3, 2015", "date of birth"),
        ("Lives at 12 Park Road with her gran", "12 Park Road", "address"),
        ("Lives at 3a St John's Rd with her gran", "3a St John's Rd", "address"),
        ("Lives at 7 The Grove", "7 The Grove", "address"),
    ],
)
def test_each_kind_is_replaced_by_its_placeholder(text: str, secret: str, kind: str) -> None:
    redaction = redact(text)
    assert redaction.kinds == (kind,)
    assert redaction.found
    assert secret not in redaction.text
    assert redaction.text == text.replace(secret, f"[{kind}]")


@pytest.mark.parametrize(
    ("text", "expected", "kinds"),
    [
        (
            "Jayden Smith (DOB 03/04/2015) is in care",
            "[name] (DOB [date of birth]) is in care",
            ("name", "date of birth"),
        ),
        ("Amy Jones, 12 Park Road, Leeds", "[name], [address], Leeds", ("name", "address")),
        (
            "Mrs Amy Jones lives at 4 Elm Grove",
            "Mrs [name] lives at [address]",
            ("name", "address"),
        ),
        (
            "Sarah O'Brien-Kelly was born on 1 May 2010",
            "[name] was born on [date of birth]",
            ("name", "date of birth"),
        ),
        ("Zoë Łukasz, 9 Mill Lane", "[name], [address]", ("name", "address")),
        (
            "Baby Smith, DOB 01/01/2024",
            "Baby [name], DOB [date of birth]",
            ("name", "date of birth"),
        ),
        (
            "Ofsted visited Mrs Jones at 9 Mill Lane",
            "Ofsted visited Mrs [name] at [address]",
            ("name", "address"),
        ),
        (
            "Jayden Lee Smith 03/04/2015, seen on 01/02/2020",
            "[name] [date of birth], seen on [date of birth]",
            ("name", "date of birth"),
        ),
        (
            "Twins DOB 03/04/2015 and 05/06/2015",
            "Twins DOB [date of birth] and [date of birth]",
            ("date of birth",),
        ),
    ],
)
def test_names_are_found_beside_a_date_of_birth_or_an_address(
    text: str, expected: str, kinds: tuple[str, ...]
) -> None:
    assert redact(text) == Redaction(expected, kinds)


def test_everything_at_once_keeps_the_order_found() -> None:
    text = (
        "Jayden Smith, DOB 03/04/2015, 12 Park Road LS1 4AB, NHS 943 476 5919, "
        "NI AB123456C, mum on 07700 900123 or mum@example.com"
    )
    redaction = redact(text)
    assert redaction.text == (
        "[name], DOB [date of birth], [address] [postcode], NHS [NHS number], "
        "NI [NI number], mum on [phone] or [email]"
    )
    assert redaction.kinds == (
        "name",
        "date of birth",
        "address",
        "postcode",
        "NHS number",
        "NI number",
        "phone",
        "email",
    )
    assert sorted(redaction.kinds) == sorted(KINDS)


@pytest.mark.parametrize(
    "text",
    [
        "What does section 47 of the Children Act 1989 require?",
        "How quickly should a referral be screened (within 24 hours)?",
        "Is a 10 year old at risk?",
        "17% of 412 social workers reported high caseloads in 2019.",
        "What does para 2.54 of Working Together 2023 say about strategy discussions?",
        "Working Together 03/04/2015 changed the rules",  # a title, not a name
        "NHS number 943 476 5918 fails the check digit",
        "Reference 1234567890 is not an NHS number",
        "NI prefixes never issued: BG123456A, GB123456A, ZZ123456A, QQ123456C, AO123456A",
        "NI numbers end A to D, so AB123456E is not one",
        "Ages 0-5 and 5-11, and 1 in 10 children",
        "Ring 0800 is too short, and 011349600001234 is too long",
        "Meeting on 03/04/2023 with the team",  # a date, but no birth and no name
        "She turned 9 in April 2015",
        "The 2023 Family Court ruling and section 12 Family Court guidance",
        "See s. 20 Park Road guidance and chapter 3 High Street",
        "Amy Jones is the child's name",  # names alone are not detected
        "Anna Freud Centre, Great Ormond Street",  # nor place names
        "Contact the team",
    ],
)
def test_ordinary_questions_are_left_alone(text: str) -> None:
    assert redact(text) == Redaction(text, ())
    assert not redact(text).found


def test_the_redaction_is_frozen_and_the_reminder_is_one_sentence() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        redact("x").text = "y"  # type: ignore[misc]
    assert REMINDER.endswith(".") and REMINDER.count(". ") == 0


FRAGMENTS = [
    "Jayden Smith",
    "Mrs Amy Jones",
    " DOB ",
    " born ",
    "date of birth ",
    "03/04/2015",
    "3 April 2015",
    "2015-04-03",
    " and ",
    ", ",
    "(",
    ")",
    "12 Park Road",
    "4a High St",
    "LS1 4AB",
    "GIR 0AA",
    "943 476 5919",
    "943 476 5918",
    "AB 12 34 56 C",
    "07700 900123",
    "+44 (0)113 496 0000",
    "jo@example.com",
    "@",
    " section 47 ",
    "[name]",
    "[date of birth]",
]
MESSAGES = st.lists(
    st.sampled_from(FRAGMENTS) | st.text(string.ascii_letters + string.digits + " .,/-()+@'"),
    max_size=12,
).map("".join)


@given(MESSAGES)
def test_redacting_twice_is_redacting_once(text: str) -> None:
    once = redact(text)
    assert redact(once.text) == Redaction(once.text, ())


@given(st.text().filter(lambda text: "@" not in text and not any(c in "0123456789" for c in text)))
def test_text_without_digits_or_at_signs_is_unchanged(text: str) -> None:
    assert redact(text) == Redaction(text, ())


@given(MESSAGES)
def test_kinds_are_unique_and_each_has_its_placeholder(text: str) -> None:
    redaction = redact(text)
    assert len(set(redaction.kinds)) == len(redaction.kinds)
    assert all(f"[{kind}]" in redaction.text for kind in redaction.kinds)
