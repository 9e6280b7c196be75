"""Moves committed outbox rows onto RQ. Jobs reach Redis only after their rows commit."""

import asyncio

import asyncpg
from rq import Queue

from indexer.repository import OutboxRepository


class OutboxRelay:
    def __init__(self, pool: asyncpg.Pool, queue: Queue, *, batch: int = 1000) -> None:
        self.pool = pool
        self.queue = queue
        self.batch = batch

    async def flush(self) -> int:
        """Enqueue every pending job; safe to run concurrently and to re-run after a crash."""
        total = 0
        while True:
            async with self.pool.acquire() as connection, connection.transaction():
                repository = OutboxRepository(connection)
                pending = await repository.claim_pending(self.batch)
                if not pending:
                    return total
                await asyncio.to_thread(self._enqueue, pending)
                await repository.mark_enqueued([job_id for job_id, _, _ in pending])
            total += len(pending)

    def _enqueue(self, pending: list[tuple[int, str, list[object]]]) -> None:
        # A stable job id per outbox row: a crash between enqueue and commit re-enqueues the
        # same job id, and the jobs themselves are idempotent.
        with self.queue.connection.pipeline() as pipe:
            self.queue.enqueue_many(
                [
                    Queue.prepare_data(function, args=args, job_id=f"outbox-{outbox_id}")
                    for outbox_id, function, args in pending
                ],
                pipeline=pipe,
            )
            pipe.execute()
