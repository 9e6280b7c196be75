"""The indexing status on the wire."""

from datetime import datetime

from api.kit.schemas import CamelStruct
from api.status.service import IndexingStatus


class IndexerRead(CamelStruct):
    """One indexer: the last block it fully processed, how many blocks it trails the head, and
    (on chains with finality) the finalized block and how many indexed blocks are unconfirmed."""

    name: str
    block_number: int
    block_hash: str
    lag_blocks: int
    updated_at: datetime | None
    finalized_block: int | None
    unconfirmed_blocks: int | None


class StatusRead(CamelStruct):
    """The chain the API serves and each indexer's progress; an empty list before the first step."""

    chain_id: int
    head: int
    indexers: list[IndexerRead]

    @classmethod
    def from_domain(cls, status: IndexingStatus) -> "StatusRead":
        return cls(
            chain_id=status.chain_id,
            head=status.head,
            indexers=[
                IndexerRead(
                    name=p.name,
                    block_number=p.block_number,
                    block_hash=p.block_hash,
                    lag_blocks=p.lag_blocks,
                    updated_at=p.updated_at,
                    finalized_block=p.finalized_block,
                    unconfirmed_blocks=p.unconfirmed_blocks,
                )
                for p in status.indexers
            ],
        )
