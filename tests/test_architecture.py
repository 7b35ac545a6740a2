"""Locks two design decisions: dependencies point bot -> index <- ingest; --help stays light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.support.imports import imported_packages

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "index": {"bot", "ingest", "evidence"},
    "ingest": {"bot", "evidence"},
    "bot": {"ingest", "evidence"},
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
    for package in ("bot", "index", "ingest", "evidence"):
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


def test_catalog_rows_stay_inside_the_index_package() -> None:
    """Other packages read documents as records (index.records), never the catalog's rows."""
    rows = {"DocumentRow", "PageRow", "ChunkRow"}
    for package in ("bot", "ingest", "evidence"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module == "index.tables":
                    leaked = rows & {alias.name for alias in node.names}
                    assert not leaked, f"{path.relative_to(ROOT)} imports {sorted(leaked)}"
