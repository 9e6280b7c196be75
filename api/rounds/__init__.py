"""Funding rounds and their donations, read from the indexer's `funding_rounds` and `round_donations` tables."""
