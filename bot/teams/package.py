"""The Teams app package: `manifest.json` and its two icons in the zip that Teams sideloads.

The manifest in the repository says `${{CLIENTID}}` where the bot's Entra app id belongs; packaging
fills it in and checks what Teams would otherwise reject at upload: the id's form, the icons'
sizes, and that every placeholder is gone.
"""

from __future__ import annotations

import json
import re
import struct
import zipfile
from pathlib import Path
from typing import Any

PLACEHOLDER = "${{CLIENTID}}"
GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
ICONS = {"color": (192, 192), "outline": (32, 32)}
_PNG = b"\x89PNG\r\n\x1a\n"


class PackageError(ValueError):
    """The manifest or an icon would be refused by Teams; the message says which and why."""


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    head = path.read_bytes()[:24]
    if len(head) < 24 or not head.startswith(_PNG) or head[12:16] != b"IHDR":
        raise PackageError(f"{path}: not a PNG image")
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def build_package(source: Path, client_id: str, out: Path) -> dict[str, Any]:
    """Write the app package to `out` and return the manifest it holds.

    Args:
        source: the folder with `manifest.json` and the icons it names.
        client_id: the bot's Entra application (client) id.
        out: the zip to write.

    Raises:
        PackageError: a missing file, a bad id, an icon of the wrong size, a placeholder left.
    """
    if not GUID.fullmatch(client_id or ""):
        raise PackageError(
            f"the bot's client id {client_id!r} is not a GUID: set "
            "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID to the app registration's "
            "Application (client) ID"
        )
    manifest_path = source / "manifest.json"
    try:
        text = manifest_path.read_text(encoding="utf-8")
    except OSError as error:
        raise PackageError(f"{manifest_path}: cannot read it ({error})") from error
    text = text.replace(PLACEHOLDER, client_id.lower())
    if "${{" in text:
        raise PackageError(f"{manifest_path}: a ${{{{...}}}} placeholder is left unfilled")
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as error:
        raise PackageError(f"{manifest_path}: not valid JSON ({error})") from error
    icons = {}
    for kind, size in ICONS.items():
        name = manifest.get("icons", {}).get(kind)
        path = source / str(name)
        if not name or not path.is_file():
            raise PackageError(f"{manifest_path}: the {kind} icon {name!r} is missing")
        if png_size(path) != size:
            raise PackageError(f"{path}: the {kind} icon must be {size[0]}x{size[1]} pixels")
        icons[str(name)] = path
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for name, path in icons.items():
            archive.write(path, name)  # Teams wants every file at the root of the zip
    return manifest
