"""Prometheus metrics of the indexer, served by `impactchain indexer` when a port is set."""

from prometheus_client import Counter, Gauge, Histogram

INDEXED_BLOCK = Gauge("impactchain_indexer_block", "Last block fully indexed", ["indexer"])
FINALIZED_BLOCK = Gauge("impactchain_indexer_finalized_block", "The chain's finalized block, as last read", ["indexer"])
LAG_BLOCKS = Gauge("impactchain_indexer_lag_blocks", "Blocks between the chain head and the checkpoint", ["indexer"])
EVENTS = Counter("impactchain_indexer_events", "Events written (duplicates excluded)", ["indexer"])
REORGS = Counter("impactchain_indexer_reorgs", "Reorgs rolled back", ["indexer"])
# Polygon PoS reorgs are mostly a few blocks deep; the top buckets reach the 128/256-block reorg
# windows, and the rebuild after a reorg deeper than the window lands in +Inf.
REORG_DEPTH = Histogram(
    "impactchain_indexer_reorg_depth_blocks",
    "Blocks rolled back per reorg: the orphaned checkpoint minus the fork point",
    ["indexer"],
    buckets=(1, 2, 3, 5, 8, 13, 21, 34, 64, 128, 256, 512),
)
CHAIN_MOVED = Counter(
    "impactchain_indexer_chain_moved",
    "Steps not committed because the fetched range did not descend from the checkpoint",
    ["indexer"],
)
HALTED = Gauge(
    "impactchain_indexer_halted", "1 while an indexer is halted by a reorg deeper than its window", ["indexer"]
)
STEP_FAILURES = Counter("impactchain_indexer_step_failures", "Steps that failed and were retried", ["indexer", "kind"])
STEP_SECONDS = Histogram(
    "impactchain_indexer_step_seconds",
    "Duration of one indexer step (check, fetch, write, commit)",
    ["indexer"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)

RPC_FAULTS = Counter(
    "impactchain_indexer_rpc_faults",
    "Failed RPC attempts (timeout, connection, rate-limited, server-error, bad-body, http-error, node-busy)",
    ["endpoint", "method", "kind"],
)
RPC_RETRIES = Counter("impactchain_indexer_rpc_retries", "RPC attempts retried after a fault", ["method"])
RPC_ENDPOINT_UP = Gauge(
    "impactchain_indexer_rpc_endpoint_up", "1 while an RPC endpoint serves, 0 in cool-down", ["endpoint"]
)
RANGE_SPLITS = Counter(
    "impactchain_indexer_range_splits",
    "eth_getLogs ranges split after a provider refused them, or steps narrowed after an answer too large to read",
)

WRITER = Gauge("impactchain_indexer_writer", "1 while this process holds the writer lock, 0 while it stands by")
WRITER_LOST = Counter(
    "impactchain_indexer_writer_lost",
    "Times this process found it no longer held the writer lock and stopped writing (its watcher or a step noticed)",
)
BULK_LOAD = Gauge(
    "impactchain_indexer_bulk_load",
    "1 while an initial sync writes the event store without its secondary indexes (built at the end)",
    ["indexer"],
)
