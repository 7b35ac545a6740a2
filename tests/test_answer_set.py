"""Answer sets: reading the TSV, judging quotes against the answering sentence, junk quotes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answer import Answer, Citation
from evaluation.answer_set import (
    AnswerSetError,
    holds,
    judge,
    junk_reason,
    read_answer_set,
    summary,
)

HEADER = "id\tsplit\tstyle\tquestion\tfile\tpages\tanswer\tshowcase\n"
ANSWER = "The initial health assessment must be done within 20 working days of entering care."


def citation(number: int, quote: str, page: int = 4, source: str = "/c/dfe/health.pdf") -> Citation:
    return Citation(
        number=number, document_id=1 if "health" in source else 2, title="t", publisher=None,
        year=None, source=source, source_url=None, doc_type="statutory guidance",
        paginated=True, page_start=page, page_end=page, section="", quote=quote, score=0.7,
    )  # fmt: skip


def write_set(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "answers.tsv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def test_reads_items_with_alternatives_and_unanswerable_rows(tmp_path: Path) -> None:
    path = write_set(
        tmp_path,
        f"Q1\ttune\tshort\tIHA timescale\tdfe/health.pdf\t4;9\t{ANSWER} || Within 20 days.\tyes\n"
        "Q2\ttest\tadult\tCare Act assessments?\t\t\t\t\n",
    )
    first, second = read_answer_set(path)
    assert first.answerable and first.pages == {4, 9} and len(first.answers) == 2
    assert first.extra["showcase"] == "yes"
    assert not second.answerable and second.split == "test"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("Q1\ttune\tshort\tIHA?\tdfe/health.pdf\t4\t\t\n", "needs its answer"),
        ("Q1\ttune\tshort\tIHA?\t\t4\t\t\n", "no file"),
        ("Q1\ttune\tshort\tA?\t\t\t\t\nQ1\ttune\tshort\tB?\t\t\t\t\n", "used twice"),
        ("Q1\ttune\tshort\tA?\tf.pdf\tfour\tx\t\n", "pages must look like"),
    ],
)
def test_bad_rows_are_named_with_their_line(tmp_path: Path, rows: str, message: str) -> None:
    with pytest.raises(AnswerSetError, match=message) as error:
        read_answer_set(write_set(tmp_path, rows))
    assert "line" in str(error.value)


def test_a_missing_header_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("question\tfile\nA?\tf.pdf\n", encoding="utf-8")
    with pytest.raises(AnswerSetError, match="lacks id, split, style"):
        read_answer_set(path)


def test_a_quote_holds_the_answer_only_with_most_of_its_words() -> None:
    assert holds("Assessments must be done within 20 working days of entering care.", ANSWER)
    assert not holds("The health assessment is important.", ANSWER)


@pytest.mark.parametrize(
    ("quote", "reason"),
    [
        ("The plan should set out:", "ends in a colon"),
        (
            "and the plan must be reviewed by the independent reviewing officer.",
            "starts mid-sentence",
        ),
        ("Reviews are yearly.", "under six words"),
        ("Health assessments for looked-after children ........ 12", "contents-page residue"),
        ("Annex C Health assessments and plans 12", "contents-page residue"),
    ],
)
def test_junk_quotes_are_named(quote: str, reason: str) -> None:
    assert junk_reason(quote, []) == reason


def test_a_near_duplicate_of_an_earlier_quote_is_junk() -> None:
    earlier = ["Health assessments must happen within 20 working days of a child entering care."]
    same = "Health assessments must happen within 20 working days of the child entering care."
    assert junk_reason(same, earlier) == "near-duplicate of an earlier quote"
    assert (
        junk_reason("Dental checks should take place every six months for young children.", earlier)
        == ""
    )


def test_judge_ranks_quote_page_and_document_hits(tmp_path: Path) -> None:
    (item,) = read_answer_set(
        write_set(tmp_path, f"Q1\ttune\tplain\tIHA?\tdfe/health.pdf\t4\t{ANSWER}\t\n")
    )
    answer = Answer(
        "IHA?",
        True,
        (
            citation(1, "Adoption panels meet monthly to consider every match.", source="/c/a.pdf"),
            citation(2, "Health assessments are reviewed by the health team.", page=5),
            citation(3, "The assessment must be done within 20 working days of entering care."),
        ),
    )
    verdict = judge(item, answer, lambda c: c.source)
    assert (verdict.document_rank, verdict.page_rank, verdict.quote_rank) == (2, 3, 3)
    totals = summary([verdict])
    assert totals["quote_hit@1"] == 0.0 and totals["quote_hit@3"] == 1.0
    refused = judge(item, Answer("IHA?", False, ()), lambda c: c.source)
    assert summary([refused])["wrong_refusals"] == 1.0
