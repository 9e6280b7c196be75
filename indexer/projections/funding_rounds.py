"""Funding rounds: FundingRoundFactory's `RoundCreated` events become `funding_rounds` rows; of
every round, `Donated` becomes a `round_donations` row (each with a thank-you job in the outbox)
and every other event a `round_events` row."""

from collections.abc import Sequence

import orjson

from impactchain.events import EventLog
from impactchain.jobs import ROUND_THANK_YOU_JOB
from impactchain.registry import DeploymentManifest
from indexer.repository import Connection, delete_rows, insert_new

_ROUND_COLUMNS = (
    "chain_id", "factory", "address", "round_index", "founder", "salt", "metadata_cid", "goal", "deadline",
    "milestones", "implementation", "block_number", "block_hash", "tx_hash", "log_index",
)  # fmt: skip
_DONATION_COLUMNS = (
    "chain_id", "round", "donor", "currency", "amount", "matic_equivalent", "donor_total",
    "block_number", "block_hash", "tx_hash", "log_index",
)  # fmt: skip
_EVENT_COLUMNS = ("chain_id", "round", "event", "args", "block_number", "block_hash", "tx_hash", "log_index")


class FundingRounds:
    name = "funding-rounds"
    tables = ("funding_rounds", "round_donations", "round_events")

    def __init__(self, factory: str) -> None:
        self.factory = factory.lower()
        self.events: dict[str, frozenset[str] | None] = {
            "FundingRoundFactory": frozenset({"RoundCreated"}),
            "FundingRound": None,  # every event of every round
        }

    async def write(self, connection: Connection, chain_id: int, events: Sequence[EventLog], notify_from: int) -> int:
        rounds = [(chain_id, *_round(e), *_position(e)) for e in events if e.event == "RoundCreated"]
        donations = [
            (
                chain_id, e.contract, e.args["donor"].lower(), e.args["currency"].lower(), int(e.args["amount"]),
                int(e.args["maticEquivalent"]), int(e.args["donorTotal"]), *_position(e),
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
        added = await insert_new(connection, "funding_rounds", _ROUND_COLUMNS, rounds, unique="chain_id, address")
        job = ROUND_THANK_YOU_JOB
        added += await insert_new(
            connection, "round_donations", _DONATION_COLUMNS, donations, job=job, notify_from=notify_from
        )
        return added + await insert_new(connection, "round_events", _EVENT_COLUMNS, others)

    async def forget_after(self, connection: Connection, chain_id: int, block_number: int) -> int:
        # The rounds last: the other two find theirs through them.
        of_rounds = (
            "chain_id = $1 AND block_number > $3 "
            "AND round IN (SELECT address FROM funding_rounds WHERE chain_id = $1 AND factory = $2)"
        )
        params = (chain_id, self.factory, block_number)
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
