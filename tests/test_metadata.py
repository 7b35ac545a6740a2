"""Metadata inferred from hints and text, and overrides applied on top."""

from __future__ import annotations

from datetime import date

import pytest

from index.records import DOC_TYPES, DocumentMeta
from ingest.loaded import Block, LoadedDocument, MetadataHints
from ingest.metadata import (
    SAMPLE_MARKER,
    apply_overrides,
    canonical_doc_type,
    infer_metadata,
    tidy_file_name,
)


def loaded(
    *pages: str, hints: MetadataHints | None = None, headings: tuple[Block, ...] = ()
) -> LoadedDocument:
    """A LoadedDocument with the given pages, one paragraph block per page plus the headings."""
    paragraphs = tuple(Block(page=n, start=0, end=len(p)) for n, p in enumerate(pages, 1))
    blocks = tuple(sorted(headings + paragraphs, key=lambda b: (b.page, b.start)))
    return LoadedDocument("pdf", True, pages, blocks, hints or MetadataHints())


def heading(page_text: str, text: str, level: int) -> Block:
    start = page_text.index(text)
    return Block(page=1, start=start, end=start + len(text), kind="heading", level=level)


def test_title_prefers_hints_then_level_one_heading_then_file_name() -> None:
    page = "Contents\nFamily help in practice\nSome opening text."
    blocks = (heading(page, "Contents", 2), heading(page, "Family help in practice", 1))
    hinted = loaded(page, hints=MetadataHints(title="  Hinted   title "), headings=blocks)
    assert infer_metadata(hinted, "x.pdf").title == "Hinted title"
    assert infer_metadata(loaded(page, headings=blocks), "x.pdf").title == "Family help in practice"
    # A generic heading such as "Contents" names no document: the file name is better.
    assert infer_metadata(loaded(page, headings=blocks[:1]), "x.pdf").title == "x"
    plain = infer_metadata(loaded(page), "dir/Info_sharing-advice__May_2024.pdf")
    assert plain.title == "Info sharing advice May 2024"


def test_template_titles_from_file_properties_are_ignored() -> None:
    for junk in (
        "Microsoft Word - Document1.docx",
        "DFE stat guidance template",
        "Untitled",
        "LA NAME - report",
    ):
        meta = infer_metadata(loaded("text", hints=MetadataHints(title=junk)), "Real_name.pdf")
        assert meta.title == "Real name", junk
    word = infer_metadata(
        loaded("x", hints=MetadataHints(title="Microsoft Word - Kin care.docx")), "a"
    )
    assert word.title == "Kin care"


def test_tidy_file_name() -> None:
    assert tidy_file_name("Children_missing_education_guidance_-_August_2024.pdf") == (
        "Children missing education guidance August 2024"
    )
    assert tidy_file_name("notes") == "notes"


def test_publisher_is_the_earliest_known_name_in_the_first_two_pages() -> None:
    pages = ("Prepared with the NSPCC\n", "Ofsted and the Department for Education", "Home Office")
    assert infer_metadata(loaded(*pages), "a.pdf").publisher == "NSPCC"
    late = ("A report", "about things", "Published by Social Finance")
    assert infer_metadata(loaded(*late), "a.pdf").publisher == "Social Finance"
    assert infer_metadata(loaded("nothing here", "research in practice"), "a.pdf").publisher is None


def test_publisher_apostrophes_and_foundations() -> None:
    text = "What Works for Children’s Social Care\nA report"
    assert infer_metadata(loaded(text), "a").publisher == "What Works for Children's Social Care"
    assert infer_metadata(loaded("Strong Foundations for families"), "a").publisher is None
    both = "Foundations, the What Works Centre for Children & Families"
    assert infer_metadata(loaded(both), "a").publisher == "Foundations"


