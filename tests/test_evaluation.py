"""The BEIR evaluation harness: metrics checked by hand, and the command end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation.retrieval import document_run, scores
from evidence.cli import run


def test_metrics_match_a_hand_computed_case() -> None:
    qrels = {"q1": {"d1": 1, "d3": 1}, "q2": {"d9": 1}}
    run_ = {"q1": document_run(["/x/d2.txt", "/x/d1.txt", "/x/d1.txt", "/x/d3.txt"])}
    result = scores(qrels, run_)
    # q1: relevant at ranks 2 and 3. DCG = 1/log2(3) + 1/log2(4) = 1.1309; ideal = 1 + 1/log2(3)
    # = 1.6309; nDCG = 0.6934. q2 was never answered: 0. Means over both judged queries.
    assert result["ndcg@10"] == pytest.approx(0.6934 / 2, abs=1e-4)
    assert result["recall@100"] == pytest.approx(0.5)
    assert result["mrr@10"] == pytest.approx(0.25)


DOCS = {
    "d1": ("Kinship care", "Children placed with grandparents keep links with their family."),
    "d2": ("Caseloads", "Social workers with smaller caseloads are more likely to stay in post."),
    "d3": ("Supervision", "Reflective supervision helps managers make safer decisions."),
    "d4": ("Front door", "Referrals are screened within one working day at the front door."),
    "d5": ("Adoption", "Adopters are approved in two stages before matching."),
    "d6": ("Health", "Looked-after children have an initial health assessment."),
}
QUERIES = {
    "q1": ("Why do social workers leave their jobs?", "d2"),
    "q2": ("How quickly is a referral screened?", "d4"),
    "q3": ("Do grandparents look after children in kinship care?", "d1"),
}


def beir_folder(root: Path) -> Path:
    root.mkdir()
    (root / "qrels").mkdir()
    (root / "corpus.jsonl").write_text(
        "\n".join(json.dumps({"_id": k, "title": t, "text": x}) for k, (t, x) in DOCS.items())
    )
    (root / "queries.jsonl").write_text(
        "\n".join(json.dumps({"_id": k, "text": q}) for k, (q, _) in QUERIES.items())
    )
    rows = ["query-id\tcorpus-id\tscore"] + [f"{k}\t{d}\t1" for k, (_, d) in QUERIES.items()]
    (root / "qrels" / "test.tsv").write_text("\n".join(rows) + "\n")
    return root


def test_eval_beir_reports_every_mode(
    tmp_path: Path, real_embedder: object, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = beir_folder(tmp_path / "tiny")
    home = str(tmp_path / "library")
    assert run(["--home", home, "eval", "beir", str(folder), "--json"], {}) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["results"]) == {"hybrid", "rrf", "dense", "lexical"}
    for metrics in data["results"].values():
        assert metrics["recall@100"] == 1.0  # six documents: everything is within the top 100
        assert metrics["mrr@10"] >= 0.5
    assert data["config"]["queries"] == 3 and data["config"]["documents"] == 6
    assert run(["--home", home, "docs", "list", "--json"], {}) == 0
    titles = {d["title"] for d in json.loads(capsys.readouterr().out)}
    assert titles == {title for title, _ in DOCS.values()}  # from the manifest written beside
    assert run(["--home", home, "eval", "beir", str(folder)], {}) == 0
    table = capsys.readouterr().out
    assert "| hybrid |" in table and "Configuration: model=all-MiniLM-L6-v2" in table


def test_paired_comparison_needs_a_real_difference() -> None:
    from evaluation.comparison import compare

    base = {str(q): 0.5 for q in range(40)}
    same = compare(base, dict(base), "ndcg@10")
    assert (same.better, same.worse, same.same, same.p_value) == (0, 0, 40, 1.0)
    helped = {q: v + (0.2 if int(q) % 4 else -0.05) for q, v in base.items()}  # 30 up, 10 down
    clear = compare(base, helped, "ndcg@10")
    assert (clear.better, clear.worse) == (30, 10)
    assert clear.difference == pytest.approx(0.1375)
    assert clear.p_value < 0.001 and clear.low > 0
    noise = {q: v + (0.1 if int(q) % 2 else -0.1) for q, v in base.items()}  # 20 up, 20 down
    assert compare(base, noise, "ndcg@10").p_value > 0.5
    more_junk = compare(base, helped, "junk_share")  # a higher junk share is worse
    assert (more_junk.better, more_junk.worse) == (10, 30)
