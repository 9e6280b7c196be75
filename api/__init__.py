"""The ImpactChain HTTP API (Litestar): reads what the indexer projects, builds transactions to sign."""
