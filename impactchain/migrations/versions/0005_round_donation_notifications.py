"""round donation notifications

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 01:21:55

Donors to funding rounds are thanked too: a notification is for a HelpDesk donation or for a
round donation, exactly one of the two.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("notifications", sa.Column("round_donation_id", sa.BigInteger(), nullable=True))
    op.alter_column("notifications", "donation_id", existing_type=sa.BIGINT(), nullable=True)
    op.create_unique_constraint("notifications_round_donation_id_key", "notifications", ["round_donation_id"])
    op.create_check_constraint(
        "ck_notifications_one_donation", "notifications", "(donation_id IS NULL) <> (round_donation_id IS NULL)"
    )


def downgrade() -> None:
    op.execute("DELETE FROM notifications WHERE donation_id IS NULL")
    op.drop_constraint("ck_notifications_one_donation", "notifications", type_="check")
    op.drop_constraint("notifications_round_donation_id_key", "notifications", type_="unique")
    op.alter_column("notifications", "donation_id", existing_type=sa.BIGINT(), nullable=False)
    op.drop_column("notifications", "round_donation_id")
