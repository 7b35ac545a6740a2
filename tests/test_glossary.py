"""The glossary of the field's shorthand, and the scope markers: files, expansion, matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.councils import CouncilsError, load_councils
from bot.scope import ScopeError, load_scope
from index.glossary import GlossaryError, load_glossary


def test_acronyms_are_expanded_and_expansions_bring_their_acronym() -> None:
    glossary = load_glossary()
    assert "initial health assessment" in glossary.expand("IHA timescale")
    assert "initial health assessment" in glossary.expand("iha timescale")
    assert "(pep)" in glossary.expand("what goes in a personal education plan").casefold()
    assert glossary.expand("how do I write a good chronology") == (
        "how do I write a good chronology"
    )


def test_a_term_marked_exact_case_is_not_matched_as_an_ordinary_word() -> None:
    glossary = load_glossary()
    assert "special educational needs" in glossary.expand("SEND pupils on a CP plan")
    assert "special educational needs" not in glossary.expand("when do we send the file")


def test_the_centres_own_glossary_is_added(tmp_path: Path) -> None:
    extra = tmp_path / "ours.txt"
    extra.write_text("# local words\nTAF = team around the family\n", encoding="utf-8")
    glossary = load_glossary(extra)
    assert "team around the family" in glossary.expand("TAF meeting")
    assert "initial health assessment" in glossary.expand("IHA")


def test_a_bad_glossary_line_is_named(tmp_path: Path) -> None:
    extra = tmp_path / "bad.txt"
    extra.write_text("TAF team around the family\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match=r"bad\.txt, line 1"):
        load_glossary(extra)


def test_a_council_is_asked_about_only_when_its_own_services_are() -> None:
    asked_council = load_councils().asked
    assert asked_council("What did Ofsted find in Westmorland and Furness?") == (
        "Westmorland and Furness"
    )
    assert asked_council("What did inspectors say about North Somerset?") == "North Somerset"
    assert asked_council("What are Leeds City Council's thresholds?") == "Leeds"
    assert asked_council("I work in Norfolk: who attends a strategy discussion?") is None
    assert asked_council("Why was Bristol's TFD risk model switched off?") is None
    assert asked_council("Reading the guidance, what is a strategy discussion?") is None
    assert asked_council("How much does Kent pay its foster carers?") == "Kent"
    assert asked_council("Who runs Croydon's MASH?") == "Croydon"
    assert asked_council("Our school in Kent found a gap in its filtering") is None
    assert asked_council("whats norfolk paying foster carers? inspection said") == "Norfolk"
    assert asked_council("what did ofsted say when reading the report") is None
    assert load_councils().named_in(
        "Hertfordshire", "Joint targeted area inspection of Hertfordshire"
    )


def test_the_centre_adds_councils_and_spellings(tmp_path: Path) -> None:
    extra = tmp_path / "councils.txt"
    extra.write_text("# ours\nHertfordshire = Herts\nNewtown Unitary\n", encoding="utf-8")
    councils = load_councils(extra)
    assert councils.asked("What did Ofsted find in Herts?") == "Hertfordshire"
    assert councils.asked("What is Newtown Unitary's threshold?") == "Newtown Unitary"
    assert councils.named_in("Hertfordshire", "Joint targeted area inspection of Hertfordshire")
    assert load_councils().asked("What did Ofsted find in Herts?") is None
    with pytest.raises(CouncilsError, match=r"missing\.txt"):
        load_councils(tmp_path / "missing.txt")


def test_scope_names_why_a_question_is_outside_unless_the_evidence_speaks_of_it() -> None:
    scope = load_scope()
    assert scope.outside("What does Wales's guidance say?") == (
        "another UK nation's law and services"
    )
    assert scope.outside("Care Act 2014 needs assessment for a dad") == "adult social care"
    assert scope.outside("Can you translate this letter into Polish?") == "translation"
    assert scope.outside("Do Welsh councils do this?", ["Welsh councils report yearly."]) is None
    # "England and Wales" is English law's own jurisdiction, not a document about Wales.
    assert scope.outside("Wales's rules?", ["Children Act 1989 (England and Wales)"]) is not None
    assert scope.outside("Help for an 80 year old woman?") == "adult social care"
    assert scope.outside("A 24 year old care leaver wants help") is None
    assert scope.outside("A 15 year old from Romania is missing school") is None
    assert scope.outside("What are the rules in Romania?") == "another country's system"
    assert scope.outside("How often is the IHA reviewed?") is None
    assert scope.outside("A 40 year old autistic man needs support") == "adult social care"


def test_biography_case_forecasts_and_other_languages_are_outside() -> None:
    scope = load_scope()
    trivia = "facts about named people"
    assert scope.outside("When did Jane Doe become chief social worker?") == trivia
    assert scope.outside("How old is the children's minister?") == trivia
    assert scope.outside("Which school did Dr Smith go to?") == trivia
    # An office or a name alone, or a biographical word alone, is a practice question.
    assert scope.outside("What does the chief social worker say about supervision?") is None
    assert scope.outside("When did the child become looked after?") is None
    legal = "legal advice on a particular case"
    assert scope.outside("Will the judge grant the placement order for my family?") == legal
    assert scope.outside("Is the council likely to lose at the final hearing?") == legal
    assert scope.outside("Was our removal of the baby lawful?") == legal
    assert scope.outside("How long does the court have to decide a care application?") is None
    assert scope.outside("Write me a leaflet in plain Somali") == "translation"
    assert scope.outside("What's the Urdu for child protection plan?") == "translation"
    assert scope.outside("The family speak Arabic: how do I use an interpreter?") is None
    assert scope.outside("A teacher fluent in Polish wants to help") is None
    assert scope.outside("What's the out of hours social care number?") == "contact details"


def test_a_case_crossing_a_border_is_not_a_question_about_the_other_system() -> None:
    scope = load_scope()
    assert scope.outside("Placed in our school by a Welsh council: is he eligible?") is None
    assert scope.outside("He moves to adult social care at 18: which closure code?") is None
    assert scope.outside("What do Welsh councils pay kinship carers?") is not None
    assert scope.outside("Moved here from Wales; what does the Welsh code say?") is not None
    # England and Wales is the English jurisdiction, in the question as in the evidence.
    assert scope.outside("Is the CTF only for schools in England and Wales?") is None
    # Where someone lives counts only when the quotes themselves speak of the place.
    mum = "Birth mum lives in Scotland: who can witness her consent?"
    assert scope.outside(mum) is not None
    assert scope.outside(mum, quoted=["In Scotland, consent is witnessed by a JP."]) is None


def test_a_bad_scope_file_is_named(tmp_path: Path) -> None:
    extra = tmp_path / "scope.txt"
    extra.write_text("no equals sign here\n", encoding="utf-8")
    with pytest.raises(ScopeError, match=r"scope\.txt, line 1"):
        load_scope(extra)