def test_organisation_authors_become_the_publisher() -> None:
    hints = MetadataHints(authors=("Department for Education", "Jo Bloggs", "ICHANDA"))
    meta = infer_metadata(loaded("text", hints=hints), "a.pdf")
    assert meta.authors == ("Jo Bloggs",)
    assert meta.publisher == "Department for Education"
    hinted = MetadataHints(publisher="Research in Practice", authors=("DfE",))
    assert infer_metadata(loaded("Ofsted", hints=hinted), "a").publisher == "Research in Practice"


@pytest.mark.parametrize(
    ("first_page", "year", "found"),
    [
        ("Guidance for local authorities\nMay 2024\n", 2024, "2024-05"),
        ("Dear colleagues\n12 December 2024\nJoint targeted area inspection", 2024, "2024-12-12"),
        ("Version 1.0\nOctober 2022", 2022, "2022-10"),
        ("Published 2019 under the Children Act 1989", 2019, "2019"),
        ("Under the Children Act 1989 only", None, None),
        ("Back in 1890 and forward to 2999", None, None),
    ],
)
def test_year_from_first_page(first_page: str, year: int | None, found: str | None) -> None:
    meta = infer_metadata(loaded(first_page, "Later page 2011"), "report.pdf")
    assert (meta.year, meta.date) == (year, found)


def test_copyright_year_then_title_year_then_hints() -> None:
    assert infer_metadata(loaded("Cover", "x", "© Crown copyright 2018"), "a.pdf").year == 2018
    assert infer_metadata(loaded("Cover"), "Keeping_safe_2025.pdf").year == 2025
    hinted = loaded("March 2001", hints=MetadataHints(date="2024-05-01"))
    meta = infer_metadata(hinted, "a.pdf")
    assert (meta.year, meta.date) == (2024, "2024-05-01")


def test_licence_from_text() -> None:
    ogl = "This publication is licensed under the terms of the Open\nGovernment Licence."
    assert infer_metadata(loaded("x", ogl), "a").licence == "Open Government Licence v3.0"
    v2 = "the Open Government Licence v2.0 applies"
    assert infer_metadata(loaded(v2), "a").licence == "Open Government Licence v2.0"
    assert infer_metadata(loaded("Licensed CC BY 4.0"), "a").licence == "CC BY 4.0"
    assert infer_metadata(loaded("no statement"), "a").licence is None
    hinted = loaded(ogl, hints=MetadataHints(licence="MIT"))
    assert infer_metadata(hinted, "a").licence == "MIT"


@pytest.mark.parametrize(
    ("title", "front", "doc_type"),
    [
        ("Working together", "Statutory guidance for local authorities", "statutory guidance"),
        (
            "Children missing education - Guidance",
            "Statutory guidance for schools",
            "statutory guidance",
        ),
        (
            "Info sharing advice",
            "This is non-statutory guidance. Our findings",
            "practice guidance",
        ),
        (
            "Inspection of Westshire local authority children's services",
            "findings",
            "inspection report",
        ),
        (
            "Letter",
            "Joint targeted area inspection of Sutton. Statutory guidance for",
            "inspection report",
        ),
        ("Kinship care: a systematic review", "We interviewed", "systematic review"),
        ("Family help pilot", "A rapid evidence review of findings", "systematic review"),
        ("Family help pilot: evaluation report", "must have regard to", "research report"),
        ("Family help pilot", "We interviewed 30 parents. This guidance", "research report"),
        ("Supervision toolkit", "", "practice guidance"),
        ("Minutes", "Nothing to see", "other"),
    ],
)
def test_doc_type_rules(title: str, front: str, doc_type: str) -> None:
    hints = MetadataHints(title=title)
    assert infer_metadata(loaded(front or " ", hints=hints), "a.pdf").doc_type == doc_type


def test_doc_type_hint_used_when_valid() -> None:
    assert infer_metadata(
        loaded("x", hints=MetadataHints(doc_type="Evaluation")), "a"
    ).doc_type == ("research report")
    junk = MetadataHints(doc_type="brochure")
    assert infer_metadata(loaded("A toolkit", hints=junk), "a").doc_type == "practice guidance"


