"""Sidecar manifests: finding them, reading CSV/TSV/YAML, and looking files up."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ingest.manifest import (
    find_manifests,
    is_manifest,
    load_manifest,
    manifest_for,
    read_manifest,
    read_manifests,
)

CORPUS_MANIFEST = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "MANIFEST.tsv"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_find_manifests_recognises_names_case_insensitively(tmp_path: Path) -> None:
    write(tmp_path / "MANIFEST.tsv", "file\n")
    write(tmp_path / "sub" / "deeper" / "metadata.yml", "[]")
    write(tmp_path / "sub" / "Manifest.CSV", "file\n")
    write(tmp_path / ".hidden" / "manifest.csv", "file\n")
    write(tmp_path / "manifest.txt", "file\n")
    write(tmp_path / "report.csv", "file\n")
    found = [p.relative_to(tmp_path).as_posix() for p in find_manifests(tmp_path)]
    assert found == ["MANIFEST.tsv", "sub/Manifest.CSV", "sub/deeper/metadata.yml"]
    assert is_manifest(Path("x/METADATA.yaml")) and not is_manifest(Path("manifest.json"))


def test_csv_with_aliases_nested_paths_and_ignored_columns(tmp_path: Path) -> None:
    manifest = write(
        tmp_path / "manifest.csv",
        "\ufeffFilename,Title,License,Type,Tags,Author,URL,Year,Notes\n"
        'sub/dir/a.pdf,Report A,OGL v3.0,evaluation,"kinship; front door",A. Smith; B. Jones,'
        "https://example.org/a,2021,checked\n"
        ",,,,,,,,\n"
        "b.docx,,,,,,,,\n",
    )
    loaded = load_manifest(manifest)
    assert loaded.ignored == ("notes",)
    a = (tmp_path / "sub" / "dir" / "a.pdf").resolve()
    assert loaded.entries[a] == {
        "title": "Report A",
        "licence": "OGL v3.0",
        "doc_type": "research report",
        "topics": ("kinship", "front door"),
        "authors": ("A. Smith", "B. Jones"),
        "source_url": "https://example.org/a",
        "year": 2021,
    }
    assert loaded.entries[(tmp_path / "b.docx").resolve()] == {}


def test_read_manifest_logs_ignored_columns_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    manifest = write(
        tmp_path / "manifest.tsv", "file\tcolour\tsize\nx.pdf\tred\t1\ny.pdf\tblue\t2\n"
    )
    with caplog.at_level(logging.WARNING):
        entries = read_manifest(manifest)
    assert len(entries) == 2
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "colour, size" in warnings[0] and "manifest.tsv" in warnings[0]


def test_yaml_list_and_mapping_forms(tmp_path: Path) -> None:
    as_list = write(
        tmp_path / "manifest.yaml",
        "- file: a.md\n  doc_type: Inspection\n  date: 2023-04-05\n  sample: true\n"
        "- path: b.txt\n  authors: [X Y, Z W]\n",
    )
    entries = read_manifest(as_list)
    assert entries[(tmp_path / "a.md").resolve()] == {
        "doc_type": "inspection report",
        "date": "2023-04-05",
        "sample": True,
    }
    assert entries[(tmp_path / "b.txt").resolve()] == {"authors": ("X Y", "Z W")}
    as_map = write(tmp_path / "m" / "metadata.yml", "c.pdf:\n  year: 2019\nd.pdf:\n")
    assert read_manifest(as_map) == {
        (tmp_path / "m" / "c.pdf").resolve(): {"year": 2019},
        (tmp_path / "m" / "d.pdf").resolve(): {},
    }
    assert read_manifest(write(tmp_path / "e" / "manifest.yml", "")) == {}


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("manifest.yaml", "- file: a.pdf\n  title: [unclosed\n", "not valid YAML"),
        ("manifest.yaml", "just a string", "expected a list of mappings"),
        ("manifest.yaml", "a.pdf: a title\n", "give a mapping"),
        ("manifest.yaml", "- title: no file\n", "entry 1 names no file"),
        ("manifest.csv", "title,year\nA,2020\n", "no 'file' column"),
        ("manifest.csv", "file,year\na.pdf,2020\na.pdf,2021\n", "a.pdf is listed twice"),
        ("manifest.csv", "file,doc_type\na.pdf,brochure\n", "row 2 \\(a.pdf\\): unknown doc_type"),
        ("manifest.csv", "file,year\n,2020\n", "row 2 names no file"),
    ],
)
def test_errors_name_the_manifest(tmp_path: Path, name: str, text: str, message: str) -> None:
    manifest = write(tmp_path / name, text)
    with pytest.raises(ValueError, match=message) as error:
        read_manifest(manifest)
    assert str(manifest) in str(error.value)


def test_parent_manifest_lists_nested_file_and_nearer_manifest_wins(tmp_path: Path) -> None:
    write(tmp_path / "manifest.csv", "file,title,year\nsub/dir/r.pdf,Parent title,2020\n")
    write(tmp_path / "sub" / "dir" / "manifest.csv", "file,title\nr.pdf,Child title\n")
    entries = read_manifests(find_manifests(tmp_path))
    file = tmp_path / "sub" / "dir" / "r.pdf"
    assert manifest_for(file, entries) == {"title": "Child title", "year": 2020}
    relative = Path("sub/dir/r.pdf")
    assert manifest_for(tmp_path / relative, entries) == manifest_for(file, entries)
    assert manifest_for(tmp_path / "other.pdf", entries) == {}


@pytest.mark.skipif(not CORPUS_MANIFEST.exists(), reason="shared corpus not present")
def test_reads_the_real_corpus_manifest() -> None:
    loaded = load_manifest(CORPUS_MANIFEST)
    assert "licence" not in loaded.ignored and "description" in loaded.ignored
    rows = [line for line in CORPUS_MANIFEST.read_text(encoding="utf-8").splitlines()[1:] if line]
    assert len(loaded.entries) == len(rows) >= 30  # one entry per file row (the corpus grows)
    assert all(path.exists() for path in loaded.entries)
    adoption = CORPUS_MANIFEST.parent / "dfe_guidance" / "adoption_statutory_guidance_2013.pdf"
    assert manifest_for(adoption, loaded.entries) == {
        "licence": 'OGL (Crown copyright 2013; "Open Government Licence" statement in document)'
    }


def test_sample_library_manifest_marks_every_sample() -> None:
    entries = read_manifest(SAMPLES / "manifest.yaml")
    documents = {
        p.resolve()
        for p in SAMPLES.iterdir()
        if p.is_file() and p.suffix != ".py" and not is_manifest(p)
    }
    assert set(entries) == documents
    for overrides in entries.values():
        assert overrides["sample"] is True
        assert overrides["publisher"] == "evidence-bot sample library"
        assert overrides["licence"] == "CC0 1.0 (sample material)"


def test_a_folders_paperwork_is_skipped_unless_named(tmp_path: Path) -> None:
    from ingest.discovery import discover, manifest_overrides

    for name in ("README.md", "LICENSE", "sub/Changelog.txt", "report.pdf", "readme-notes.pdf"):
        write(tmp_path / name, "x")
    found = {p.relative_to(tmp_path.resolve()).as_posix() for p in discover([tmp_path]).files}
    assert found == {"report.pdf", "readme-notes.pdf"}
    named = discover([tmp_path / "README.md"]).files  # given by name: loaded
    assert [p.name for p in named] == ["README.md"]
    write(tmp_path / "manifest.csv", "file,title\nLICENSE,The licence\n")
    listed = discover([tmp_path], named=set(manifest_overrides([tmp_path]))).files
    assert "LICENSE" in {p.name for p in listed} and "README.md" not in {p.name for p in listed}
