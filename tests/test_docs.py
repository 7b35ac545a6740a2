"""Keeps the README and docs/ honest: settings, commands and flags documented, links live."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from bot.slack.settings import SlackSettings
from bot.teams.settings import TeamsSettings
from evidence.cli import build_parser
from evidence.settings import ENVIRONMENT
from index import Settings
from ingest.settings import IngestSettings

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text(encoding="utf-8")
PAGES = sorted(DOCS.glob("*.md"))
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def parsers() -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}

    def walk(prefix: str, parser: argparse.ArgumentParser) -> None:
        found[prefix] = parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(f"{prefix} {name}".strip(), sub)

    walk("", build_parser())
    return found


def anchor(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {anchor(line.lstrip("#")) for line in lines if line.startswith("#")}


def test_every_setting_is_in_the_settings_page() -> None:
    settings = page("settings.md")
    for variable in ENVIRONMENT:
        assert f"| `{variable}` |" in settings, variable
    sections = {"library": Settings, "ingest": IngestSettings, "slack": SlackSettings}
    sections["teams"] = TeamsSettings
    for name, section in sections.items():
        fields = {field for where, field in ENVIRONMENT.values() if where == name}
        assert fields == set(section.model_fields), name  # every field has its variable


def test_every_command_is_documented() -> None:
    commands = page("commands.md")
    for name in parsers():
        if name:
            assert f"`evidence {name}" in commands, name


def test_every_flag_is_documented() -> None:
    commands = page("commands.md")
    for name, parser in parsers().items():
        for action in parser._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert f"`{flag}" in commands or f" {flag}" in commands, f"{name} {flag}"


def test_quick_start_is_two_commands_and_ci_runs_the_test_one() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", README, flags=re.S)
    assert len(blocks) >= 2
    main_job, tests = blocks[0].strip(), blocks[1].strip()
    assert main_job.startswith("pip install -e .") and "evidence ingest samples" in main_job
    assert "\n" not in main_job and "\n" not in tests
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.strip().splitlines()[-1] == tests


def test_readme_is_short_and_says_what_matters() -> None:
    assert len(README.encode("utf-8")) <= 8 * 1024
    assert "never invents evidence" in README
    assert "not\nevidence" in README or "not evidence" in README  # the sample-material warning


def test_readme_links_every_docs_page() -> None:
    linked = {target for target in LINK.findall(README) if target.startswith("docs/")}
    assert {f"docs/{path.name}" for path in PAGES} <= linked


@pytest.mark.parametrize("path", [ROOT / "README.md", *PAGES], ids=lambda p: p.name)
def test_relative_links_resolve(path: Path) -> None:
    for target in LINK.findall(path.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue  # a web address or mailto: not followed offline
        file, _, fragment = target.partition("#")
        resolved = (path.parent / file).resolve() if file else path
        assert resolved.exists(), f"{path.name}: {target}"
        if fragment and resolved.suffix == ".md":
            assert fragment in anchors(resolved), f"{path.name}: {target}"


def test_the_anchor_rule_matches_github() -> None:
    assert anchor(" What ingestion keeps") == "what-ingestion-keeps"
    assert anchor(" `ask --json`") == "ask---json"
    assert anchor(" Refusal trade-off") == "refusal-trade-off"
