"""funding rounds, their donations and events

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 00:48:12

Rounds the factory created, the donations each round received and the rest of each round's
events, as the indexer projects them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

import impactchain.db.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "funding_rounds",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("factory", sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
        sa.Column("round_index", sa.BigInteger(), nullable=False),
        sa.Column("founder", sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
        sa.Column("salt", sqlmodel.sql.sqltypes.AutoString(length=66), nullable=False),
        sa.Column("metadata_cid", sa.Text(), nullable=False),
        sa.Column("goal", impactchain.db.types.Wei(precision=78, scale=0), nullable=False),
        sa.Column("deadline", sa.BigInteger(), nullable=False),
        sa.Column("milestones", sa.BigInteger(), nullable=False),
        sa.Column("implementation", sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("block_hash", sqlmodel.sql.sqltypes.AutoString(length=66), nullable=False),
        sa.Column("tx_hash", sqlmodel.sql.sqltypes.AutoString(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chain_id", "address", name="uq_funding_rounds_chain_address"),
    )
    op.create_index(
        "ix_funding_rounds_founder_position", "funding_rounds", ["founder", "block_number", "log_index"], unique=False
    )
    op.create_index("ix_funding_rounds_position", "funding_rounds", ["block_number", "log_index"], unique=False)
    op.create_table(
        "round_donations",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("round", sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
        sa.Column("donor", sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
        sa.Column("amount", impactchain.db.types.Wei(precision=78, scale=0), nullable=False),
        sa.Column("matic_equivalent", impactchain.db.types.Wei(precision=78, scale=0), nullable=False),
        sa.Column("donor_total", impactchain.db.types.Wei(precision=78, scale=0), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("block_hash", sqlmodel.sql.sqltypes.AutoString(length=66), nullable=False),
        sa.Column("tx_hash", sqlmodel.sql.sqltypes.AutoString(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tx_hash", "log_index", name="uq_round_donations_tx_log"),
    )
    op.create_index(
        "ix_round_donations_donor_position", "round_donations", ["donor", "block_number", "log_index"], unique=False
    )
    op.create_index(
        "ix_round_donations_round_position",
        "round_donations",
        ["round", "block_number", "log_index"],
        unique=False,
    )
    op.create_table(
        "round_events",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("round", sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
        sa.Column("event", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("args", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("block_hash", sqlmodel.sql.sqltypes.AutoString(length=66), nullable=False),
        sa.Column("tx_hash", sqlmodel.sql.sqltypes.AutoString(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tx_hash", "log_index", name="uq_round_events_tx_log"),
    )
    op.create_index(
        "ix_round_events_round_position",
        "round_events",
        ["round", "block_number", "log_index"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_round_events_round_position", table_name="round_events")
    op.drop_table("round_events")
    op.drop_index("ix_round_donations_round_position", table_name="round_donations")
    op.drop_index("ix_round_donations_donor_position", table_name="round_donations")
    op.drop_table("round_donations")
    op.drop_index("ix_funding_rounds_position", table_name="funding_rounds")
    op.drop_index("ix_funding_rounds_founder_position", table_name="funding_rounds")
    op.drop_table("funding_rounds")
