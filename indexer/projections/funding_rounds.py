"""Funding rounds: FundingRoundFactory's `RoundCreated` events become `funding_rounds` rows; of
every round, `Donated` becomes a `round_donations` row (each with a thank-you job in the outbox)
and every other event a `round_events` row.

A round's figures are kept, not recomputed on read: `round_totals` (sums and count per currency),
`round_donors` (who has donated) and `funding_rounds.donors` (how many) change in the
statement that stores new donations and in the one that rolls donations back, so they always
equal a recomputation over `round_donations` — after a reorg and after a rebuild too."""

from collections.abc import Sequence
from typing import cast

import orjson

from impactchain.events import EventLog
from impactchain.jobs import ROUND_THANK_YOU_JOB
from impactchain.registry import DeploymentManifest
from indexer.repository import Connection, StagedAll, Tally, delete_rows, stage_rows

_ROUND_COLUMNS = (
    "chain_id", "factory", "address", "round_index", "founder", "salt", "metadata_cid", "goal", "deadline",
    "milestones", "implementation", "block_number", "block_hash", "tx_hash", "log_index",
)  # fmt: skip
_DONATION_COLUMNS = (
    "chain_id", "round", "donor", "currency", "amount", "matic_equivalent", "donor_total",
    "block_number", "block_hash", "tx_hash", "log_index",
)  # fmt: skip
_EVENT_COLUMNS = ("chain_id", "round", "event", "args", "block_number", "block_hash", "tx_hash", "log_index")

# The figures kept, from `added_totals` (sums and count per round and currency) and
# `added_pairs` (each round's donors) of the donations a write stored. A donor is new to a round
# when their (round, donor) pair was not in `round_donors` yet; an existing pair costs an index
# probe and no write.
_KEEP_FIGURES = (
    """round_totals_added AS (
        INSERT INTO round_totals AS t (chain_id, round, currency, amount, matic_equivalent, donations)
        SELECT chain_id, round, currency, amount, matic_equivalent, donations FROM added_totals
        ON CONFLICT (chain_id, round, currency) DO UPDATE
        SET amount = t.amount + EXCLUDED.amount, matic_equivalent = t.matic_equivalent + EXCLUDED.matic_equivalent,
            donations = t.donations + EXCLUDED.donations)""",
    """round_donors_added AS (
        INSERT INTO round_donors (chain_id, round, donor) SELECT chain_id, round, donor FROM added_pairs
        ON CONFLICT (chain_id, round, donor) DO NOTHING RETURNING chain_id, round)""",
    """new_donors AS (
        UPDATE funding_rounds f SET donors = f.donors + g.n
        FROM (SELECT chain_id, round, count(*) AS n FROM round_donors_added GROUP BY chain_id, round) g
        WHERE f.chain_id = g.chain_id AND f.address = g.round)""",
)
# Over `added`, the donations an INSERT … RETURNING stored (see `insert_new`).
_COUNT_ADDED = (
    """added_totals AS (
        SELECT chain_id, round, currency, sum(amount) AS amount, sum(matic_equivalent) AS matic_equivalent,
               count(*) AS donations
        FROM added GROUP BY chain_id, round, currency)""",
    "added_pairs AS (SELECT DISTINCT chain_id, round, donor FROM added)",
    *_KEEP_FIGURES,
)
# Donations all new, summed per (round, currency) and (round, donor) first: $1..$6 the totals'
# columns, $7..$9 the pairs'.
_COUNT_ALL_NEW = (
    "WITH added_totals (chain_id, round, currency, amount, matic_equivalent, donations) AS ("  # noqa: S608 - constants
    "SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::numeric[], $5::numeric[], $6::bigint[])), "
    "added_pairs (chain_id, round, donor) AS (SELECT * FROM unnest($7::bigint[], $8::text[], $9::text[])), "
    + ", ".join(_KEEP_FIGURES)
    + " SELECT 1"
)


class RoundFigures:
    """`round_totals`, `round_donors` and `funding_rounds.donors` over the donations stored."""

    ctes = _COUNT_ADDED

    def tally(self, records: Sequence[tuple[object, ...]]) -> Tally:
        """Sums of the records' amounts (decimal strings), per round and currency, and their donors."""
        totals: dict[tuple[object, object, object], list[int]] = {}
        donors: set[tuple[object, object, object]] = set()
        for chain_id, round_, donor, currency, amount, matic, *_ in records:
            figures = totals.setdefault((chain_id, round_, currency), [0, 0, 0])
            figures[0] += int(cast(str, amount))
            figures[1] += int(cast(str, matic))
            figures[2] += 1
            donors.add((chain_id, round_, donor))
        keys, sums, pairs = list(totals), list(totals.values()), list(donors)
        return _COUNT_ALL_NEW, (
            [k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys],
            [s[0] for s in sums], [s[1] for s in sums], [s[2] for s in sums],
            [p[0] for p in pairs], [p[1] for p in pairs], [p[2] for p in pairs],
        )  # fmt: skip


ROUND_FIGURES = RoundFigures()

