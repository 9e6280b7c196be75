"""One log stream for the whole platform: every event of every platform contract and of every
funding round the factory created, read with one `eth_getLogs` per range (per 500 addresses),
decoded once by its contract's ABI, stored in `contract_events` (the event store) and fanned out
to the projections (indexer/projections/) that declare the events they handle. All of it in the
step's one transaction, under one checkpoint.

Rounds are found as they are created: a range's logs are read for the platform contracts and the
rounds known so far; rounds created within the range are then read for it too (their first
events share the block that created them).
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

import asyncpg
import orjson
import structlog
from eth_utils import keccak

from impactchain.events import EventDecoder, EventLog, LogRef, decode_event
from impactchain.registry import DeployedContract, DeploymentManifest
from indexer.repository import Connection, delete_rows, insert_new
from indexer.rpc import JsonRpcClient
from indexer.service import fetch_logs

log = structlog.get_logger(__name__)

# Manifest entries that are implementations behind a proxy or clones: their own addresses emit
# nothing worth following (the proxy's and the rounds' events are followed instead).
IMPLEMENTATIONS = frozenset({"GovernanceTokenImplementation", "FundingRound"})
ROUND = "FundingRound"
FACTORY = "FundingRoundFactory"
# Addresses per eth_getLogs request: hosted nodes accept address lists, within limits.
ADDRESSES_PER_REQUEST = 500

EVENT_COLUMNS = (
    "chain_id", "contract", "contract_name", "event", "args", "block_number", "block_hash", "tx_hash", "log_index",
)  # fmt: skip


class EventProjection(Protocol):
    """A read model derived from the platform's events: the events it handles and the rows it
    keeps. One module in indexer/projections/ each; every method runs in the caller's transaction."""

    @property
    def name(self) -> str:
        """What `impactchain indexer rebuild NAME` calls it."""
        ...

    @property
    def events(self) -> Mapping[str, frozenset[str] | None]:
        """Contract name (as the manifest names it; `FundingRound` for every round) → the events
        handled, or None for all of that contract's events."""
        ...

    async def write(self, connection: Connection, chain_id: int, events: Sequence[EventLog], notify_from: int) -> int:
        """Store the rows `events` (its own, in chain order) give, ignoring those stored already;
        jobs only for events from block `notify_from` on. Returns how many rows were added."""
        ...

    async def forget_after(self, connection: Connection, chain_id: int, block_number: int) -> int:
        """Delete the rows derived from blocks above `block_number` (and their pending jobs)."""
        ...


