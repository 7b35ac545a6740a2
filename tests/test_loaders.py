"""Every loader on generated files: clean page text, true offsets, hints, clear rejections."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.loaded import LoadedDocument, RejectedFile
from ingest.loading import load_file
from tests.support import factories
from tests.support.factories import prose

LIMIT = 20 * 2**20


def assert_blocks_valid(document: LoadedDocument) -> None:
    """The contract: blocks are non-empty stripped text of one page, in order, never overlapping."""
    previous = (0, 0)
    for block in document.blocks:
        assert 1 <= block.page <= len(document.pages)
        text = document.pages[block.page - 1][block.start : block.end]
        assert text and text == text.strip(), block
        assert (block.page, block.start) >= previous, block
        previous = (block.page, block.end)
        assert (block.kind == "heading") == (block.level > 0), block


def texts(document: LoadedDocument, kind: str | None = None) -> list[str]:
    return [
        document.pages[b.page - 1][b.start : b.end]
        for b in document.blocks
        if kind is None or b.kind == kind
    ]


def load(path: Path) -> LoadedDocument:
    document = load_file(path, LIMIT)
    assert_blocks_valid(document)
    return document


# PDF


def test_pdf_pages_headings_paragraphs_and_blank_pages(tmp_path: Path) -> None:
    pages = [
        ["# 1. Introduction", prose(4, 1), "# 1.2 Supervision", prose(4, 2)],
        [],
        [prose(3, 3)],
    ]
    document = load(factories.make_pdf(tmp_path / "a.pdf", pages))
    assert document.format == "pdf" and document.paginated
    assert len(document.pages) == 3 and document.pages[1] == ""
    assert texts(document, "heading") == ["1. Introduction", "1.2 Supervision"]
    assert [b.level for b in document.blocks if b.kind == "heading"] == [1, 2]
    assert texts(document, "paragraph") == [prose(4, 1), prose(4, 2), prose(3, 3)]
    assert "1 of 3 pages have no extractable text (left empty)" in document.notes


def test_pdf_running_header_and_footer_are_removed(tmp_path: Path) -> None:
    pages = [[prose(3, n)] for n in range(5)]
    path = factories.make_pdf(
        tmp_path / "a.pdf", pages, header="Inspection of Anytown", footer="Page {page} of {pages}"
    )
    document = load(path)
    assert list(document.pages) == [prose(3, n) for n in range(5)]


def test_pdf_two_columns_read_left_then_right(tmp_path: Path) -> None:
    left, right = prose(5, 10), prose(5, 11)
    path = factories.make_pdf(tmp_path / "a.pdf", [[left, right]], two_columns=True)
    page = load(path).pages[0]
    assert " ".join(page.split()) == f"{left} {right}"  # the column break itself is invisible


def test_pdf_metadata_hints_and_placeholder_titles(tmp_path: Path) -> None:
    body = [[prose(3, 1)]]
    path = factories.make_pdf(
        tmp_path / "a.pdf",
        body,
        title="Supervision in practice",
        author="A Smith; B Jones",
        creation_date="2023-06-30",
    )
    hints = load(path).hints
    assert (hints.title, hints.authors, hints.date) == (
        "Supervision in practice",
        ("A Smith", "B Jones"),
        "2023-06-30",
    )
    junk = factories.make_pdf(tmp_path / "b.pdf", body, title="Microsoft Word - draft3.docx")
    assert load(junk).hints.title is None


def test_pdf_without_text_layer_is_rejected_as_scanned(tmp_path: Path) -> None:
    with pytest.raises(RejectedFile) as caught:
        load_file(factories.make_image_pdf(tmp_path / "scan.pdf", pages=2), LIMIT)
    assert caught.value.reason == "scanned PDF with no text layer"
    assert "ocrmypdf" in caught.value.advice


def test_pdf_with_a_password_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(RejectedFile) as caught:
        load_file(factories.make_encrypted_pdf(tmp_path / "locked.pdf"), LIMIT)
    assert caught.value.reason == "password-protected PDF"
    assert "unlocked copy" in caught.value.advice


def test_pdf_encrypted_with_empty_password_opens(tmp_path: Path) -> None:
    document = load(factories.make_encrypted_pdf(tmp_path / "open.pdf", user_password=""))
    assert document.pages == ("Locked\n\nThis text sits behind a password.",)


def test_corrupt_pdf_is_rejected_not_raised(tmp_path: Path) -> None:
    with pytest.raises(RejectedFile) as caught:
        load_file(factories.make_corrupt_pdf(tmp_path / "broken.pdf"), LIMIT)
    assert caught.value.reason.startswith("corrupt or damaged PDF file (")
    assert "re-download" in caught.value.advice


# DOCX


def test_docx_headings_paragraphs_tables_and_properties(tmp_path: Path) -> None:
    path = factories.make_docx(
        tmp_path / "a.docx",
        [
            "# Kinship care",
            "Kin are asked early.",
            "## Approval",
            "Checks can start before removal.",
        ],
        table=[["Area", "Finding"], ["Stability", "Good"]],
        title="Kinship guide",
        author="Jo Bloggs",
        keywords="kin; care",
        created="2022-09-01",
    )
    document = load(path)
    assert document.format == "docx" and not document.paginated and len(document.pages) == 1
    assert texts(document, "heading") == ["Kinship care", "Approval"]
    assert [b.level for b in document.blocks if b.kind == "heading"] == [1, 2]
    assert texts(document, "paragraph")[-4:] == ["Area", "Finding", "Stability", "Good"]
    hints = document.hints
    assert (hints.title, hints.authors, hints.date, hints.topics) == (
        "Kinship guide",
        ("Jo Bloggs",),
        "2022-09-01",
        ("kin", "care"),
    )


# HTML

_PAGE_HEAD = (
    "<meta name='citation_title' content='Family group conferences'>"
    "<meta name='citation_author' content='Smith, A.'>"
    "<meta name='citation_author' content='Lee, B.'>"
    "<meta name='citation_publication_date' content='2021/04/02'>"
    "<meta property='og:site_name' content='Research in Practice'>"
    "<link rel='canonical' href='https://example.org/fgc'>"
    "<link rel='license' href='https://creativecommons.org/licenses/by/4.0/'>"
    "<meta name='keywords' content='family, conferences'>"
)
_PAGE_BODY = (
    "<header>Site banner</header><nav><a href='/'>Home</a></nav>"
    "<main><article><h1>Family group conferences</h1>"
    "<p>Families  &amp; friends\n make a plan &ndash; together.</p>"
    "<script>var x = 1;</script><style>p {}</style>"
    "<div hidden>Hidden text</div><p style='display: none'>Also hidden</p>"
    "<h2>Evidence</h2><ul><li>First point<li>Second <b>bold</b> point</ul>"
    "<table><tr><td>Cell one</td><td>Cell two</td></tr></table>"
    "<aside>Related links</aside></article></main>"
    "<footer>Copyright</footer><p>Outside main</p>"
)


def test_html_main_text_only_with_headings(tmp_path: Path) -> None:
    html = factories.html_page(_PAGE_BODY, title="FGC | Site", head=_PAGE_HEAD)
    document = load(factories.write(tmp_path / "a.html", html))
    assert document.format == "html" and not document.paginated
    assert texts(document) == [
        "Family group conferences",
        "Families & friends make a plan \u2013 together.",
        "Evidence",
        "First point",
        "Second bold point",
        "Cell one",
        "Cell two",
    ]
    assert [b.level for b in document.blocks if b.kind == "heading"] == [1, 2]


def test_html_hints_from_meta_tags(tmp_path: Path) -> None:
    html = factories.html_page(_PAGE_BODY, title="FGC | Site", head=_PAGE_HEAD)
    hints = load(factories.write(tmp_path / "a.html", html)).hints
    assert hints.title == "Family group conferences"
    assert hints.authors == ("Smith, A.", "Lee, B.")
    assert hints.date == "2021"
    assert hints.publisher == "Research in Practice"
    assert hints.source_url == "https://example.org/fgc"
    assert hints.licence == "https://creativecommons.org/licenses/by/4.0/"
    assert hints.topics == ("family", "conferences")


def test_html_without_main_keeps_the_body_and_title(tmp_path: Path) -> None:
    html = "<html><head><meta charset='windows-1252'><title>Caf\xe9 notes</title></head>" + (
        "<body><nav>Menu</nav><h3>Caf\xe9</h3><div>Text \u2013 here</div></body></html>"
    )
    document = load(factories.write(tmp_path / "a.htm", html, encoding="cp1252"))
    assert texts(document) == ["Caf\u00e9", "Text \u2013 here"]
    assert document.blocks[0].level == 3
    assert document.hints.title == "Caf\u00e9 notes"


# Markdown

_MARKDOWN_BODY = """Intro with **bold**, _emphasis_, `code` and a [link](https://x.org/a_(b)).
![diagram](img.png) Second line of the intro.

## How to do this

* First item
* Second *item* continues
  on a new line

Setext heading
--------------

Escaped \\*stars\\* and snake_case_name stay. Footnote.*[](https://x.org)

| Area | Finding |
|------|---------|
| Kin  | Good    |
"""


def test_markdown_front_matter_becomes_hints_and_leaves_the_text(tmp_path: Path) -> None:
    fields = {
        "title": "Involve kin early",
        "authors": ["A Smith", "B Jones"],
        "year": 2022,
        "url": "https://example.org/kin",
        "license": "CC BY 4.0",
        "type": "practice guidance",
        "tags": ["strategy", "prevention"],
        "layout": "layouts/strategy.liquid",
    }
    document = load(factories.write(tmp_path / "a.md", factories.front_matter(fields, "Body.\n")))
    assert document.pages == ("Body.",)
    hints = document.hints
    assert (hints.title, hints.authors, hints.date) == (
        "Involve kin early",
        ("A Smith", "B Jones"),
        "2022",
    )
    assert (hints.source_url, hints.licence, hints.doc_type) == (
        "https://example.org/kin",
        "CC BY 4.0",
        "practice guidance",
    )
    assert hints.topics == ("strategy", "prevention")


def test_markdown_syntax_is_stripped_to_prose(tmp_path: Path) -> None:
    document = load(factories.write(tmp_path / "a.markdown", _MARKDOWN_BODY))
    assert texts(document) == [
        "Intro with bold, emphasis, code and a link. Second line of the intro.",
        "How to do this",
        "- First item",
        "- Second item continues on a new line",
        "Setext heading",
        "Escaped *stars* and snake_case_name stay. Footnote.",
        "Area | Finding",
        "Kin | Good",
    ]
    assert [(b.kind, b.level) for b in document.blocks if b.kind == "heading"] == [
        ("heading", 2),
        ("heading", 2),
    ]


def test_markdown_with_broken_front_matter_notes_it(tmp_path: Path) -> None:
    document = load(factories.write(tmp_path / "a.md", "---\ntitle: [unclosed\n---\n# Heading\n"))
    assert document.pages == ("Heading",)
    assert document.notes[0].startswith("front matter is not valid YAML")


# Plain text


def test_text_paragraphs_and_heading_shapes(tmp_path: Path) -> None:
    text = (
        "SUMMARY OF FINDINGS\n\nChildren were seen\nregularly and their wel-\n"
        "fare was reviewed.\n\n"
        "1. Background\nThe service began in 2019.\n\n2.3 Supervision\n\nManagers meet monthly.\n"
        "- a bullet\n- another bullet\n\nUnderlined\n==========\n\nLast \u00a0 words.\n"
    )
    document = load(factories.write(tmp_path / "a.txt", text, encoding="cp1252"))
    assert document.format == "text"
    assert texts(document) == [
        "SUMMARY OF FINDINGS",
        "Children were seen regularly and their welfare was reviewed.",
        "1. Background",
        "The service began in 2019.",
        "2.3 Supervision",
        "Managers meet monthly.",
        "- a bullet",
        "- another bullet",
        "Underlined",
        "Last words.",
    ]
    levels = [b.level for b in document.blocks if b.kind == "heading"]
    assert levels == [1, 1, 2, 1]


# The single entry point


def test_oversized_file_is_rejected_with_size_and_limit(tmp_path: Path) -> None:
    path = factories.write(tmp_path / "big.txt", "x" * 3 * 2**20)
    with pytest.raises(RejectedFile) as caught:
        load_file(path, 2**20)
    assert caught.value.reason == "file too large: 3.0 MB (limit 1.0 MB)"
    assert "EVIDENCE_MAX_FILE_MB" in caught.value.advice


def test_content_that_disagrees_with_the_name_is_noted(tmp_path: Path) -> None:
    path = factories.write(tmp_path / "report.pdf", factories.html_page("<p>Hello.</p>"))
    document = load(path)
    assert document.format == "html"
    assert document.notes[0] == "named .pdf but contains HTML: read as HTML"
    assert load(factories.write(tmp_path / "notes.txt", "# Title\n")).notes[0] == (
        "named .txt but contains Markdown: read as Markdown"
    )
    assert load(factories.write(tmp_path / "notes", "Hello.")).notes == ()


def test_a_parser_crash_becomes_a_rejection(tmp_path: Path) -> None:
    path = factories.make_zip(tmp_path / "a.docx", {"word/document.xml": "<not-xml"})
    with pytest.raises(RejectedFile) as caught:
        load_file(path, LIMIT)
    assert caught.value.reason.startswith("corrupt or damaged DOCX file (")


def test_a_missing_file_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(RejectedFile, match="cannot read the file"):
        load_file(tmp_path / "nowhere.pdf", LIMIT)


def test_pdf_title_falls_back_to_the_first_pages_largest_text(tmp_path: Path) -> None:
    pages = [["! Evaluation of the Family Help Pilot", "May 2024", prose(4, 1)], [prose(4, 2)]]
    path = factories.make_pdf(tmp_path / "a.pdf", pages, title="Microsoft Word - draft3.docx")
    assert load(path).hints.title == "Evaluation of the Family Help Pilot"
    plain = factories.make_pdf(tmp_path / "b.pdf", [[prose(4, 1)], [prose(4, 2)]])
    assert load(plain).hints.title is None  # nothing stands out: no title to give


def test_pdf_cover_block_and_contents_lines_are_asides(tmp_path: Path) -> None:
    cover = [
        "# Inspection of Anytown local authority children's services",
        "Inspection dates: 7 to 18 October 2024",
        "Lead inspector: Jo Bloggs, His Majesty's Inspector",
        "Judgement Grade",
        "Overall effectiveness Good",
        prose(4, 1),
    ]
    contents = ["# Contents", "Introduction 3", "Findings 5", "Recommendations 9", "Annex 12"]
    document = load(factories.make_pdf(tmp_path / "a.pdf", [cover, contents, [prose(3, 2)]]))
    asides = texts(document, "aside")
    assert asides == [
        "Inspection dates: 7 to 18 October 2024",
        "Lead inspector: Jo Bloggs, His Majesty's Inspector",
        "Judgement Grade",
        "Overall effectiveness Good",
        "Introduction 3 Findings 5 Recommendations 9 Annex 12",
    ]  # each contents line printed on its own line, read as one run
    assert texts(document, "heading")[0].startswith("Inspection of Anytown")
    assert texts(document, "paragraph") == [prose(4, 1), prose(3, 2)]


def test_pdf_footnote_numbers_are_parted_from_their_words(tmp_path: Path) -> None:
    text = (
        "Sharing needs a lawful basis. You must have a valid lawful basis12 in order to share "
        "personal information about a child with another agency.7 Codes such as N4 and CIN1 stay."
    )
    page = load(factories.make_pdf(tmp_path / "a.pdf", [[text]])).pages[0]
    assert "valid lawful basis 12 in order" in page
    assert "another agency. 7 Codes such as N4 and CIN1 stay." in page


def test_pdf_a_section_heading_before_the_first_prose_stays_a_heading(tmp_path: Path) -> None:
    pages = [["# Supervision in practice", "# 1. Introduction", prose(4, 1)], [prose(3, 2)]]
    document = load(factories.make_pdf(tmp_path / "a.pdf", pages))
    assert texts(document, "heading") == ["Supervision in practice", "1. Introduction"]
    assert texts(document, "aside") == []
