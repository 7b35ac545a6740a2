"""Locks the chat design: Slack and Teams are thin skins over one desk (imports parsed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.imports import imports

ROOT = Path(__file__).resolve().parents[1]
SKINS = ("bot.slack", "bot.teams")
# What only the core does: record, redact, answer, write the note, reach the catalog.
CORE_ONLY = ("index.catalog", "index.tables", "bot.answering", "bot.redaction", "bot.note")


def skin_imports(skin: str) -> dict[str, set[str]]:
    folder = ROOT.joinpath(*skin.split("."))
    return {str(m.relative_to(ROOT)): imports(m, skin) for m in sorted(folder.glob("*.py"))}


def under(module: str, names: tuple[str, ...]) -> bool:
    return any(module == name or module.startswith(f"{name}.") for name in names)


@pytest.mark.parametrize("skin", SKINS)
def test_a_skin_imports_neither_the_other_skin_nor_the_catalog(skin: str) -> None:
    other = tuple(s for s in SKINS if s != skin)
    offences = [
        f"{path} imports {module}"
        for path, modules in skin_imports(skin).items()
        for module in sorted(modules)
        if under(module, other) or under(module, CORE_ONLY)
    ]
    assert offences == []


@pytest.mark.parametrize("skin", SKINS)
def test_a_skin_answers_through_the_desk(skin: str) -> None:
    assert any("bot.desk.Desk" in modules for modules in skin_imports(skin).values())


def test_the_checker_resolves_relative_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from ..teams import app\nfrom . import blocks\nimport index.tables\n")
    assert {"bot.teams.app", "bot.slack.blocks", "index.tables"} <= imports(module, "bot.slack")
