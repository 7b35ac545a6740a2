"""Answers: the audit record of each chat answer, with feedback.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("surface", sa.String(20), nullable=False),
        sa.Column("workspace", sa.String(100), nullable=True),
        sa.Column("channel", sa.String(100), nullable=True),
        sa.Column("user", sa.String(100), nullable=True),
        sa.Column("thread", sa.String(100), nullable=True),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("redacted", sa.JSON, nullable=False),
        sa.Column("answered", sa.Boolean, nullable=False),
        sa.Column("answer", sa.JSON, nullable=False),
        sa.Column("library_version", sa.Integer, nullable=True),
        sa.Column("feedback", sa.String(10), nullable=True),
        sa.Column("feedback_note", sa.Text, nullable=True),
    )
    op.create_index("ix_answers_asked_at", "answers", ["asked_at"])


def downgrade() -> None:
    op.drop_table("answers")
