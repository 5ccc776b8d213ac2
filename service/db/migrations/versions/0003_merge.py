"""Join the two feature branches of 0001_baseline (records, jobs) into one line: from here on there is one head,
and `alembic upgrade head` works. Databases already at both 0002 revisions move to this one without changes.

Revision ID: 0003_merge
Revises: 0002_records, 0002_jobs
"""
revision = "0003_merge"
down_revision = ("0002_records", "0002_jobs")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
