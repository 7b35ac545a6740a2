"""What every chat surface's HTTP endpoint allows a request, before any work is done on it.

Slack's events and Teams' activities are a few kilobytes; a larger body is refused (413) before
it is read, and a body not delivered in time (408) is dropped so a slow sender cannot hold a
worker. The skins apply these in their own servers (`bot/slack/http.py`, `bot/teams/server.py`).
"""

MAX_BODY = 1024 * 1024  # bytes; aiohttp's own default cap is the same
READ_TIMEOUT = 10.0  # seconds a sender may take to deliver its whole body
