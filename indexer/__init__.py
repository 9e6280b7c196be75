"""Follows ImpactChain's contract logs into PostgreSQL: backfill, live tail, reorg-safe, resumable."""
