"""Teams is a second thin skin over the same answering core: the SDK stays inside bot/teams."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

from bot.answering import Answerer
from bot.teams import replies as teams_replies
from tests.test_architecture import imported_packages

ROOT = Path(__file__).resolve().parents[1]
SDK = {"microsoft_agents", "microsoft_teams", "msgraph", "aiohttp"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_teams_sdk_imports_stay_inside_the_teams_adapter() -> None:
    offences = []
    for package in ("bot", "index", "ingest", "evidence"):
        for module in sorted((ROOT / package).rglob("*.py")):
            if module.is_relative_to(ROOT / "bot" / "teams"):
                continue
            bad = imported_packages(module) & SDK
            if bad:
                offences.append(f"{module.relative_to(ROOT)} imports {sorted(bad)}")
    assert offences == []


def test_only_the_sdk_layer_of_the_adapter_imports_the_sdk() -> None:
    """Rendering, replies, files and packaging are plain Python and testable without Teams."""
    users = {
        module.name
        for module in (ROOT / "bot" / "teams").glob("*.py")
        if imported_packages(module) & SDK
    }
    assert users == {"activities.py", "actions.py", "app.py", "server.py"}


def test_the_two_adapters_do_not_import_each_other() -> None:
    for here, there in (("teams", "bot.slack"), ("slack", "bot.teams")):
        for module in (ROOT / "bot" / here).glob("*.py"):
            assert not any(m.startswith(there) for m in imported_modules(module)), module


def test_teams_answers_through_the_core_slack_uses() -> None:
    """The Answerer is the one the Slack bot is built with, unchanged and platform-neutral."""
    core = imported_packages(ROOT / "bot" / "answering.py")
    assert not core & (SDK | {"slack_bolt", "slack_sdk"})
    assert inspect.signature(teams_replies.Replies).parameters["answerer"].annotation == "Answerer"
    assert teams_replies.Answerer is Answerer
    slack_app = (ROOT / "bot" / "slack" / "app.py").read_text(encoding="utf-8")
    assert "from bot.answering import Answerer" in slack_app


def test_teams_help_does_not_import_the_sdk() -> None:
    code = (
        "import sys\n"
        "from evidence.__main__ import main\n"
        "try:\n    main(['teams', 'serve', '--help'])\nexcept SystemExit:\n    pass\n"
        "print('SDK:' + ','.join(m for m in sys.modules if m.startswith('microsoft_agents')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert "usage: evidence teams serve" in result.stdout
    assert result.stdout.splitlines()[-1] == "SDK:"