def test_topics_need_repeated_keywords() -> None:
    text = (
        "Family group conferences were offered at the edge of care. Kinship carers came "
        "forward. Reducing entry to care was the aim. One referral came from a school."
    )
    meta = infer_metadata(loaded(text), "a.pdf")
    assert meta.topics == ("reducing the need for care",)


def test_topics_scale_with_length_and_keep_hints_first() -> None:
    filler = "word " * 5000
    text = filler + "caseload turnover retention burnout " * 2
    assert "workforce wellbeing and retention" not in infer_metadata(loaded(text), "a").topics
    text += "caseloads vacancies agency workers " * 4
    hints = MetadataHints(topics=("Kinship",))
    topics = infer_metadata(loaded(text, hints=hints), "a").topics
    assert topics == ("kinship", "workforce wellbeing and retention")


def test_education_not_counted_from_department_name() -> None:
    text = "Department for Education. " * 10
    assert "education" not in infer_metadata(loaded(text), "a").topics


def test_sample_only_from_marker_or_overrides() -> None:
    assert infer_metadata(loaded("A report"), "a").sample is False
    assert infer_metadata(loaded(f"{SAMPLE_MARKER}. It is not evidence."), "a").sample is True
    wrapped = SAMPLE_MARKER.replace(" for the ", " for the\n")
    assert infer_metadata(loaded("Title", wrapped), "a").sample is True


def test_apply_overrides_normalises_values() -> None:
    meta = DocumentMeta(title="Old", topics=("front door",), year=2001)
    changed = apply_overrides(
        meta,
        {
            "title": " New  title ",
            "authors": "A. Smith; B. Jones ;",
            "topics": ["Kinship", "Front Door"],
            "doc_type": "Evaluation",
            "year": "2020",
            "sample": "yes",
            "publisher": None,
            "licence": "",
        },
    )
    assert changed == DocumentMeta(
        title="New title",
        authors=("A. Smith", "B. Jones"),
        year=2020,
        doc_type="research report",
        topics=("kinship", "front door"),
        sample=True,
    )


def test_apply_overrides_date_sets_year_unless_given() -> None:
    meta = DocumentMeta(title="t")
    assert apply_overrides(meta, {"date": date(2022, 3, 1)}).year == 2022
    both = apply_overrides(meta, {"date": "2022-03", "year": 2023})
    assert (both.date, both.year) == ("2022-03", 2023)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"doc_type": "brochure"}, "statutory guidance, practice guidance"),
        ({"year": 1900}, "outside 1950"),
        ({"year": "last year"}, "whole number"),
        ({"sample": "maybe"}, "true or false"),
        ({"colour": "red"}, "unknown metadata keys"),
    ],
)
def test_apply_overrides_rejects_bad_values(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        apply_overrides(DocumentMeta(title="t"), overrides)


@pytest.mark.parametrize(
    ("alias", "doc_type"),
    [
        ("research", "research report"),
        ("Inspection", "inspection report"),
        ("GUIDANCE", "practice guidance"),
        ("statutory", "statutory guidance"),
        ("review", "systematic review"),
        ("Research_Report", "research report"),
    ],
)
def test_doc_type_aliases(alias: str, doc_type: str) -> None:
    assert canonical_doc_type(alias) == doc_type
    assert doc_type in DOC_TYPES


def test_generic_first_heading_is_not_taken_for_a_title() -> None:
    from ingest.loaded import Block, LoadedDocument, MetadataHints
    from ingest.metadata import infer_metadata

    page = "Context\n\nThis letter summarises the findings of a joint inspection."
    loaded = LoadedDocument(
        format="pdf",
        paginated=True,
        pages=(page,),
        blocks=(Block(1, 0, 7, "heading", 1), Block(1, 9, len(page))),
        hints=MetadataHints(),
    )
    assert infer_metadata(loaded, "JTAI_sutton_2023.pdf").title == "JTAI sutton 2023"
