"""Liveness of the API's two dependencies: the database and the chain node."""
