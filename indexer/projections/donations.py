"""HelpDesk's donations: its `Donated` events become `donations` rows, each with a thank-you job
in the outbox (written in the same transaction, relayed to RQ after commit)."""

from collections.abc import Sequence

from impactchain.events import EventLog
from impactchain.jobs import THANK_YOU_JOB
from impactchain.registry import DeploymentManifest
from indexer.repository import Connection, StagedRows, delete_rows, stage_rows

_COLUMNS = (
    "chain_id", "contract", "request_id", "donor", "currency", "amount", "donor_total",
    "block_number", "block_hash", "tx_hash", "log_index",
)  # fmt: skip


class HelpDeskDonations:
    name = "donations"
    tables = ("donations",)

    def __init__(self, address: str) -> None:
        self.address = address.lower()
        self.events: dict[str, frozenset[str] | None] = {"HelpDesk": frozenset({"Donated"})}

    def stage(self, chain_id: int, events: Sequence[EventLog]) -> StagedRows:
        # Integers as the decoder gives them, decimal strings: the rows go by COPY's text format
        # (see `copy_rows`), and parsing them here only to print them again costs a backfill ~1 s.
        records = [
            (
                chain_id, e.contract, e.args["requestId"], e.args["donor"].lower(), e.args["currency"].lower(),
                e.args["amount"], e.args["donorTotal"],
                e.ref.block_number, e.ref.block_hash, e.ref.tx_hash, e.ref.log_index,
            )
            for e in events
        ]  # fmt: skip
        return stage_rows("donations", _COLUMNS, records, numeric=True, job=THANK_YOU_JOB)

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


def projection(manifest: DeploymentManifest) -> HelpDeskDonations | None:
    return HelpDeskDonations(manifest.contracts["HelpDesk"].address) if "HelpDesk" in manifest.contracts else None
