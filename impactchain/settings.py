"""One typed settings object, read from the environment once."""

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """ImpactChain settings: `IMPACTCHAIN_*` variables, plus `DATABASE_URL` and `REDIS_URL`."""

    model_config = SettingsConfigDict(env_prefix="IMPACTCHAIN_", extra="ignore")

    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("IMPACTCHAIN_DATABASE_URL", "DATABASE_URL")
    )
    # Where the API reads (a read replica of DATABASE_URL, say); unset: DATABASE_URL.
    database_read_url: str | None = Field(
        default=None, validation_alias=AliasChoices("IMPACTCHAIN_DATABASE_READ_URL", "DATABASE_READ_URL")
    )
    redis_url: str | None = Field(default=None, validation_alias=AliasChoices("IMPACTCHAIN_REDIS_URL", "REDIS_URL"))
    rpc_url: str | None = None
    deployments_dir: Path = PROJECT_ROOT / "deployments"
    data_dir: Path = PROJECT_ROOT / ".data"

    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    anvil_port: int = Field(default=8545, ge=1, le=65535)
    # The API's processes, pool and edge (see README: Configuration).
    api_workers: int = Field(default=1, ge=1)
    api_db_pool_min: int = Field(default=2, ge=0)
    api_db_pool_max: int = Field(default=10, ge=1)
    api_db_statement_timeout_ms: int = Field(default=5000, ge=1)
    # Browser origins allowed to call the API, comma-separated; `api_cors_localhost` adds any
    # http(s)://localhost or 127.0.0.1 origin on any port (what `impactchain dev` turns on).
    api_cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    api_cors_localhost: bool = False
    # Requests per client IP in any sliding 60 s window (0 = no limit); stricter on /v1/tx/*.
    api_rate_limit_per_minute: int = Field(default=600, ge=0)
    api_tx_rate_limit_per_minute: int = Field(default=30, ge=0)
    # Proxies (CIDRs, comma-separated) whose `api_forwarded_header` names the client a request is
    # counted against; from any other peer the header is ignored. Empty: the TCP peer, always.
    api_trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    api_forwarded_header: Literal["x-forwarded-for", "forwarded"] = "x-forwarded-for"
    # Slow clients: whole request head within, body within, idle keep-alive connections closed after.
    api_header_timeout_seconds: float = Field(default=5.0, gt=0)
    api_body_timeout_seconds: float = Field(default=10.0, gt=0)
    api_keep_alive_seconds: int = Field(default=5, ge=1)
    api_max_connections: int = Field(default=1000, ge=1)
    api_max_header_bytes: int = Field(default=8192, ge=1024)
    # /health/ready answers 503 while any indexer trails the head by more than this many blocks
    # beyond the `indexer_confirmations` it holds back on purpose.
    api_ready_max_lag_blocks: int = Field(default=100, ge=0)
    # One log line per request (off: counts and latencies are in /metrics, and a line per request
    # costs about a tenth of a hot read's CPU); 5xx answers are logged either way.
    api_access_log: bool = False

    indexer_batch_blocks: int = Field(default=2000, ge=1)
    indexer_poll_seconds: float = Field(default=1.0, gt=0)
    indexer_confirmations: int = Field(default=0, ge=0)
    indexer_reorg_window: int = Field(default=128, ge=1)
    indexer_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    # Several providers, tried in this order with failover (comma-separated); empty: `rpc_url`.
    indexer_rpc_urls: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # The API's providers for building transactions, tried in order (default: the indexer's).
    api_rpc_urls: Annotated[list[str], NoDecode] = Field(default_factory=list)
    indexer_rpc_timeout_seconds: float = Field(default=20.0, gt=0)
    indexer_rpc_attempts: int = Field(default=6, ge=1)
    indexer_rpc_backoff_cap_seconds: float = Field(default=5.0, gt=0)
    indexer_standby_poll_seconds: float = Field(default=0.5, gt=0)
    # Thank-you jobs only for events at most this many blocks below the head: backfills notify nobody.
    indexer_notify_horizon_blocks: int = Field(default=1000, ge=0)
    # A reorg deeper than the window: "halt" with an alert, "rebuild" from the deployment block, or
    # "auto" (rebuild on local dev chains 31337/1337, halt anywhere else).
    indexer_deep_reorg: Literal["auto", "halt", "rebuild"] = "auto"

    # The event tables (contract_events, donations, round_donations, round_events) are partitioned
    # by block range once one holds more than this many rows (PostgreSQL's estimate; 0: never), one
    # partition per `partition_span_blocks` blocks, kept a span ahead of the head by the indexer
    # and `impactchain db partitions` (docs/SCALING.md, "Partitions").
    partition_rows: int = Field(default=50_000_000, ge=0)
    partition_span_blocks: int = Field(default=1_000_000, ge=1)

    queue_name: str = "default"
    # `impactchain worker` serves Prometheus metrics here (queue depths, job failures, the keeper's
    # sends and balance: impactchain/platform_metrics.py) when a port is set; off by default so
    # several workers on one host (tests, `impactchain dev`) never fight over it. Containers set
    # 9103 and host 0.0.0.0 (compose.yaml, deploy/k8s).
    worker_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    worker_metrics_host: str = "127.0.0.1"
    ape_network: str | None = None
    deployer_account: str | None = None
    keeper_account: str | None = None

    # Logs: one JSON object a line (production), or console-pretty (what `impactchain dev` picks
    # when neither is set). `LOG_FORMAT`/`LOG_LEVEL` work too.
    log_format: Literal["json", "console"] | None = Field(
        default=None, validation_alias=AliasChoices("IMPACTCHAIN_LOG_FORMAT", "LOG_FORMAT")
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        default="INFO", validation_alias=AliasChoices("IMPACTCHAIN_LOG_LEVEL", "LOG_LEVEL")
    )
    # Traces go out over OTLP/HTTP only when an endpoint is set (the standard OpenTelemetry variable);
    # without one, tracing is the API's no-op.
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None, validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_ENDPOINT", "IMPACTCHAIN_OTEL_ENDPOINT")
    )
    otel_service_name: str | None = Field(default=None, validation_alias=AliasChoices("OTEL_SERVICE_NAME"))
    # Where `impactchain db backup/restore` finds pg_dump/pg_restore (default: searched, see docs/OPERATIONS.md).
    pg_bin_dir: Path | None = None

    @field_validator("api_cors_origins", "indexer_rpc_urls", "api_rpc_urls", "api_trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("api_trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for cidr in value:
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError as exc:
                raise ValueError(f"not a CIDR or IP address: {cidr!r}") from exc
        return value

    @field_validator("database_url", "database_read_url")
    @classmethod
    def _plain_postgres_url(cls, value: str | None) -> str | None:
        # Accept SQLAlchemy-style URLs too; the plain form is what asyncpg takes.
        if value is None:
            return None
        for prefix in ("postgresql+asyncpg://", "postgres://"):
            if value.startswith(prefix):
                return "postgresql://" + value.removeprefix(prefix)
        return value

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url is None:
            raise RuntimeError("DATABASE_URL is not set")
        return sqlalchemy_url(self.database_url)

    @property
    def api_read_url(self) -> str | None:
        """The database the API reads: the read replica when one is set, else the primary."""
        return self.database_read_url or self.database_url

    @property
    def chain_rpc_url(self) -> str:
        return self.rpc_url or f"http://127.0.0.1:{self.anvil_port}"

    @property
    def indexer_rpc_endpoints(self) -> list[str]:
        return self.indexer_rpc_urls or [self.chain_rpc_url]

    @property
    def api_rpc_endpoints(self) -> list[str]:
        return self.api_rpc_urls or self.indexer_rpc_endpoints


def endpoint_label(url: str) -> str:
    """An RPC URL as logs and metrics may show it: scheme://host:port, without the path, query or
    credentials where providers put API keys."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


def sqlalchemy_url(database_url: str) -> str:
    """SQLAlchemy's asyncpg form of a plain `postgresql://` URL."""
    return "postgresql+asyncpg://" + database_url.removeprefix("postgresql://")


@lru_cache
def get_settings() -> Settings:
    return Settings()
