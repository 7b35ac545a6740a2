"""Teams is a second thin skin over the same answering core: the SDK stays inside bot/teams."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.imports import imported_packages

ROOT = Path(__file__).resolve().parents[1]
SDK = {"microsoft_agents", "microsoft_teams", "msgraph", "aiohttp"}


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
