"""pending outbox jobs found by their event

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 10:40:00

A rollback or rebuild deletes the rows it undoes together with their jobs not enqueued yet,
matching each job by (function, args = [chain id, tx hash, log index]). Without an index on that
pair the match scanned every pending job per deleted row: a rebuild over 20,000 donations with
their jobs still pending took ten minutes instead of about a second.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_job_outbox_pending_event",
        "job_outbox",
        ["function", "args"],
        unique=False,
        postgresql_where=sa.text("enqueued_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_job_outbox_pending_event", table_name="job_outbox", postgresql_where=sa.text("enqueued_at IS NULL")
    )
