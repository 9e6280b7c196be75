"""the projections each stream feeds (one added later is replayed from the event store); the
event store's indexes deferred during an initial sync

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 09:20:00

A projection module added to a running deployment has none of the history the stream already
stored. The indexer lists the projections each stream feeds; one not listed yet is replayed from
`contract_events` up to the stream's checkpoint before the stream moves on. The projections that
existed before this revision (donations, funding-rounds) are listed for every stream already
indexed, so upgrading replays nothing. An initial sync drops the event store's secondary indexes
and records their definitions here, to build each once when it reaches the head.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIST_EXISTING = """
INSERT INTO indexer_projections (stream, projection, chain_id)
SELECT c.name, p.name, c.chain_id FROM indexer_checkpoints c
CROSS JOIN (VALUES ('donations'), ('funding-rounds')) AS p (name)
WHERE c.name LIKE 'platform:%'
"""


def upgrade() -> None:
    op.create_table(
        "indexer_projections",
        sa.Column("stream", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("projection", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("replayed_to", sa.BigInteger(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("stream", "projection"),
    )
    op.execute(LIST_EXISTING)
    op.create_table(
        "indexer_deferred_indexes",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("table_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("definition", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("deferred_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    # An initial sync cut short leaves its indexes to build: build them before the record goes.
    connection = op.get_bind()
    for (definition,) in connection.execute(sa.text("SELECT definition FROM indexer_deferred_indexes")):
        op.execute(definition)
    op.drop_table("indexer_deferred_indexes")
    op.drop_table("indexer_projections")
