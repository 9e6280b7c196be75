"""Donations into HelpDesk escrow, read from the indexer's `donations` table."""
