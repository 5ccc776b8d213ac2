"""The PDF cache of the year-end archive: each filed document's source and PDF (with its page count) by input hash,
and each unit's finished archive zip, so a batch converts only what is new (issue 10).

Revision ID: archive_cache
Revises: 0001_baseline
"""
import sqlalchemy as sa
from alembic import op

revision = "archive_cache"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pdf_cache",
        sa.Column("input_hash", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(64), nullable=False, index=True),
        sa.Column("page_count", sa.Integer),
        sa.Column("storage_path", sa.String(512), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("source_path", sa.String(512)),
        sa.Column("source_sha256", sa.String(64)),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pdf_cache")
