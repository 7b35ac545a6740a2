"""Keeps the README honest: every setting, command and flag is documented there."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from evidence.cli import build_parser
from index.settings import ENVIRONMENT, Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


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


def test_every_setting_is_in_the_readme_table() -> None:
    for variable in ENVIRONMENT:
        assert f"| `{variable}` |" in README, variable
    assert set(ENVIRONMENT.values()) == set(Settings.model_fields)


def test_every_command_is_documented() -> None:
    for name in parsers():
        if name:
            assert f"`evidence {name}" in README, name


def test_every_flag_is_documented() -> None:
    for name, parser in parsers().items():
        for action in parser._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert f"`{flag}" in README or f" {flag}" in README, f"{name} {flag}"


def test_quick_start_is_two_commands_and_ci_runs_the_test_one() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", README, flags=re.S)
    assert len(blocks) >= 2
    main_job, tests = blocks[0].strip(), blocks[1].strip()
    assert main_job.startswith("pip install -e .") and "evidence ingest samples" in main_job
    assert "\n" not in main_job and "\n" not in tests
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.strip().splitlines()[-1] == tests