class PlatformStream:
    """The engine's one projection: the stream of the platform's events (see the module doc)."""

    def __init__(
        self,
        contracts: Mapping[str, DeployedContract],
        projections: Iterable[EventProjection],
        round_abi: Iterable[Mapping[str, Any]] = (),
    ) -> None:
        if not contracts:
            raise ValueError("PlatformStream needs at least one contract")
        self._names = {deployed.address.lower(): name for name, deployed in contracts.items()}
        self._decoders = {deployed.address.lower(): EventDecoder(deployed.abi) for deployed in contracts.values()}
        self._round_decoder = EventDecoder(round_abi)
        self._addresses = sorted(self._decoders)
        factory = contracts.get(FACTORY)
        self._factory = factory.address.lower() if factory is not None else None
        self._rounds: set[str] | None = None  # loaded from the event store on first use
        self.projections = list(projections)
        self._routes: dict[tuple[str, str], list[EventProjection]] = {}
        # One checkpoint per set of deployments: redeploying any of them starts afresh.
        self.name = "platform:" + keccak(text=",".join(self._addresses)).hex()[:16]
        self.start_block = min(deployed.block for deployed in contracts.values())

    @classmethod
    def from_manifest(
        cls, manifest: DeploymentManifest, projections: Iterable[EventProjection] | None = None
    ) -> "PlatformStream":
        """Every contract of the deployment but the implementations, its rounds decoded by the
        `FundingRound` entry's ABI; every projection module's projection unless given."""
        from indexer.projections import projections_for

        followed = {name: deployed for name, deployed in manifest.contracts.items() if name not in IMPLEMENTATIONS}
        round_abi = manifest.contracts[ROUND].abi if ROUND in manifest.contracts else []
        return cls(followed, projections_for(manifest) if projections is None else projections, round_abi)

    def contract_name(self, address: str) -> str:
        return self._names.get(address, ROUND)

    async def fetch(
        self, rpc: JsonRpcClient, connection: Connection, chain_id: int, ranges: Sequence[tuple[int, int]]
    ) -> list[EventLog]:
        rounds = await self._known_rounds(connection, chain_id)
        events = await self._read(rpc, [*self._addresses, *sorted(rounds)], ranges)
        created = {
            e.args["round"].lower() for e in events if e.contract == self._factory and e.event == "RoundCreated"
        } - rounds
        if created:
            rounds |= created
            events += await self._read(rpc, sorted(created), ranges)
            events.sort(key=lambda event: (event.ref.block_number, event.ref.log_index))
        return events

    async def _read(
        self, rpc: JsonRpcClient, addresses: list[str], ranges: Sequence[tuple[int, int]]
    ) -> list[EventLog]:
        events = []
        for first in range(0, len(addresses), ADDRESSES_PER_REQUEST):
            group = addresses[first : first + ADDRESSES_PER_REQUEST]
            for raw in await fetch_logs(rpc, group, None, ranges):
                decoder = self._decoders.get(raw["address"].lower(), self._round_decoder)
                if not raw["topics"] or not decoder.knows(raw["topics"][0]):
                    # Not in the contract's ABI (an anonymous event, or a library's): nothing to name it by.
                    log.warning("skipped an event the ABI does not declare", contract=raw["address"])
                    continue
                events.append(decode_event(decoder, raw))
        return events

    async def write(self, connection: Connection, chain_id: int, events: Sequence[EventLog], notify_from: int) -> int:
        records = [
            (
                chain_id, e.contract, self.contract_name(e.contract), e.event, orjson.dumps(e.args).decode(),
                e.ref.block_number, e.ref.block_hash, e.ref.tx_hash, e.ref.log_index,
            )
            for e in events
        ]  # fmt: skip
        added = await insert_new(connection, "contract_events", EVENT_COLUMNS, records)
        await self.fan_out(connection, chain_id, events, notify_from)
        return added

    async def fan_out(
        self, connection: Connection, chain_id: int, events: Sequence[EventLog], notify_from: int
    ) -> None:
        """Hand each projection the events it declared, in chain order."""
        handed: dict[int, list[EventLog]] = {}
        for event in events:
            for projection in self._route(self.contract_name(event.contract), event.event):
                handed.setdefault(id(projection), []).append(event)
        for projection in self.projections:
            if id(projection) in handed:
                await projection.write(connection, chain_id, handed[id(projection)], notify_from)

    def _route(self, contract_name: str, event: str) -> list[EventProjection]:
        key = (contract_name, event)
        if key not in self._routes:
            self._routes[key] = [p for p in self.projections if handles(p, contract_name, event)]
        return self._routes[key]

    async def forget_after(self, connection: Connection, chain_id: int, block_number: int) -> int:
        contracts = [*self._addresses, *await self._known_rounds(connection, chain_id)]
        removed = await delete_rows(
            connection,
            "contract_events",
            "chain_id = $1 AND contract = ANY($2) AND block_number > $3",
            chain_id,
            contracts,
            block_number,
        )
        for projection in self.projections:
            removed += await projection.forget_after(connection, chain_id, block_number)
        return removed

    async def _known_rounds(self, connection: Connection, chain_id: int) -> set[str]:
        # A superset is harmless (a round on a lost fork emits nothing on the new one); a round
        # missed would lose its events. So: loaded once, then only ever grown.
        if self._rounds is None:
            rows = await connection.fetch(
                """
                SELECT DISTINCT lower(args->>'round') AS address FROM contract_events
                WHERE chain_id = $1 AND contract = $2 AND event = 'RoundCreated'
                """,
                chain_id,
                self._factory,
            )
            self._rounds = {row["address"] for row in rows}
        return self._rounds


def handles(projection: EventProjection, contract_name: str, event: str) -> bool:
    if contract_name not in projection.events:
        return False
    wanted = projection.events[contract_name]
    return wanted is None or event in wanted


def stored_event(row: asyncpg.Record) -> EventLog:
    """An event as the event store keeps it (a `contract_events` row), for a replay."""
    return EventLog(
        contract=row["contract"],
        event=row["event"],
        args=orjson.loads(row["args"]),
        ref=LogRef(row["block_number"], row["block_hash"], row["tx_hash"], row["log_index"]),
    )
