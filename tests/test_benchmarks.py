"""The benchmarks still run: a smoke run of each quick one over the bundled samples.

Numbers are not checked (they depend on the machine); that each script runs to the end through
the current code and writes its JSON is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index import Library, Settings
from ingest.job import ingest

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = (
    "What helps social workers stay in their jobs?\n"
    "Do family group conferences reduce the number of children entering care?\n"
    "How quickly should a referral be screened at the front door?\n"
    "What does reflective supervision give social workers?\n"
)


@pytest.fixture(scope="module")
def samples_home(tmp_path_factory: pytest.TempPathFactory, real_embedder: object) -> Path:
    home = tmp_path_factory.mktemp("bench") / "library"
    library = Library(Settings(home=home), real_embedder)  # type: ignore[arg-type]
    try:
        assert ingest(library, [ROOT / "samples"]).count("added") == 7
    finally:
        library.close()
    return home


def run(module: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", f"benchmarks.{module}", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("module", "extra"),
    [
        ("ask_latency", ["--limit", "4"]),
        ("quote_choice", ["--limit", "4", "--probe", "3"]),
    ],
)
def test_a_benchmark_runs_over_the_samples_and_writes_json(
    module: str, extra: list[str], samples_home: Path, tmp_path: Path
) -> None:
    questions = tmp_path / "questions.txt"
    questions.write_text(QUESTIONS * 3, encoding="utf-8")  # some go to warming up
    out = tmp_path / f"{module}.json"
    env = {**os.environ}  # the session's model cache and offline settings
    args = ["--home", str(samples_home), "--queries", str(questions), *extra, "--out", str(out)]
    result = run(module, *args, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(out.read_text(encoding="utf-8"))


def test_threshold_runs_over_the_samples(samples_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "threshold.json"
    result = run("threshold", "--home", str(samples_home), "--out", str(out), env={**os.environ})
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(out.read_text(encoding="utf-8"))


def test_the_loader_fuzzer_runs_and_finds_no_defect(tmp_path: Path) -> None:
    out = tmp_path / "fuzz.json"
    result = run("fuzz_loaders", "--examples", "20", "--out", str(out), env={**os.environ})
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert {row["examples"] for row in report["formats"].values()} == {20}


def test_the_ocr_benchmark_measures_the_sample_scan(tmp_path: Path) -> None:
    out = tmp_path / "ocr.json"
    result = run("ocr_accuracy", "--dpi", "100", "--out", str(out), env={**os.environ})
    assert result.returncode == 0, result.stdout + result.stderr
    rows = json.loads(out.read_text(encoding="utf-8"))["runs"]
    assert [row["engine"].split()[0] for row in rows] == ["tesseract", "rapidocr"]
    assert all(row["pages"] == 6 and 0 <= row["cer"] < 1 for row in rows)
