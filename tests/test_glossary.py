"""The glossary of the field's shorthand, and the scope markers: files, expansion, matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.councils import asked_council, names_council
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
    assert asked_council("What did Ofsted find in Westmorland and Furness?") == (
        "Westmorland and Furness"
    )
    assert asked_council("What did inspectors say about North Somerset?") == "North Somerset"
    assert asked_council("What are Leeds City Council's thresholds?") == "Leeds"
    assert asked_council("I work in Norfolk: who attends a strategy discussion?") is None
    assert asked_council("Why was Bristol's TFD risk model switched off?") is None
    assert asked_council("Reading the guidance, what is a strategy discussion?") is None
    assert names_council("Hertfordshire", "Joint targeted area inspection of Hertfordshire")


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


def test_a_bad_scope_file_is_named(tmp_path: Path) -> None:
    extra = tmp_path / "scope.txt"
    extra.write_text("no equals sign here\n", encoding="utf-8")
    with pytest.raises(ScopeError, match=r"scope\.txt, line 1"):
        load_scope(extra)
