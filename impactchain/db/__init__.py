"""Database building blocks: column types and async sessions."""
