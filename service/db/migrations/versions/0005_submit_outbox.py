"""The submit outbox and chunk leases (issue 8, items 10-11 and P4).

- job_outbox: a publish that is not yet confirmed (written in the submit's own transaction; deleted by the worker
  once the job is planned and its chunks are sent). The sweep re-sends what stays here past its grace.
- job_items.lease_until / lease_owner: a chunk reserved by a worker is leased to it and renewed by the worker's
  heartbeat; when the worker dies the lease runs out and the sweep re-sends those items within seconds, instead of
  waiting for Redis's visibility timeout.

Revision ID: submit_outbox
Revises: template_hash
"""
import sqlalchemy as sa
from alembic import op

revision = "submit_outbox"
down_revision = "template_hash"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_outbox",
        sa.Column("job_id", sa.String(32), primary_key=True),
        sa.Column("sent_at", sa.DateTime, nullable=False, index=True),
        sa.Column("attempts", sa.Integer, nullable=False),
    )
    with op.batch_alter_table("job_items") as batch:
        batch.add_column(sa.Column("lease_until", sa.DateTime))
        batch.add_column(sa.Column("lease_owner", sa.String(255)))
    op.create_index("ix_job_items_lease", "job_items", ["state", "lease_until"])


def downgrade() -> None:
    op.drop_index("ix_job_items_lease", table_name="job_items")
    with op.batch_alter_table("job_items") as batch:
        batch.drop_column("lease_owner")
        batch.drop_column("lease_until")
    op.drop_table("job_outbox")
