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


def collect_rarely(young: int = 100_000) -> None:
    """Run the cycle collector after `young` net new container objects instead of 700. The
    indexer makes and drops decoded logs by the thousand (an event, its position, its arguments'
    dict), none in a cycle: reference counting frees them, and the collector only rescans the
    live ones. At the default thresholds a million-log backfill spent ~2.5 s of its ~15 s of CPU
    in 7,400 collections; at 100,000, 0.06 s in two. Cyclic garbage (asyncio's, exceptions') waits
    a little longer, bounded by the same count."""
    gc.set_threshold(young, 50, 1000)
