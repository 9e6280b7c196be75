"""Every event of the platform's contracts, read from the indexer's `contract_events` table."""
