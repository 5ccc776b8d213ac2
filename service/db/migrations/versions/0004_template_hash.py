"""The document register names the template version (sha256 of the .docx/.xlsx template) that made each file.

Revision ID: template_hash
Revises: 0003_merge
"""
import sqlalchemy as sa
from alembic import op

revision = "template_hash"
down_revision = "0003_merge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("template_sha256", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("template_sha256")
