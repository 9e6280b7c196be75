"""HelpDesk's projection: its `Donated` logs become `donations` rows, each with a thank-you job
in the outbox (written in the same transaction, relayed to RQ after commit)."""

from collections.abc import Sequence

from impactchain.helpdesk import DONATED_TOPIC, DonatedLog, decode_donated
from impactchain.jobs import THANK_YOU_JOB
from impactchain.registry import DeployedContract
from indexer.repository import Connection, delete_rows, insert_new
from indexer.rpc import JsonRpcClient
from indexer.service import fetch_logs

_COLUMNS = (
    "chain_id", "contract", "request_id", "donor", "currency", "amount", "donor_total",
    "block_number", "block_hash", "tx_hash", "log_index",
)  # fmt: skip


class HelpDeskDonations:
    def __init__(self, contract: DeployedContract) -> None:
        self.address = contract.address.lower()
        self.name = f"helpdesk-donations:{self.address}"
        self.start_block = contract.block

    async def fetch(
        self, rpc: JsonRpcClient, connection: Connection, chain_id: int, ranges: Sequence[tuple[int, int]]
    ) -> list[DonatedLog]:
        return [decode_donated(raw) for raw in await fetch_logs(rpc, self.address, DONATED_TOPIC, ranges)]

    async def write(self, connection: Connection, chain_id: int, events: Sequence[DonatedLog], notify_from: int) -> int:
        records = [
            (
                chain_id, d.contract, d.request_id, d.donor, d.currency, d.amount, d.donor_total,
                d.block_number, d.block_hash, d.tx_hash, d.log_index,
            )
            for d in events
        ]  # fmt: skip
        return await insert_new(connection, "donations", _COLUMNS, records, job=THANK_YOU_JOB, notify_from=notify_from)

    async def forget_after(self, connection: Connection, chain_id: int, block_number: int) -> int:
        return await delete_rows(
            connection,
            "donations",
            "chain_id = $1 AND contract = $2 AND block_number > $3",
            chain_id,
            self.address,
            block_number,
            job=THANK_YOU_JOB,
        )
