"""Probes: liveness of the process, health of its dependencies, readiness to serve fresh data."""
