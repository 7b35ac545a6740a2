"""Conversations a chat bot knows (where answers can be shared) and messages carrying answers.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("surface", sa.String(20), primary_key=True),
        sa.Column("conversation", sa.String(400), primary_key=True),
        sa.Column("user", sa.String(100), primary_key=True),
        sa.Column("tenant", sa.String(100), nullable=True),
        sa.Column("service_url", sa.String(500), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.Text, nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_conversations_seen_at", "conversations", ["seen_at"])
    op.create_table(
        "answer_messages",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("answer_id", sa.Integer, nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_answer_messages_sent_at", "answer_messages", ["sent_at"])


def downgrade() -> None:
    op.drop_table("answer_messages")
    op.drop_table("conversations")
