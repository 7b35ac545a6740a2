"""The `evidence` command on the sample library with the real bundled model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from evidence.cli import build_parser, run

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
ENV = {"HF_HUB_OFFLINE": "1"}


def evidence(home: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    status = run(["--home", str(home), *args], ENV)
    return status, capsys.readouterr().out


@pytest.fixture(scope="module")
def sample_home(tmp_path_factory: pytest.TempPathFactory, real_embedder: object) -> Path:
    home = tmp_path_factory.mktemp("cli") / "library"
    assert run(["--home", str(home), "ingest", "--no-progress", str(SAMPLES)], ENV) == 0
    return home


def subcommands() -> list[list[str]]:
    parser = build_parser()
    out = []
    for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
        for name, sub in action.choices.items():
            out.append([name])
            for inner in sub._subparsers._group_actions if sub._subparsers else []:
                out += [[name, child] for child in inner.choices]
    return out


@pytest.mark.parametrize("command", subcommands(), ids=" ".join)
def test_every_subcommand_has_help(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "evidence", *command, "--help"],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"usage: evidence {' '.join(command)}" in result.stdout


QUESTIONS = {
    "What helps social workers stay in their jobs?": "workforce-retention-briefing.md",
    "How should a team lead run reflective supervision?": "reflective-supervision-guide.docx",
    "What should happen when a referral comes in to the front door?": "front-door-referrals.html",
    "Do family group conferences reduce the number of children entering care?": (
        "fgc-edge-of-care-evaluation.pdf"
    ),
}


@pytest.mark.parametrize("question", QUESTIONS)
def test_ask_answers_sample_questions_from_the_right_document(
    sample_home: Path, question: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = evidence(sample_home, "ask", question, "--json", capsys=capsys)
    assert status == 0
    answer = json.loads(out)
    assert answer["answered"] is True
    assert Path(answer["citations"][0]["source"]).name == QUESTIONS[question]
    for citation in answer["citations"]:
        page = _page_text(sample_home, citation["document_id"], citation["page_start"])
        assert citation["quote"] in page  # verbatim, checked against the stored page
        assert citation["doc_type"]
        assert citation["number"] >= 1


@pytest.mark.parametrize(
    "question", ["How do I bake sourdough bread?", "Which football team won the 1966 World Cup?"]
)
def test_off_topic_question_is_not_answered(
    sample_home: Path, question: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = evidence(sample_home, "ask", question, "--json", capsys=capsys)
    assert status == 0
    answer = json.loads(out)
    assert answer["answered"] is False
    assert answer["citations"] == []
    status, text = evidence(sample_home, "ask", question, capsys=capsys)
    assert "I could not find evidence on this in the library" in text


def test_filters_restrict_the_sources(
    sample_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = evidence(
        sample_home, "ask", "supervision", "--json", "--type", "systematic review", capsys=capsys
    )
    assert status == 0
    answer = json.loads(out)
    assert {c["doc_type"] for c in answer["citations"] + answer["possibly_related"]} <= {
        "systematic review"
    }


def test_docs_stats_and_remove(
    tmp_path: Path, real_embedder: object, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "library"
    assert run(["--home", str(home), "ingest", "--no-progress", str(SAMPLES)], ENV) == 0
    status, out = evidence(home, "stats", "--json", capsys=capsys)
    stats = json.loads(out)
    assert stats["documents"] == 7
    assert stats["model"] == "all-MiniLM-L6-v2"
    assert stats["index_version"] == 1
    assert stats["index_bytes"] > 0

    status, out = evidence(home, "docs", "list", "--json", capsys=capsys)
    docs = json.loads(out)
    retention = next(d for d in docs if d["source"].endswith("workforce-retention-briefing.md"))
    assert retention["sample"] is True
    status, out = evidence(home, "docs", "show", str(retention["id"]), capsys=capsys)
    assert status == 0 and retention["title"] in out

    status, out = evidence(home, "docs", "remove", str(retention["id"]), capsys=capsys)
    assert status == 0
    status, out = evidence(
        home, "ask", "What helps social workers stay in their jobs?", "--json", capsys=capsys
    )
    answer = json.loads(out)
    cited = {c["document_id"] for c in answer["citations"] + answer["possibly_related"]}
    assert retention["id"] not in cited
    status, out = evidence(home, "ingest", "--no-progress", str(SAMPLES), capsys=capsys)
    assert status == 0 and "unchanged" in out  # the others stay; the removed file comes back


def test_ask_on_a_missing_library_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = run(["--home", str(tmp_path / "none"), "ask", "anything"], ENV)
    assert status == 2
    assert "evidence ingest" in capsys.readouterr().err


def test_unknown_setting_fails_loudly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = run(["--home", str(tmp_path), "stats"], {"EVIDENCE_HOMEE": "x"})
    assert status == 2
    assert "EVIDENCE_HOMEE" in capsys.readouterr().err


def _page_text(home: Path, document_id: int, page: int) -> str:
    from index.catalog import Catalog
    from index.settings import Settings

    catalog = Catalog(Settings(home=home).catalog_url)
    try:
        return catalog.pages(document_id)[page]
    finally:
        catalog.close()


def test_chat_answers_until_an_empty_line(
    sample_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = iter(["How should a team lead run reflective supervision?", "How do I bake bread?", ""])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(lines))
    status, out = evidence(sample_home, "chat", capsys=capsys)
    assert status == 0
    assert "Reflective supervision: a practice guide for team managers" in out
    assert "I could not find evidence on this in the library" in out


def test_note_writes_a_supervision_note(
    sample_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "note.md"
    status, _ = evidence(
        sample_home, "note", "How should a team lead run reflective supervision?",
        "--out", str(out), capsys=capsys,
    )  # fmt: skip
    assert status == 0
    note = out.read_text(encoding="utf-8")
    assert note.startswith("# Supervision note")
    assert "**Question:** How should a team lead run reflective supervision?" in note
    assert "**Library version:** 1" in note
    assert "Reflective supervision: a practice guide for team managers" in note
    assert "Evidence type: practice guidance" in note


def test_eval_questions_scores_hits_and_abstentions(
    sample_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = tmp_path / "questions.tsv"
    questions.write_text(
        "question\tdocuments\tpages\n"
        "Which families benefited most from family group conferences?\t"
        "fgc-edge-of-care-evaluation.pdf\t2\n"
        "What should a group supervision session record?\t"
        "Group supervision and decision-making: a rapid evidence review\t2\n"
        "Which families benefited most from a family group conference?\t"
        "fgc-edge-of-care-evaluation.pdf\t9\n"  # no such page: the page must count as missed
        "How do I bake sourdough bread?\t\t\n"
    )
    out_file = tmp_path / "run.json"
    status, out = evidence(
        sample_home,
        "eval",
        "questions",
        str(questions),
        "--json",
        "--out",
        str(out_file),
        capsys=capsys,
    )
    assert status == 0
    totals = json.loads(out)["results"]["questions"]
    assert totals["answerable"] == 3 and totals["unanswerable"] == 1
    assert totals["document_hit@1"] == 1.0
    assert totals["page_hit@5"] == pytest.approx(0.667)
    assert totals["wrongly_abstained"] == 0.0 and totals["correctly_abstained"] == 1.0
    status, table = evidence(sample_home, "eval", "questions", str(questions), capsys=capsys)
    assert "line 4: Which families benefited most from a family group conference?" in table
    assert "expected page not shown" in table
    status, text = evidence(
        sample_home,
        "eval",
        "compare",
        str(out_file),
        str(out_file),
        "--mode",
        "questions",
        capsys=capsys,
    )
    assert status == 0
    assert "same on 4 of 4 queries; p = 1.0000 (not significant at 0.05)" in text


def test_eval_without_a_library_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "answers.tsv"
    answers.write_text(
        "id\tsplit\tstyle\tquestion\tfile\tpages\tanswer\nQ1\ttune\tshort\tIHA?\t\t\t\n"
    )
    assert run(["--home", str(tmp_path / "none"), "eval", "answers", str(answers)], ENV) == 2
    assert "has no library yet" in capsys.readouterr().err


def test_eval_questions_rejects_a_malformed_file(
    sample_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = tmp_path / "questions.tsv"
    questions.write_text("question\tdocuments\tpages\nWhat is FGC?\tfgc.pdf\tfour\n")
    assert run(["--home", str(sample_home), "eval", "questions", str(questions)], ENV) == 2
    assert "line 2: pages must look like 4;17;20-22" in capsys.readouterr().err
