"""The chat records in the catalog's database: the audit log, conversations, delivery claims."""

from bot.records.answers import AnswerLog, AnswerRecord, RecordedAnswer
from bot.records.conversations import Conversation, Conversations
from bot.records.deliveries import Deliveries
from bot.records.tables import ChatBase

__all__ = [
    "AnswerLog",
    "AnswerRecord",
    "ChatBase",
    "Conversation",
    "Conversations",
    "Deliveries",
    "RecordedAnswer",
]
