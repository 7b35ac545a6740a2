"""What the bot says in a chat, on every surface: one place to read and reword it.

Labels inside an answer's rendering (card headers, button titles) stay with their renderer;
every sentence the bot sends as a message or a dialog lives here.
"""

from __future__ import annotations

EXAMPLE = "What helps social workers stay in their jobs?"
HELP = f"Ask me a practice question, for example: {EXAMPLE}"
HELP_MRKDWN = f"Ask me a practice question, for example: _{EXAMPLE}_"  # Slack's italics
LOOKING = "Looking in the library for: {question}"
FAILED = "Sorry, something went wrong looking that up. Please try again in a minute."
REMINDER = (
    "Please don't share details that could identify a child or family here; "
    "I've stored your question with those details removed."
)

# What a person does to an answer
THANKS_UP = "Thanks, that helps us improve the library."
THANKS_DOWN = "Thanks for telling us; the evidence team will look at it."
NOT_YOURS = "Only the person who asked can share this answer."
GONE = "That answer is no longer in the records (they are kept for a limited time)."
NOTE_TITLE = "Supervision note"
NOTE_POSTED = "Supervision note posted below."
NOTE_DECLINED = "OK, the note was not saved to your OneDrive; its text is in the message above."
UPLOAD_FAILED = "Sorry, I could not save the note to your OneDrive ({problem}); its text is above."

# Sharing in Teams, where the bot cannot list channels
SHARE_HERE = (
    "To share answer {n}, press Share in a channel under it, or @mention me in the channel or "
    "group chat with: share {n}"
)
SHARE_NOWHERE = (
    "I don't know a channel or group chat where you have talked to me yet. Add me there, or "
    "@mention me there once, then press Share again. You can also @mention me there with: share {n}"
)
SHARE_PICK = "Post answer {n} (with its quotes and sources) in:"
NOT_THERE = "I can't share it there: pick a channel or group chat from the list."
SHARED = "Shared in {name}."
SHARE_FAILED = "Sorry, I could not post it in {name}. Please try again in a minute."

# Evidence staff loading and managing the library
UPLOAD_REFUSED = (
    "Sorry, only the evidence team can add documents to the library. "
    "If you think something should be in it, please tell them."
)
ADMIN_REFUSED = "Sorry, only the evidence team can manage the library."
FILES_NOT_HERE = "Please send documents to me in a personal chat, not in a channel or group chat."
ADMIN_NOT_HERE = "Please send admin commands to me in a personal chat."
UPLOADS_NOT_SET_UP = "Loading documents through Teams is not set up on this bot."
LOADING = "Loading {count} document(s) into the library…"
NOT_ADDED = "not added. {problem}."
NO_LINK = "{platform} gave no download link for it"
NOT_DOWNLOADED = "could not download it ({error})"
NOT_FROM_PLATFORM = (
    "its link does not point at {platform}'s own file storage, so I did not fetch it"
)
REDIRECTED = "{platform}'s link redirected away from its own file storage, so I stopped"
TOO_SLOW = "the download took too long: send it again, or load it with `evidence ingest`"
TOO_BIG = "the file is over {mb} MB: split it, or load it with `evidence ingest`"
# A web page where the file should be: Slack serves its login page to requests without the token.
WEB_PAGE = {
    "slack": "Slack sent a login page instead of the file: check the app has the files:read scope",
    "teams": "Teams sent a web page instead of the file: send it again",
}
