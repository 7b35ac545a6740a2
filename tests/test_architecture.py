"""Locks two design decisions: dependencies point bot -> index <- ingest; --help stays light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.support.imports import imported_packages, imports

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "index": {"bot", "ingest", "evaluation", "evidence"},
    "ingest": {"bot", "evaluation", "evidence"},
    "bot": {"ingest", "evaluation", "evidence"},
    "evaluation": {"evidence"},  # measures the product; the command line sits on top of it
}


def test_dependencies_point_one_way() -> None:
    offences = []
    for package, forbidden in FORBIDDEN.items():
        for module in sorted((ROOT / package).rglob("*.py")):
            bad = imported_packages(module) & forbidden
            if bad:
                offences.append(f"{module.relative_to(ROOT)} imports {sorted(bad)}")
    assert offences == []


def test_slack_sdks_stay_inside_the_slack_adapter() -> None:
    """The answering core is platform-neutral: a Teams adapter must reuse it unchanged."""
    offences = []
    for package in ("bot", "index", "ingest", "evaluation", "evidence"):
        for module in sorted((ROOT / package).rglob("*.py")):
            if module.is_relative_to(ROOT / "bot" / "slack"):
                continue
            bad = imported_packages(module) & {"slack_bolt", "slack_sdk"}
            if bad:
                offences.append(f"{module.relative_to(ROOT)} imports {sorted(bad)}")
    assert offences == []


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from ingest.job import ingest\nimport bot.answer\n")
    assert imported_packages(module) == {"ingest", "bot"}


def test_help_does_not_import_torch() -> None:
    code = (
        "import sys\n"
        "from evidence.__main__ import main\n"
        "try:\n    main(['ask', '--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'faiss') if m in sys.modules]\n"
        "print('HEAVY:' + ','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert "usage: evidence ask" in result.stdout
    assert result.stdout.splitlines()[-1] == "HEAVY:"


# The index package's public surface. Adding a name is a design decision: add it here too.
INDEX_SURFACE = {
    "ANALYZER", "B", "Catalog", "CatalogError", "Chunk", "DEFAULT_MODEL", "DOC_TYPES", "Document",
    "DocumentMeta", "ENVIRONMENT", "Embedder", "Filters", "K1", "Library", "LibraryBusy",
    "LibraryFull", "LibraryStats", "MODES", "ModelError", "Passage", "ScannedPage", "Settings",
    "Span",
    "StoredDocument", "TermListError", "embed_chunks", "load_embedder", "load_glossary", "merged",
    "read_term_lists", "split_sentences", "terms", "check_known", "section_values",
}  # fmt: skip


def index_imports(path: Path) -> list[tuple[str, set[str]]]:
    """Each import of the index package in `path`: the module named and the names taken."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] == "index":
                found.append((node.module, {alias.name for alias in node.names}))
        elif isinstance(node, ast.Import):
            found += [(a.name, set()) for a in node.names if a.name.split(".")[0] == "index"]
    return found


def test_index_declares_its_public_surface() -> None:
    import index

    assert set(index.__all__) == INDEX_SURFACE
    for name in index.__all__:
        assert getattr(index, name) is not None, name


def test_outside_index_only_its_public_surface_is_imported() -> None:
    """bot, ingest, evaluation and evidence write `from index import ...`, nothing deeper."""
    offences = []
    for package in ("bot", "ingest", "evaluation", "evidence"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for module, names in index_imports(path):
                if module != "index" or not names <= INDEX_SURFACE:
                    offences.append(f"{path.relative_to(ROOT)}: {module} {sorted(names)}")
    assert offences == []


def test_the_surface_checker_sees_a_reach_inside(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from index import Library\nfrom index.tables import ACTIVE\nimport index.store\n"
    )
    assert index_imports(module) == [
        ("index", {"Library"}),
        ("index.tables", {"ACTIVE"}),
        ("index.store", set()),
    ]


def test_embedding_backends_import_no_factory_and_the_factory_no_backend_at_import() -> None:
    """No cycle: backends import `index.embedding.model` (and the export), never the package
    whose factory picks them; the package imports a backend only inside the factory's branch."""
    folder = ROOT / "index" / "embedding"
    for path in sorted(folder.glob("*.py")):
        if path.name == "__init__.py":
            continue
        taken = imports(path, "index.embedding")
        assert "index.embedding" not in taken, path.name
    tree = ast.parse((folder / "__init__.py").read_text(encoding="utf-8"))
    top_level = {
        node.module for node in tree.body if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not top_level & {"index.embedding.torch_backend", "index.embedding.onnx_backend"}
    code = (
        "import sys, index.embedding\n"
        "print(sorted(m for m in ('torch', 'onnxruntime', 'transformers') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "[]"
