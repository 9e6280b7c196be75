"""Local stand-ins for development and tests: anvil, embedded PostgreSQL and Redis."""
