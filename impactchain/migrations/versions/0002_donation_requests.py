"""donations per help request and currency

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 21:00:00

HelpDesk now takes donations per help request (0 = the general fund) in several currencies.
Rows indexed before this revision were native donations to the general fund.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NATIVE_CURRENCY = "0x" + "00" * 20


def upgrade() -> None:
    op.add_column("donations", sa.Column("request_id", sa.BigInteger(), nullable=False, server_default="0"))
    op.add_column(
        "donations",
        sa.Column(
            "currency", sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False, server_default=NATIVE_CURRENCY
        ),
    )
    op.alter_column("donations", "request_id", server_default=None)
    op.alter_column("donations", "currency", server_default=None)
    op.create_index(
        "ix_donations_request_position", "donations", ["request_id", "block_number", "log_index"], unique=False
    )
    # Checkpoints are now kept per deployment (`helpdesk-donations:<address>`); the old shared
    # one would otherwise linger in /v1/status with an ever-growing lag.
    op.execute("DELETE FROM indexed_blocks WHERE indexer = 'helpdesk-donations'")
    op.execute("DELETE FROM indexer_checkpoints WHERE name = 'helpdesk-donations'")


def downgrade() -> None:
    op.drop_index("ix_donations_request_position", table_name="donations")
    op.drop_column("donations", "currency")
    op.drop_column("donations", "request_id")
