"""contract events

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 00:56:03

Every event of the platform's contracts, decoded by each one's ABI, as the indexer projects them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contract_events",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("contract", sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
        sa.Column("contract_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("event", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("args", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("block_hash", sqlmodel.sql.sqltypes.AutoString(length=66), nullable=False),
        sa.Column("tx_hash", sqlmodel.sql.sqltypes.AutoString(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tx_hash", "log_index", name="uq_contract_events_tx_log"),
    )
    op.create_index(
        "ix_contract_events_args",
        "contract_events",
        ["args"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"args": "jsonb_path_ops"},
    )
    op.create_index(
        "ix_contract_events_contract_event_position",
        "contract_events",
        ["contract_name", "event", "block_number", "log_index"],
        unique=False,
    )
    op.create_index(
        "ix_contract_events_contract_name_position",
        "contract_events",
        ["contract_name", "block_number", "log_index"],
        unique=False,
    )
    op.create_index(
        "ix_contract_events_contract_position",
        "contract_events",
        ["contract", "block_number", "log_index"],
        unique=False,
    )
    op.create_index(
        "ix_contract_events_event_position", "contract_events", ["event", "block_number", "log_index"], unique=False
    )
    op.create_index("ix_contract_events_position", "contract_events", ["block_number", "log_index"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_contract_events_position", table_name="contract_events")
    op.drop_index("ix_contract_events_event_position", table_name="contract_events")
    op.drop_index("ix_contract_events_contract_position", table_name="contract_events")
    op.drop_index("ix_contract_events_contract_name_position", table_name="contract_events")
    op.drop_index("ix_contract_events_contract_event_position", table_name="contract_events")
    op.drop_index(
        "ix_contract_events_args",
        table_name="contract_events",
        postgresql_using="gin",
        postgresql_ops={"args": "jsonb_path_ops"},
    )
    op.drop_table("contract_events")
