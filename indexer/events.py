"""The platform's projection: every event of its contracts (DAO, timelock, council, token,
badges, HelpDesk, auctions, streams, matching, carbon, the round factory), each decoded by its
own ABI from the deployment manifest, into `contract_events`.

One request per range reads the logs of all of them at once. Funding rounds are clones created
later and have their own projection (indexer/funding.py).
"""

from collections.abc import Mapping, Sequence

import orjson
import structlog
from eth_utils import keccak

from impactchain.events import EventDecoder, EventLog, decode_event
from impactchain.registry import DeployedContract, DeploymentManifest
from indexer.repository import Connection, delete_rows, insert_new
from indexer.rpc import JsonRpcClient
from indexer.service import fetch_logs

log = structlog.get_logger(__name__)

# Manifest entries that are implementations behind a proxy or clones: their own addresses emit
# nothing worth following (the proxy's and the rounds' events are followed instead).
IMPLEMENTATIONS = frozenset({"GovernanceTokenImplementation", "FundingRound"})

_COLUMNS = (
    "chain_id", "contract", "contract_name", "event", "args", "block_number", "block_hash", "tx_hash", "log_index",
)  # fmt: skip


class PlatformEvents:
    def __init__(self, contracts: Mapping[str, DeployedContract]) -> None:
        """`contracts`: manifest name → deployment (with its ABI) of each contract to follow."""
        if not contracts:
            raise ValueError("PlatformEvents needs at least one contract")
        self._names = {deployed.address.lower(): name for name, deployed in contracts.items()}
        self._decoders = {deployed.address.lower(): EventDecoder(deployed.abi) for deployed in contracts.values()}
        self._addresses = sorted(self._decoders)
        # One checkpoint per set of deployments: redeploying any of them starts afresh.
        self.name = "platform-events:" + keccak(text=",".join(self._addresses)).hex()[:16]
        self.start_block = min(deployed.block for deployed in contracts.values())

    @classmethod
    def from_manifest(cls, manifest: DeploymentManifest) -> "PlatformEvents":
        """Every contract of the deployment but the implementations."""
        return cls({name: deployed for name, deployed in manifest.contracts.items() if name not in IMPLEMENTATIONS})

    async def fetch(
        self, rpc: JsonRpcClient, connection: Connection, chain_id: int, ranges: Sequence[tuple[int, int]]
    ) -> list[EventLog]:
        events = []
        for raw in await fetch_logs(rpc, self._addresses, None, ranges):
            decoder = self._decoders[raw["address"].lower()]
            if not raw["topics"] or not decoder.knows(raw["topics"][0]):
                # Not in the contract's ABI (an anonymous event, or a library's): nothing to name it by.
                log.warning("skipped an event the ABI does not declare", contract=raw["address"], topics=raw["topics"])
                continue
            events.append(decode_event(decoder, raw))
        return events

    async def write(self, connection: Connection, chain_id: int, events: Sequence[EventLog], notify_from: int) -> int:
        records = [
            (
                chain_id, e.contract, self._names[e.contract], e.event, orjson.dumps(e.args).decode(),
                e.ref.block_number, e.ref.block_hash, e.ref.tx_hash, e.ref.log_index,
            )
            for e in events
        ]  # fmt: skip
        return await insert_new(connection, "contract_events", _COLUMNS, records)

    async def forget_after(self, connection: Connection, chain_id: int, block_number: int) -> int:
        return await delete_rows(
            connection,
            "contract_events",
            "chain_id = $1 AND contract = ANY($2) AND block_number > $3",
            chain_id,
            self._addresses,
            block_number,
        )
