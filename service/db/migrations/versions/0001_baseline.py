"""Baseline: empty schema. Feature areas branch from here (records, jobs) and Alembic upgrades to all heads.

Revision ID: 0001_baseline
"""
revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
