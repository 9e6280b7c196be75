"""the event store without its contract-name-only and event-only indexes

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 18:40:00

`(contract_name, event, block_number, log_index)` serves every read the two indexes led by
`contract_name` alone and by `event` alone served: the API reads a name-only or an event-only
filter as one index scan per (contract name, event) pair it matches, merged newest first
(api/events/repository.py; a Merge Append that reads a page's rows and one more per pair). The
two indexes cost an initial sync a quarter of its index builds (1,000,000 events: 2.1 and 3.1 s of
CPU of ~20 s, docs/SCALING.md), and every later insert their upkeep.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A partitioned table's index goes with its partitions' indexes. An initial sync may have it
    # deferred: its record goes too, or the sync would build it at the head.
    for name in ("ix_contract_events_contract_name_position", "ix_contract_events_event_position"):
        op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute(sa.text("DELETE FROM indexer_deferred_indexes WHERE name = :name").bindparams(name=name))


def downgrade() -> None:
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_contract_events_contract_name_position "
        "ON contract_events (contract_name, block_number, log_index)"
    )
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_contract_events_event_position ON contract_events (event, block_number, log_index)"
    )