# The donations `forget_after` is about to delete (`{gone}`: those above block $3), subtracted: a
# total whose every donation goes is deleted (a recomputation would not have it), the others
# decremented; a donor stays only with a donation at or below block $3.
_UNCOUNT = """
WITH gone AS (SELECT chain_id, round, donor, currency, amount, matic_equivalent FROM round_donations WHERE {gone}),
per_currency AS (
    SELECT chain_id, round, currency, sum(amount) AS amount, sum(matic_equivalent) AS matic_equivalent,
           count(*) AS n
    FROM gone GROUP BY chain_id, round, currency),
totals_emptied AS (
    DELETE FROM round_totals t USING per_currency g
    WHERE (t.chain_id, t.round, t.currency) = (g.chain_id, g.round, g.currency) AND t.donations = g.n),
totals_reduced AS (
    UPDATE round_totals t SET amount = t.amount - g.amount, matic_equivalent = t.matic_equivalent - g.matic_equivalent,
        donations = t.donations - g.n
    FROM per_currency g
    WHERE (t.chain_id, t.round, t.currency) = (g.chain_id, g.round, g.currency) AND t.donations > g.n),
pairs AS (SELECT DISTINCT chain_id, round, donor FROM gone),
donors_gone AS (
    DELETE FROM round_donors d USING pairs p
    WHERE (d.chain_id, d.round, d.donor) = (p.chain_id, p.round, p.donor)
      AND NOT EXISTS (SELECT 1 FROM round_donations x WHERE x.donor = p.donor AND x.block_number <= $3
                      AND x.round = p.round AND x.chain_id = p.chain_id)
    RETURNING d.chain_id, d.round)
UPDATE funding_rounds f SET donors = f.donors - g.n
FROM (SELECT chain_id, round, count(*) AS n FROM donors_gone GROUP BY chain_id, round) g
WHERE f.chain_id = g.chain_id AND f.address = g.round
"""


class FundingRounds:
    name = "funding-rounds"
    tables = ("funding_rounds", "round_donations", "round_events", "round_totals", "round_donors")

    def __init__(self, factory: str) -> None:
        self.factory = factory.lower()
        self.events: dict[str, frozenset[str] | None] = {
            "FundingRoundFactory": frozenset({"RoundCreated"}),
            "FundingRound": None,  # every event of every round
        }

    def stage(self, chain_id: int, events: Sequence[EventLog]) -> StagedAll:
        rounds = [(chain_id, *_round(e), *_position(e)) for e in events if e.event == "RoundCreated"]
        # Amounts as the decoder gives them, decimal strings (as in the donations projection).
        donations = [
            (
                chain_id, e.contract, e.args["donor"].lower(), e.args["currency"].lower(), e.args["amount"],
                e.args["maticEquivalent"], e.args["donorTotal"], *_position(e),
            )
            for e in events
            if e.event == "Donated"
        ]  # fmt: skip
        others = [
            (chain_id, e.contract, e.event, orjson.dumps(e.args).decode(), *_position(e))
            for e in events
            if e.event not in ("RoundCreated", "Donated")
        ]
        # Rounds first: a round's first events can share the step that created it.
        return StagedAll(
            (
                stage_rows("funding_rounds", _ROUND_COLUMNS, rounds, numeric=True, unique="chain_id, address"),
                stage_rows(
                    "round_donations",
                    _DONATION_COLUMNS,
                    donations,
                    numeric=True,
                    job=ROUND_THANK_YOU_JOB,
                    summaries=ROUND_FIGURES,
                ),
                stage_rows("round_events", _EVENT_COLUMNS, others),
            )
        )

    async def forget_after(self, connection: Connection, chain_id: int, block_number: int) -> int:
        # The rounds last: the other two find theirs through them.
        of_rounds = (
            "chain_id = $1 AND block_number > $3 "
            "AND round IN (SELECT address FROM funding_rounds WHERE chain_id = $1 AND factory = $2)"
        )
        params = (chain_id, self.factory, block_number)
        await connection.execute(_UNCOUNT.format(gone=of_rounds), *params)
        removed = await delete_rows(connection, "round_donations", of_rounds, *params, job=ROUND_THANK_YOU_JOB)
        removed += await delete_rows(connection, "round_events", of_rounds, *params)
        return removed + await delete_rows(
            connection, "funding_rounds", "chain_id = $1 AND factory = $2 AND block_number > $3", *params
        )


def _round(event: EventLog) -> tuple[object, ...]:
    a = event.args
    return (
        event.contract, a["round"].lower(), int(a["roundIndex"]), a["founder"].lower(), a["salt"], a["metadataCid"],
        int(a["goal"]), int(a["deadline"]), int(a["milestones"]), a["implementation"].lower(),
    )  # fmt: skip


def _position(event: EventLog) -> tuple[int, str, str, int]:
    ref = event.ref
    return ref.block_number, ref.block_hash, ref.tx_hash, ref.log_index


def projection(manifest: DeploymentManifest) -> FundingRounds | None:
    factory = manifest.contracts.get("FundingRoundFactory")
    return FundingRounds(factory.address) if factory is not None else None
