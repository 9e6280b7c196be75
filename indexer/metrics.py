"""Prometheus metrics of the indexer, served by `impactchain indexer` when a port is set."""

from prometheus_client import Counter, Gauge, Histogram

INDEXED_BLOCK = Gauge("impactchain_indexer_block", "Last block fully indexed", ["indexer"])
LAG_BLOCKS = Gauge("impactchain_indexer_lag_blocks", "Blocks between the chain head and the checkpoint", ["indexer"])
EVENTS = Counter("impactchain_indexer_events", "Events written (duplicates excluded)", ["indexer"])
REORGS = Counter("impactchain_indexer_reorgs", "Reorgs rolled back", ["indexer"])
STEP_SECONDS = Histogram(
    "impactchain_indexer_step_seconds",
    "Duration of one indexer step (check, fetch, write, commit)",
    ["indexer"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
