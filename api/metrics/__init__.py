"""Request counts and latencies per route, for Prometheus to scrape."""
