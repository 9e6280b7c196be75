"""How the RPC client reads providers' refusals and errors (no node needed)."""

import pytest

from indexer.rpc import RangeRefusedError, RetryPolicy, _refusal, _transient, endpoint_label, split_point


@pytest.mark.parametrize(
    ("message", "end"),
    [
        # Infura: a hinted range from the start of ours
        ("query returned more than 10000 results. Try with this block range [0x64, 0x6e].", 110),
        # Alchemy: the same, in its words
        (
            "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit "
            "on the response size, or you can request any block range with a cap of 10K logs in the response. "
            "Based on your parameters, this block range should work: [0x64, 0x78]",
            120,
        ),
        # QuickNode and others: a maximum range
        ("eth_getLogs is limited to a 10 block range", 109),
        ("exceed maximum block range: 5", 104),
        # no hint: halve
        ("query returned more than 10000 results", 150),
        # a hint that starts elsewhere, or makes no progress: halve
        ("query returned more than 10000 results. Try with this block range [0x1, 0x2].", 150),
        ("query returned more than 10000 results. Try with this block range [0x64, 0xc8].", 150),
    ],
)
def test_a_refused_range_is_split_where_the_provider_says(message: str, end: int) -> None:
    refused = _refusal("eth_getLogs", [], {"code": -32005, "message": message})
    assert isinstance(refused, RangeRefusedError)
    assert split_point(100, 200, refused) == end


def test_only_log_ranges_are_refused_ranges() -> None:
    assert not isinstance(_refusal("eth_call", [], {"message": "block range too wide"}), RangeRefusedError)
    assert not isinstance(_refusal("eth_getLogs", [], {"message": "invalid params"}), RangeRefusedError)


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        ({"code": -32005, "message": "rate limit exceeded"}, True),
        ({"code": -32000, "message": "header not found"}, True),
        ({"code": 429, "message": "Too many requests, try again later"}, True),
        ({"code": -32602, "message": "invalid argument 0: hex string without 0x prefix"}, False),
        ({"code": -32005, "message": "query returned more than 10000 results"}, False),  # split, not retried
        ({"code": 3, "message": "execution reverted"}, False),
    ],
)
def test_busy_nodes_are_retried_and_wrong_requests_are_not(error: dict[str, object], transient: bool) -> None:
    assert _transient(error) is transient


def test_endpoint_labels_leave_api_keys_out() -> None:
    assert (
        endpoint_label("https://polygon-mainnet.g.alchemy.com/v2/SECRETKEY") == "https://polygon-mainnet.g.alchemy.com"
    )
    assert endpoint_label("http://127.0.0.1:8545") == "http://127.0.0.1:8545"


def test_backoff_is_capped_and_jittered() -> None:
    policy = RetryPolicy(attempts=10, base_seconds=0.5, cap_seconds=2.0)
    delays = [policy.delay(attempt) for attempt in range(1, 11) for _ in range(50)]
    assert all(0 <= delay <= 2.0 for delay in delays)
    assert len(set(delays)) > 100  # jitter: not a fixed schedule
    assert max(policy.delay(1) for _ in range(200)) <= 0.5


def test_several_rpc_urls_come_comma_separated_and_deep_reorgs_halt_off_dev_chains(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from impactchain.settings import Settings
    from indexer.main import indexer_config

    monkeypatch.setenv("IMPACTCHAIN_INDEXER_RPC_URLS", "https://a.example/v2/KEY, https://b.example")
    settings = Settings()
    assert settings.indexer_rpc_endpoints == ["https://a.example/v2/KEY", "https://b.example"]
    assert indexer_config(settings, 137).deep_reorg == "halt"  # Polygon: alert, change nothing
    assert indexer_config(settings, 31337).deep_reorg == "rebuild"  # anvil: rebuild
    monkeypatch.setenv("IMPACTCHAIN_INDEXER_DEEP_REORG", "rebuild")
    assert indexer_config(Settings(), 137).deep_reorg == "rebuild"
