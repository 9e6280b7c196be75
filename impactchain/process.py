"""What every long-running ImpactChain process does once it has started."""

import gc


def freeze_startup_heap() -> None:
    """Leave what startup built (modules, ABIs, the app: ~150k objects) out of every later garbage
    collection. A full collection over it takes 100-250 ms on a busy 2-core machine: a stall that
    every API request in flight would wait out (the API's p99 was such stalls), and a tax on the
    indexer, whose million decoded logs set off dozens of full collections in a backfill. Only
    objects made afterwards are still collected."""
    gc.collect()
    gc.freeze()
