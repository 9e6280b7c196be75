"""Funding rounds' projection: FundingRoundFactory's `RoundCreated` logs become `funding_rounds`
rows; of every round the factory created, the `Donated` logs become `round_donations` rows (each
with a thank-you job in the outbox) and every other event (decoded from FundingRound's ABI) a
`round_events` row.

Rounds are discovered as they are created. Each step first reads the factory's logs, then asks
for the events of every round known by then (those already stored and those created in this very
step, whose first events can share its blocks), in one request per range and group of rounds.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson

from impactchain.events import EventDecoder, EventLog, decode_event
from impactchain.funding import (
    ROUND_CREATED_TOPIC,
    ROUND_DONATED_TOPIC,
    RoundCreatedLog,
    RoundDonatedLog,
    decode_round_created,
    decode_round_donated,
)
from impactchain.jobs import ROUND_THANK_YOU_JOB
from impactchain.registry import DeployedContract, DeploymentManifest
from indexer.repository import Connection, delete_rows, insert_new
from indexer.rpc import JsonRpcClient
from indexer.service import fetch_logs

# Rounds per eth_getLogs request: hosted nodes accept address lists, within limits.
ROUNDS_PER_REQUEST = 500

_ROUND_COLUMNS = (
    "chain_id", "factory", "address", "round_index", "founder", "salt", "metadata_cid", "goal", "deadline",
    "milestones", "implementation", "block_number", "block_hash", "tx_hash", "log_index",
)  # fmt: skip
_DONATION_COLUMNS = (
    "chain_id", "round", "donor", "currency", "amount", "matic_equivalent", "donor_total",
    "block_number", "block_hash", "tx_hash", "log_index",
)  # fmt: skip

_EVENT_COLUMNS = ("chain_id", "round", "event", "args", "block_number", "block_hash", "tx_hash", "log_index")

RoundEvent = RoundCreatedLog | RoundDonatedLog | EventLog


class FundingRounds:
    def __init__(self, factory: DeployedContract, round_abi: Iterable[Mapping[str, Any]]) -> None:
        """`round_abi`: FundingRound's ABI (the manifest's `FundingRound` entry), whose events
        other than `Donated` are kept as `round_events`."""
        self.factory = factory.address.lower()
        self.name = f"funding-rounds:{self.factory}"
        self.start_block = factory.block
        self._decoder = EventDecoder(round_abi, skip=("Donated",))
        self._topics = [ROUND_DONATED_TOPIC, *self._decoder.topics]

    @classmethod
    def from_manifest(cls, manifest: DeploymentManifest) -> "FundingRounds":
        """The deployment's factory, its rounds' events decoded by the `FundingRound` entry's ABI."""
        return cls(manifest.contract("FundingRoundFactory"), manifest.contract("FundingRound").abi)

    async def fetch(
        self, rpc: JsonRpcClient, connection: Connection, chain_id: int, ranges: Sequence[tuple[int, int]]
    ) -> list[RoundEvent]:
        created = [
            decode_round_created(raw) for raw in await fetch_logs(rpc, self.factory, ROUND_CREATED_TOPIC, ranges)
        ]
        rounds = await self._known_rounds(connection, chain_id)
        known = set(rounds)
        rounds += [c.address for c in created if c.address not in known]
        events: list[RoundEvent] = [*created]
        for first in range(0, len(rounds), ROUNDS_PER_REQUEST):
            group = rounds[first : first + ROUNDS_PER_REQUEST]
            events += [self._decode(raw) for raw in await fetch_logs(rpc, group, self._topics, ranges)]
        return sorted(events, key=lambda event: (event.ref.block_number, event.ref.log_index))

    def _decode(self, raw: dict[str, Any]) -> RoundDonatedLog | EventLog:
        if raw["topics"][0] == ROUND_DONATED_TOPIC:
            return decode_round_donated(raw)
        return decode_event(self._decoder, raw)

    async def write(self, connection: Connection, chain_id: int, events: Sequence[RoundEvent], notify_from: int) -> int:
        rounds = [
            (
                chain_id, r.factory, r.address, r.round_index, r.founder, r.salt, r.metadata_cid, r.goal, r.deadline,
                r.milestones, r.implementation, *_position(r),
            )
            for r in events
            if isinstance(r, RoundCreatedLog)
        ]  # fmt: skip
        donations = [
            (chain_id, d.round, d.donor, d.currency, d.amount, d.matic_equivalent, d.donor_total, *_position(d))
            for d in events
            if isinstance(d, RoundDonatedLog)
        ]
        others = [
            (chain_id, e.contract, e.event, orjson.dumps(e.args).decode(), *_position(e))
            for e in events
            if isinstance(e, EventLog)
        ]
        # Rounds first: a round's first events can share the step that created it.
        added = await insert_new(connection, "funding_rounds", _ROUND_COLUMNS, rounds, unique="chain_id, address")
        added += await insert_new(
            connection,
            "round_donations",
            _DONATION_COLUMNS,
            donations,
            job=ROUND_THANK_YOU_JOB,
            notify_from=notify_from,
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

    async def _known_rounds(self, connection: Connection, chain_id: int) -> list[str]:
        rows = await connection.fetch(
            "SELECT address FROM funding_rounds WHERE chain_id = $1 AND factory = $2 ORDER BY round_index",
            chain_id,
            self.factory,
        )
        return [row["address"] for row in rows]


def _position(event: RoundEvent) -> tuple[int, str, str, int]:
    ref = event.ref
    return ref.block_number, ref.block_hash, ref.tx_hash, ref.log_index
