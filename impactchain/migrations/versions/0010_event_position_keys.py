"""events kept unique by their position in the chain

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 12:20:00

The event tables were unique by (tx_hash, log_index): a b-tree over random hashes, where every
insert lands on a random page. During a backfill that index cost PostgreSQL about as much as the
row itself (measured with COPY: ~12 µs a row with it, ~7 µs with a unique index over the log's
position instead). An event is as well identified by where it sits on the chain:
(block_number, log_index) on one chain. That key grows at the end of its index, and it also
serves every read in chain order, so each table's plain (block_number, log_index) index goes.
The notification worker still finds a donation by its transaction: donations and round
donations keep a plain (tx_hash, log_index) index, which an initial sync builds once at the end.
The event store's rows are named by nothing else: its position becomes its primary key, and its
`id` (a sequence draw and a third b-tree per row, never read) goes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSITION = ["block_number", "log_index", "chain_id"]
# table -> (its old unique constraint, its plain position index if it had one, keeps a tx index)
TABLES = {
    "contract_events": ("uq_contract_events_tx_log", "ix_contract_events_position", False),
    "donations": ("uq_donations_tx_log", "ix_donations_position", True),
    "round_donations": ("uq_round_donations_tx_log", None, True),
    "round_events": ("uq_round_events_tx_log", None, False),
}


def upgrade() -> None:
    op.drop_constraint("contract_events_pkey", "contract_events", type_="primary")
    op.drop_column("contract_events", "id")
    op.create_primary_key("contract_events_pkey", "contract_events", POSITION)
    for table, (old_unique, position_index, tx_index) in TABLES.items():
        if table != "contract_events":
            op.create_unique_constraint(f"uq_{table}_position", table, POSITION)
        op.drop_constraint(old_unique, table, type_="unique")
        if position_index is not None:
            op.drop_index(position_index, table_name=table)
        if tx_index:
            op.create_index(f"ix_{table}_tx_log", table, ["tx_hash", "log_index"], unique=False)


def downgrade() -> None:
    for table, (old_unique, position_index, tx_index) in TABLES.items():
        if tx_index:
            op.drop_index(f"ix_{table}_tx_log", table_name=table)
        if position_index is not None:
            op.create_index(position_index, table, ["block_number", "log_index"], unique=False)
        op.create_unique_constraint(old_unique, table, ["tx_hash", "log_index"])
        if table != "contract_events":
            op.drop_constraint(f"uq_{table}_position", table, type_="unique")
    op.drop_constraint("contract_events_pkey", "contract_events", type_="primary")
    op.add_column("contract_events", sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False))
    op.create_primary_key("contract_events_pkey", "contract_events", ["id"])
