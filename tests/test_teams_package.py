"""The Teams app package, the `evidence teams` commands and the Teams settings."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from bot.teams.package import PackageError, build_package, png_size
from evidence.cli import run
from evidence.settings import ProcessSettings

ROOT = Path(__file__).resolve().parents[1]
CLIENT_ID = "3F2504E0-4F89-11D3-9A0C-0305E82C3301"
ENV = {
    "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": CLIENT_ID,
    "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET": "secret",
    "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID": "tenant",
    "EVIDENCE_TEAMS_STAFF": " AAD-1 , aad-2,",
}


def test_the_package_holds_the_manifest_and_both_icons(tmp_path: Path) -> None:
    out = tmp_path / "app.zip"
    manifest = build_package(ROOT / "teams", CLIENT_ID, out)
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        packed = json.loads(archive.read("manifest.json"))
    assert packed == manifest
    assert manifest["id"] == CLIENT_ID.lower()
    (bot,) = manifest["bots"]
    assert bot["botId"] == CLIENT_ID.lower()
    assert bot["supportsFiles"] is True
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    assert len(manifest["description"]["short"]) <= 80
    assert png_size(ROOT / "teams" / "color.png") == (192, 192)
    assert png_size(ROOT / "teams" / "outline.png") == (32, 32)


def test_outline_icon_is_white_on_transparent() -> None:
    from PIL import Image

    with Image.open(ROOT / "teams" / "outline.png") as image:
        data = image.convert("RGBA").tobytes()
    colours = {tuple(data[i : i + 4]) for i in range(0, len(data), 4)}
    assert all(alpha == 0 or (r, g, b) == (255, 255, 255) for r, g, b, alpha in colours)
    assert any(alpha == 255 for *_, alpha in colours)


def test_packaging_refuses_what_teams_would_reject(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="not a GUID"):
        build_package(ROOT / "teams", "my-bot", tmp_path / "a.zip")
    source = tmp_path / "source"
    shutil.copytree(ROOT / "teams", source)
    shutil.copy(source / "outline.png", source / "color.png")
    with pytest.raises(PackageError, match="color icon must be 192x192"):
        build_package(source, CLIENT_ID, tmp_path / "b.zip")
    (source / "manifest.json").write_text('{"id": "${{APPID}}"}')
    with pytest.raises(PackageError, match="placeholder"):
        build_package(source, CLIENT_ID, tmp_path / "c.zip")


def test_evidence_teams_package_writes_the_zip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "teams-app.zip"
    assert run(["teams", "package", "--out", str(out)], ENV) == 0
    assert zipfile.is_zipfile(out)
    assert CLIENT_ID.lower() in capsys.readouterr().out
    assert run(["teams", "package", "--out", str(out)], {}) == 2
    assert "CLIENTID" in capsys.readouterr().err


def test_evidence_teams_serve_needs_the_credentials(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"EVIDENCE_HOME": str(tmp_path / "library")}
    assert run(["teams", "serve"], env) == 2
    err = capsys.readouterr().err
    assert "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET" in err


def test_teams_settings_come_from_the_sdk_variable_names() -> None:
    process = ProcessSettings.from_environ(
        {**ENV, "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED": "false"}
    )
    settings = process.teams
    assert settings.client_id == CLIENT_ID
    assert settings.tenant_id == "tenant"
    assert settings.anonymous_allowed is False
    assert settings.staff_ids == ("aad-1", "aad-2")
    assert "secret" not in repr(process)
    with pytest.raises(ValueError, match="EVIDENCE_TEAM_STAFF"):
        ProcessSettings.from_environ({"EVIDENCE_TEAM_STAFF": "x"})
