"""round aggregates kept by the indexer

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 09:10:00

What a round raised per currency (`round_totals`), who has donated to it (`round_donors`, for
distinctness) and how many (`funding_rounds.donors`), kept by
the funding-rounds projection in the transaction that writes or rolls back the donations, so a
round's detail reads a handful of rows however many donations it has. Existing rounds are
summed once here.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import impactchain.db.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUM_EXISTING = """
INSERT INTO round_totals (chain_id, round, currency, amount, matic_equivalent, donations)
SELECT chain_id, round, currency, sum(amount), sum(matic_equivalent), count(*)
FROM round_donations GROUP BY chain_id, round, currency;
INSERT INTO round_donors (chain_id, round, donor)
SELECT DISTINCT chain_id, round, donor FROM round_donations;
UPDATE funding_rounds f SET donors = d.donors
FROM (SELECT chain_id, round, count(*) AS donors FROM round_donors GROUP BY chain_id, round) d
WHERE f.chain_id = d.chain_id AND f.address = d.round;
"""


def upgrade() -> None:
    op.create_table(
        "round_totals",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("round", sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
        sa.Column("amount", impactchain.db.types.Wei(precision=78, scale=0), nullable=False),
        sa.Column("matic_equivalent", impactchain.db.types.Wei(precision=78, scale=0), nullable=False),
        sa.Column("donations", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "round", "currency"),
    )
    op.create_table(
        "round_donors",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("round", sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
        sa.Column("donor", sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "round", "donor"),
    )
    op.add_column("funding_rounds", sa.Column("donors", sa.BigInteger(), server_default="0", nullable=False))
    for statement in SUM_EXISTING.strip().split(";\n"):
        op.execute(statement)


def downgrade() -> None:
    op.drop_column("funding_rounds", "donors")
    op.drop_table("round_donors")
    op.drop_table("round_totals")
