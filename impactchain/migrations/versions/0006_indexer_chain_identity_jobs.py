"""jobs and notifications keyed by the chain identity of their event; finality per checkpoint

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 06:20:00

A reorg deeper than the indexer's window, or a rebuild, deletes rows and derives them again
with new ids: a thank-you keyed by the row's id was sent twice. Notifications are now unique per
event (chain id, tx hash, log index) and thank-you jobs carry that identity instead of a row id.
The row-id columns stay as the row a notification was made from. A partial index finds the
outbox's pending jobs (the relay's claim, and the deletion of a rolled-back row's job).
Checkpoints keep the chain's finalized block as last seen (NULL where the chain serves none):
what lies above it is unconfirmed. One stream now feeds every projection under one checkpoint
(`platform:<hash>`); the three per-projection checkpoints go (they would linger in /v1/status),
and the stream reads from the deployment block once, storing only what is new.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

THANK_YOU_JOB = "workers.notifications.tasks.send_thank_you"
ROUND_THANK_YOU_JOB = "workers.notifications.tasks.send_round_thank_you"

IDENTIFY_NOTIFICATIONS = """
UPDATE notifications n SET chain_id = d.chain_id, tx_hash = d.tx_hash, log_index = d.log_index
FROM donations d WHERE n.donation_id = d.id;
UPDATE notifications n SET chain_id = d.chain_id, tx_hash = d.tx_hash, log_index = d.log_index
FROM round_donations d WHERE n.round_donation_id = d.id;
"""
# Pending jobs take the chain identity of their donation; what is left pending with a bare id
# names a row a reorg removed: nothing to send.
IDENTIFY_PENDING_JOBS = """
UPDATE job_outbox o SET args = jsonb_build_array(d.chain_id, d.tx_hash, d.log_index) FROM donations d
WHERE o.enqueued_at IS NULL AND o.function = :help_desk AND o.args = jsonb_build_array(d.id);
UPDATE job_outbox o SET args = jsonb_build_array(d.chain_id, d.tx_hash, d.log_index) FROM round_donations d
WHERE o.enqueued_at IS NULL AND o.function = :round AND o.args = jsonb_build_array(d.id);
DELETE FROM job_outbox WHERE enqueued_at IS NULL AND function IN (:help_desk, :round) AND jsonb_array_length(args) = 1;
"""
PER_PROJECTION_CHECKPOINTS = """
DELETE FROM indexed_blocks
WHERE indexer LIKE 'helpdesk-donations:%' OR indexer LIKE 'funding-rounds:%' OR indexer LIKE 'platform-events:%';
DELETE FROM indexer_checkpoints
WHERE name LIKE 'helpdesk-donations:%' OR name LIKE 'funding-rounds:%' OR name LIKE 'platform-events:%';
"""
NUMBER_PENDING_JOBS = """
UPDATE job_outbox o SET args = jsonb_build_array(d.id) FROM donations d
WHERE o.enqueued_at IS NULL AND o.function = :help_desk
AND o.args = jsonb_build_array(d.chain_id, d.tx_hash, d.log_index);
UPDATE job_outbox o SET args = jsonb_build_array(d.id) FROM round_donations d
WHERE o.enqueued_at IS NULL AND o.function = :round
AND o.args = jsonb_build_array(d.chain_id, d.tx_hash, d.log_index);
DELETE FROM job_outbox WHERE enqueued_at IS NULL AND function IN (:help_desk, :round) AND jsonb_array_length(args) = 3;
"""


def _run(sql: str) -> None:
    """Each statement of `sql` in turn (asyncpg prepares one at a time), with the job names bound."""
    for statement in filter(None, (part.strip() for part in sql.split(";"))):
        names = {"help_desk": THANK_YOU_JOB, "round": ROUND_THANK_YOU_JOB}
        op.execute(sa.text(statement).bindparams(**{k: v for k, v in names.items() if f":{k}" in statement}))


def upgrade() -> None:
    op.add_column("indexer_checkpoints", sa.Column("finalized_block", sa.BigInteger(), nullable=True))
    op.add_column("notifications", sa.Column("chain_id", sa.BigInteger(), nullable=True))
    op.add_column("notifications", sa.Column("tx_hash", sqlmodel.sql.sqltypes.AutoString(length=66), nullable=True))
    op.add_column("notifications", sa.Column("log_index", sa.Integer(), nullable=True))
    _run(IDENTIFY_NOTIFICATIONS)
    _run(IDENTIFY_PENDING_JOBS)
    _run(PER_PROJECTION_CHECKPOINTS)
    op.drop_constraint("notifications_donation_id_key", "notifications", type_="unique")
    op.drop_constraint("notifications_round_donation_id_key", "notifications", type_="unique")
    op.create_unique_constraint("uq_notifications_event", "notifications", ["chain_id", "tx_hash", "log_index"])
    op.create_index(
        "ix_job_outbox_pending", "job_outbox", ["id"], unique=False, postgresql_where=sa.text("enqueued_at IS NULL")
    )


def downgrade() -> None:
    op.drop_index("ix_job_outbox_pending", table_name="job_outbox", postgresql_where=sa.text("enqueued_at IS NULL"))
    _run(NUMBER_PENDING_JOBS)
    op.drop_constraint("uq_notifications_event", "notifications", type_="unique")
    # Unique per row id again: keep the first notification of each row.
    op.execute(
        """
        DELETE FROM notifications a USING notifications b
        WHERE a.id > b.id AND (a.donation_id = b.donation_id OR a.round_donation_id = b.round_donation_id)
        """
    )
    op.create_unique_constraint("notifications_round_donation_id_key", "notifications", ["round_donation_id"])
    op.create_unique_constraint("notifications_donation_id_key", "notifications", ["donation_id"])
    op.drop_column("notifications", "log_index")
    op.drop_column("notifications", "tx_hash")
    op.drop_column("notifications", "chain_id")
    op.drop_column("indexer_checkpoints", "finalized_block")
