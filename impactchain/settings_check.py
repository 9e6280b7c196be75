"""What each process needs from its settings, checked before it starts.

Every `impactchain` command loads the settings through `load_settings` and checks them with
`check_settings`: a missing or malformed value becomes one `SettingError` naming the variable
to fix, which the CLI prints as one line (exit code 2) instead of a traceback from deep inside
a pool or a client.
"""

from collections.abc import Iterable
from typing import Literal
from urllib.parse import urlsplit

from pydantic import ValidationError

from impactchain.observability import redact_text
from impactchain.settings import Settings, get_settings

Process = Literal[
    "api", "indexer", "worker", "keeper", "dev", "migrate", "deploy", "db", "indexer status", "indexer rebuild"
]

# anvil's and ganache/hardhat's chain ids: anything else is a real network, where nothing signs
# with a public development key.
LOCAL_CHAIN_IDS = frozenset({31337, 1337})

# The variables documented for fields that are not simply IMPACTCHAIN_<FIELD>.
_VARIABLES = {
    "database_url": "DATABASE_URL",
    "redis_url": "REDIS_URL",
    "log_format": "LOG_FORMAT",
    "log_level": "LOG_LEVEL",
    "otel_exporter_otlp_endpoint": "OTEL_EXPORTER_OTLP_ENDPOINT",
    "otel_service_name": "OTEL_SERVICE_NAME",
}
_ALIASES = {alias.lower(): field for field, alias in _VARIABLES.items()}

_NEEDS: dict[Process, tuple[str, ...]] = {
    "api": ("database_url",),
    "indexer": ("database_url", "redis_url"),
    "worker": ("database_url", "redis_url"),
    "migrate": ("database_url",),
    "db": ("database_url",),
    "indexer status": ("database_url",),
    "indexer rebuild": ("database_url",),
    "keeper": (),
    "deploy": (),
    "dev": (),
}

_SCHEMES = {
    "database_url": ("postgresql",),
    "redis_url": ("redis", "rediss", "unix"),
    "rpc_url": ("http", "https"),
    "otel_exporter_otlp_endpoint": ("http", "https"),
}


class SettingError(ValueError):
    """One setting is missing or malformed; the message names its variable and what to do."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable} {problem}")
        self.variable = variable


def variable_name(field: str) -> str:
    """The environment variable that sets `field`, as the README documents it."""
    field = _ALIASES.get(field.lower(), field.lower().removeprefix("impactchain_"))
    return _VARIABLES.get(field, f"IMPACTCHAIN_{field.upper()}")


def load_settings() -> Settings:
    """The process's settings; a value pydantic refuses becomes a `SettingError` naming its variable."""
    try:
        return get_settings()
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "settings"
        raise SettingError(variable_name(field), f"is invalid: {error['msg']}") from None


def check_settings(settings: Settings, process: Process) -> None:
    """Raise `SettingError` for the first setting `process` cannot run with."""
    for field in _NEEDS[process]:
        if getattr(settings, field) is None:
            raise SettingError(variable_name(field), f"is not set, and `impactchain {process}` needs it")
    for field, schemes in _SCHEMES.items():
        value = getattr(settings, field)
        if value is not None:
            _check_url(variable_name(field), value, schemes)
    for url in settings.indexer_rpc_urls:
        _check_url("IMPACTCHAIN_INDEXER_RPC_URLS", url, _SCHEMES["rpc_url"])


def check_keeper_account(settings: Settings, account: str | None, chain_id: int | None, network: str) -> None:
    """A real network needs the keeper's own ape account; development chains sign with a test account.

    `chain_id` is what the node answered, or None for an ape network choice that was not asked
    (then its network part decides: `polygon:local:…` is local, `polygon:amoy:…` is not)."""
    if account or settings.keeper_account:
        return
    local = chain_id in LOCAL_CHAIN_IDS if chain_id is not None else _ape_network_is_local(network)
    if not local:
        where = f"chain id {chain_id}" if chain_id is not None else f"network {network}"
        raise SettingError(
            "IMPACTCHAIN_KEEPER_ACCOUNT",
            f"is not set and {where} is not a local development chain (31337/1337): "
            "set it (or pass --account) to the ape account alias the keeper signs with",
        )


def is_url(network: str) -> bool:
    return "://" in network


def _ape_network_is_local(network: str) -> bool:
    parts = network.split(":")
    return len(parts) >= 2 and parts[1] == "local"


def _check_url(variable: str, url: str, schemes: Iterable[str]) -> None:
    allowed = tuple(schemes)
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise SettingError(variable, f"is not a URL ({exc}): {redact_text(url)}") from None
    if parts.scheme not in allowed:
        raise SettingError(
            variable, f"must start with {' or '.join(s + '://' for s in allowed)}, got {redact_text(url)!r}"
        )
    if not (parts.netloc or parts.path or parts.query):
        raise SettingError(variable, f"names no server: {redact_text(url)!r}")
