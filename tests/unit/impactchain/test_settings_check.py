"""What each process needs from its settings, named by the variable to fix."""

import os

import pytest

from impactchain.settings import Settings
from impactchain.settings_check import SettingError, check_keeper_account, check_settings, variable_name


@pytest.fixture(autouse=True)
def no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test passes: not the DATABASE_URL of the shell running the tests."""
    for name in os.environ:
        if name.startswith(("IMPACTCHAIN_", "OTEL_", "LOG_")) or name in ("DATABASE_URL", "REDIS_URL"):
            monkeypatch.delenv(name)


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


GOOD = {"database_url": "postgresql://app@127.0.0.1:5432/x", "redis_url": "redis://127.0.0.1:6379/0"}


@pytest.mark.parametrize(
    ("values", "variable"),
    [
        ({**GOOD, "database_url": "mysql://app@db/x"}, "DATABASE_URL"),
        ({**GOOD, "redis_url": "http://cache:6379"}, "REDIS_URL"),
        ({**GOOD, "rpc_url": "ws://node:8546"}, "IMPACTCHAIN_RPC_URL"),
        ({**GOOD, "indexer_rpc_urls": ["https://a.example", "ftp://b.example"]}, "IMPACTCHAIN_INDEXER_RPC_URLS"),
        ({**GOOD, "otel_exporter_otlp_endpoint": "collector:4318"}, "OTEL_EXPORTER_OTLP_ENDPOINT"),
        ({"redis_url": GOOD["redis_url"]}, "DATABASE_URL"),
        ({"database_url": GOOD["database_url"]}, "REDIS_URL"),
    ],
)
def test_the_indexer_refuses_each_bad_setting_by_name(values: dict[str, object], variable: str) -> None:
    with pytest.raises(SettingError) as raised:
        check_settings(settings(**values), "indexer")
    assert raised.value.variable == variable
    assert str(raised.value).startswith(variable + " ")


def test_a_password_in_a_refused_url_is_not_repeated() -> None:
    with pytest.raises(SettingError) as raised:
        check_settings(settings(database_url="mysql://app:hunter22@db/x"), "api")
    assert "hunter22" not in str(raised.value)


def test_good_settings_pass_for_every_process() -> None:
    good = settings(**GOOD, rpc_url="https://node.example/v2/key", otel_exporter_otlp_endpoint="http://otel:4318")
    for process in ("api", "indexer", "worker", "keeper", "dev", "migrate", "deploy", "db", "indexer status"):
        check_settings(good, process)
    # dev starts embedded PostgreSQL and Redis when neither is set; the keeper needs neither.
    check_settings(settings(), "dev")
    check_settings(settings(), "keeper")


def test_the_embedded_servers_urls_are_accepted() -> None:
    check_settings(
        settings(database_url="postgresql://postgres:@/postgres?host=/srv/.data/pg", redis_url="unix:///tmp/r.sock"),
        "worker",
    )


@pytest.mark.parametrize(
    ("chain_id", "network", "refused"),
    [
        (31337, "http://127.0.0.1:8545", False),
        (1337, "http://127.0.0.1:8545", False),
        (80002, "https://rpc-amoy.example", True),
        (137, "https://polygon.example", True),
        (None, "polygon:local:test", False),
        (None, "polygon:amoy:node", True),
    ],
)
def test_a_real_network_needs_the_keepers_account(chain_id: int | None, network: str, refused: bool) -> None:
    if refused:
        with pytest.raises(SettingError, match="IMPACTCHAIN_KEEPER_ACCOUNT"):
            check_keeper_account(settings(), None, chain_id, network)
    else:
        check_keeper_account(settings(), None, chain_id, network)
    # With an account (setting or option) every network is fine.
    check_keeper_account(settings(keeper_account="keeper"), None, chain_id, network)
    check_keeper_account(settings(), "keeper", chain_id, network)


def test_variable_names_follow_the_readme() -> None:
    assert variable_name("database_url") == "DATABASE_URL"
    assert variable_name("DATABASE_URL") == "DATABASE_URL"
    assert variable_name("IMPACTCHAIN_LOG_LEVEL") == "LOG_LEVEL"
    assert variable_name("api_port") == "IMPACTCHAIN_API_PORT"
    assert variable_name("IMPACTCHAIN_API_PORT") == "IMPACTCHAIN_API_PORT"
