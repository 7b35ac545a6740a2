"""The supervision note as a file in a Teams personal chat: the consent card and the file card.

Teams lets a bot put a file in the user's OneDrive only in a personal chat, and only after the
user accepts a FileConsentCard; Teams then sends `fileConsent/invoke` with an upload URL, the bot
PUTs the bytes there and shows the file with a FileInfoCard. Pure JSON here, no SDK.
"""

from __future__ import annotations

from typing import Any

CONSENT_TYPE = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO_TYPE = "application/vnd.microsoft.teams.card.file.info"


def consent_attachment(answer_id: int, name: str, size: int) -> dict[str, Any]:
    """The FileConsentCard asking to save `name` (`size` bytes) for the answer `answer_id`."""
    context = {"answer_id": answer_id}
    return {
        "contentType": CONSENT_TYPE,
        "name": name,
        "content": {
            "description": "Save this supervision note (Markdown) to your OneDrive",
            "sizeInBytes": size,
            "acceptContext": context,
            "declineContext": context,
        },
    }


def file_info_attachment(upload_info: dict[str, Any]) -> dict[str, Any]:
    """The FileInfoCard showing the uploaded file, from the consent's `uploadInfo`."""
    return {
        "contentType": FILE_INFO_TYPE,
        "contentUrl": upload_info.get("contentUrl"),
        "name": upload_info.get("name"),
        "content": {
            "uniqueId": upload_info.get("uniqueId"),
            "fileType": upload_info.get("fileType") or "md",
        },
    }
