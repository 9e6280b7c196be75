"""Log lines: JSON or console, with personal data and secrets masked whatever route they take."""

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from impactchain import observability
from impactchain.observability import configure_logging, redact_text, remember_secrets, secrets_in_settings
from impactchain.settings import Settings
from tests.support.observability import LogBuffer, json_logs

PRIVATE_KEY = "0x" + "5c" * 32
DB_PASSWORD = "s3cr3t-pg-pass"


@pytest.fixture
def stream() -> Iterator[LogBuffer]:
    """Logging configured as a process would (JSON to this stream); the test's previous set-up after."""
    with json_logs("DEBUG", process="test") as buffer:
        yield buffer


def lines(stream: LogBuffer) -> list[dict[str, Any]]:
    return stream.lines()


def test_structlog_lines_are_json_with_level_time_process_and_context(stream: LogBuffer) -> None:
    with structlog.contextvars.bound_contextvars(request_id="abc123"):
        structlog.get_logger("impactchain.test").info("indexed", from_block=10, to_block=20)

    (line,) = lines(stream)
    assert line["event"] == "indexed"
    assert line["level"] == "info"
    assert line["process"] == "test"
    assert line["request_id"] == "abc123"
    assert (line["from_block"], line["to_block"]) == (10, 20)
    assert str(line["timestamp"]).endswith("Z")


def test_personal_fields_are_redacted_by_key_and_in_text(stream: LogBuffer) -> None:
    structlog.get_logger().info(
        "donor wrote in",
        email="ada@example.org",
        phone_number="+44 20 7946 0958",
        client_ip="203.0.113.7",
        note="reach me at ada@example.org or +44 20 7946 0958",
        donor="0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    )

    text = stream.getvalue()
    for personal in ("ada@example.org", "7946 0958", "203.0.113.7"):
        assert personal not in text
    (line,) = lines(stream)
    assert line["email"] == line["phone_number"] == line["client_ip"] == "[redacted]"
    assert line["note"] == "reach me at [email] or [phone]"
    # A wallet address is the chain's public record, and what ops needs to follow a donation.
    assert line["donor"] == "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def test_secrets_are_never_logged_by_key_in_urls_or_as_known_values(stream: LogBuffer) -> None:
    remember_secrets([PRIVATE_KEY])
    log = structlog.get_logger()
    log.info("signing", private_key=PRIVATE_KEY, keeper_private_key=PRIVATE_KEY, db_password=DB_PASSWORD)
    log.warning("connect failed", url=f"postgresql://app:{DB_PASSWORD}@db.internal:5432/impactchain")
    log.error(f"eth_account refused {PRIVATE_KEY}")
    try:
        raise ValueError(f"bad key {PRIVATE_KEY}")
    except ValueError:
        log.exception("crashed")

    text = stream.getvalue()
    assert PRIVATE_KEY not in text
    assert PRIVATE_KEY[2:] not in text
    assert DB_PASSWORD not in text
    assert "postgresql://app:***@db.internal:5432/impactchain" in text
    assert len(lines(stream)) == 4


def test_standard_library_records_take_the_same_route(stream: LogBuffer) -> None:
    logging.getLogger("uvicorn.error").warning(
        "lost postgresql://app:%s@db/x for ada@example.org", DB_PASSWORD, extra={"color_message": "\x1b[36mlost"}
    )

    (line,) = lines(stream)
    assert line["logger"] == "uvicorn.error"
    assert line["level"] == "warning"
    assert line["event"] == "lost postgresql://app:***@db/x for [email]"
    assert "color_message" not in line  # uvicorn's copy with terminal colours


def test_secrets_come_from_the_environment_and_the_settings() -> None:
    environ = {
        "DATABASE_URL": f"postgresql://app:{DB_PASSWORD}@db/x",
        "IMPACTCHAIN_KEEPER_PRIVATE_KEY": PRIVATE_KEY,
        "HOME": "/root",
    }
    assert set(observability.secrets_in_environment(environ)) == {DB_PASSWORD, PRIVATE_KEY}

    settings = Settings(
        database_url=f"postgresql://app:{DB_PASSWORD}@db/x",
        redis_url="redis://:redis-pass-42@cache:6379/0",
        rpc_url="https://polygon-mainnet.example/v2/alchemy-key-0123456789",
        _env_file=None,
    )
    assert set(secrets_in_settings(settings)) == {DB_PASSWORD, "redis-pass-42", "v2/alchemy-key-0123456789"}


def test_console_format_is_for_people(stream: LogBuffer) -> None:
    buffer = io.StringIO()
    configure_logging("INFO", "console", stream=buffer, environ={})
    structlog.get_logger().info("indexer started", chain_id=31337)
    structlog.get_logger().debug("not shown at INFO")

    text = buffer.getvalue()
    assert "indexer started" in text
    assert "chain_id=31337" in text
    assert "not shown" not in text
    with pytest.raises(json.JSONDecodeError):
        json.loads(text.splitlines()[0])


def test_redact_text_leaves_chain_data_alone() -> None:
    tx_hash = "0x" + "ab" * 32
    assert redact_text(f"block 19000000 tx {tx_hash} at http://127.0.0.1:8545") == (
        f"block 19000000 tx {tx_hash} at http://127.0.0.1:8545"
    )
