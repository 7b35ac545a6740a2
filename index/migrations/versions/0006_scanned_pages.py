"""Pages recognised from a scan: the OCR engine and its confidence, per page.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.add_column(sa.Column("ocr_engine", sa.String(80), nullable=True))
        batch.add_column(sa.Column("ocr_confidence", sa.Float, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("ocr_confidence")
        batch.drop_column("ocr_engine")
