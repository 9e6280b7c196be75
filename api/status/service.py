"""How far the indexed data trails the chain: what explorers need to trust what they read."""

from dataclasses import dataclass
from datetime import datetime

from api.kit.chain import ChainNode
from api.status.repository import StatusRepository


@dataclass(frozen=True, slots=True)
class IndexerProgress:
    name: str
    block_number: int
    block_hash: str
    lag_blocks: int
    updated_at: datetime | None
    # The chain's finalized block as the indexer last read it (None: the chain serves none), and
    # how many indexed blocks lie above it: their rows are unconfirmed and a reorg may yet undo them.
    finalized_block: int | None = None
    unconfirmed_blocks: int | None = None


@dataclass(frozen=True, slots=True)
class IndexingStatus:
    chain_id: int
    head: int
    indexers: list[IndexerProgress]


class StatusService:
    def __init__(self, repository: StatusRepository, node: ChainNode) -> None:
        self._repository = repository
        self._node = node

    async def status(self) -> IndexingStatus:
        chain_id = await self._node.chain_id()
        head = await self._node.block_number()
        progress = [
            IndexerProgress(
                name=checkpoint["name"],
                block_number=checkpoint["block_number"],
                block_hash=checkpoint["block_hash"],
                # A checkpoint can briefly lead a lagging load-balanced node: never negative.
                lag_blocks=max(0, head - checkpoint["block_number"]),
                updated_at=checkpoint["updated_at"],
                finalized_block=checkpoint["finalized_block"],
                unconfirmed_blocks=(
                    None
                    if checkpoint["finalized_block"] is None
                    else max(0, checkpoint["block_number"] - checkpoint["finalized_block"])
                ),
            )
            for checkpoint in await self._repository.checkpoints(chain_id)
        ]
        return IndexingStatus(chain_id=chain_id, head=head, indexers=progress)
