"""addresses and hashes compared byte by byte (COLLATE "C")

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 04:30:00

Every address (42 characters) and hash (66) column took the database's default collation. Under
a locale's collation (C.UTF-8 on Debian's PostgreSQL) text is compared through strcoll and
sorted without abbreviated keys, so the b-trees over addresses and hashes (a donor's, a round's,
a contract's events; a transaction's logs) cost an initial sync most of its deferred index
builds: 1,000,000 hex addresses sort into a b-tree in 2.0 s that way and in 1.2 s byte by byte.
Hex is ASCII, so the order and the equalities are the same either way; only the work changes.
The columns keep their type (no table is rewritten); PostgreSQL rebuilds the indexes on them.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ADDRESSES = {
    "contract_events": ("contract",),
    "donations": ("contract", "donor", "currency"),
    "funding_rounds": ("factory", "address", "founder", "implementation"),
    "round_donations": ("round", "donor", "currency"),
    "round_donors": ("round", "donor"),
    "round_events": ("round",),
    "round_totals": ("round", "currency"),
    "notifications": ("recipient",),
}
HASHES = {
    "contract_events": ("block_hash", "tx_hash"),
    "donations": ("block_hash", "tx_hash"),
    "funding_rounds": ("salt", "block_hash", "tx_hash"),
    "round_donations": ("block_hash", "tx_hash"),
    "round_events": ("block_hash", "tx_hash"),
    "notifications": ("tx_hash",),
    "indexed_blocks": ("block_hash",),
    "indexer_checkpoints": ("block_hash",),
}


def _collate(collation: str) -> None:
    # One ALTER TABLE per table: its indexes are rebuilt once, not once per column. On a
    # partitioned table the change goes down to every partition.
    for table in sorted({*ADDRESSES, *HASHES}):
        changes = [
            f'ALTER COLUMN {column} TYPE varchar({length}) COLLATE "{collation}"'
            for columns, length in ((ADDRESSES.get(table, ()), 42), (HASHES.get(table, ()), 66))
            for column in columns
        ]
        op.execute(f"ALTER TABLE {table} {', '.join(changes)}")


def upgrade() -> None:
    _collate("C")


def downgrade() -> None:
    _collate("default")
