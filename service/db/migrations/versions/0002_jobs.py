"""Jobs, job items, the permanent document register, API tokens and the audit log (issue 5).

Revision ID: 0002_jobs
Revises: 0001_baseline
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_jobs"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(64), nullable=False, index=True),
        sa.Column("unit", sa.String(128), index=True),
        sa.Column("period", sa.String(32)),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("input_hash", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("done", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("token_id", sa.String(16), index=True),
        sa.Column("idempotency_key", sa.String(255)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("dispatched_at", sa.DateTime),
        sa.Column("dispatch_count", sa.Integer, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("expires_at", sa.DateTime),
        sa.Column("expired", sa.Boolean, nullable=False),
        sa.Column("result_document_id", sa.String(32)),
        sa.UniqueConstraint("token_id", "idempotency_key", name="uq_jobs_idempotency"),
    )
    op.create_table(
        "job_items",
        sa.Column("job_id", sa.String(32), primary_key=True),
        sa.Column("idx", sa.Integer, primary_key=True),
        sa.Column("label", sa.String(255), nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("job_id", sa.String(32), nullable=False, index=True),
        sa.Column("item_idx", sa.Integer),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("unit", sa.String(128), index=True),
        sa.Column("kind", sa.String(64), nullable=False, index=True),
        sa.Column("period", sa.String(32), index=True),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("media_type", sa.String(128), nullable=False),
        sa.Column("input_hash", sa.String(64), nullable=False, index=True),
        sa.Column("item_params", sa.JSON),
        sa.Column("file_hash", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("page_count", sa.Integer),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime),
        sa.Column("storage_path", sa.String(512)),
        sa.UniqueConstraint("job_id", "item_idx", "filename", name="uq_documents_job_file"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("unit", sa.String(128)),
        sa.Column("label", sa.String(255)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("revoked_at", sa.DateTime),
        sa.Column("last_used_at", sa.DateTime),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False, index=True),
        sa.Column("token_id", sa.String(16), index=True),
        sa.Column("role", sa.String(16)),
        sa.Column("unit", sa.String(128)),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("job_id", sa.String(32)),
        sa.Column("document_id", sa.String(32)),
        sa.Column("detail", sa.Text),
    )


def downgrade() -> None:
    for table in ("audit_log", "api_tokens", "documents", "job_items", "jobs"):
        op.drop_table(table)
