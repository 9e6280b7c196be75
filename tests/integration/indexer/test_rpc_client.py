"""The indexer's JSON-RPC client against a real HTTP server that answers what nodes should not:
a redirect is a fault (never followed: the request carries the provider's key in its path), and
an `eth_getLogs` answer whose logs lack a field is a bad body, retried, never a crash."""

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web

from impactchain.devstack.ports import free_port
from indexer.rpc import JsonRpcClient, RetryPolicy, RpcError

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ONE_LOG = {
    "address": "0x" + "11" * 20,
    "topics": ["0x" + "22" * 32],
    "data": "0x",
    "blockNumber": "0x5",
    "blockHash": "0x" + "33" * 32,
    "transactionHash": "0x" + "44" * 32,
    "logIndex": "0x0",
}


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Handler], Awaitable[str]]]:
    runners: list[web.AppRunner] = []

    async def start(handler: Handler) -> str:
        app = web.Application()
        app.router.add_post("/{tail:.*}", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        runners.append(runner)
        return f"http://127.0.0.1:{port}/v2/secret-key"

    yield start
    for runner in runners:
        await runner.cleanup()


async def test_a_redirect_is_a_fault_and_is_not_followed(serve: Callable[[Handler], Awaitable[str]]) -> None:
    followed: list[str] = []

    async def elsewhere(request: web.Request) -> web.StreamResponse:
        followed.append(request.path)
        return web.json_response({"jsonrpc": "2.0", "id": 1, "result": "0x1"})

    target = await serve(elsewhere)

    async def redirect(request: web.Request) -> web.StreamResponse:
        raise web.HTTPTemporaryRedirect(target)

    client = JsonRpcClient(await serve(redirect), retry=RetryPolicy(attempts=2, base_seconds=0.01))
    try:
        with pytest.raises(RpcError, match="http-error after 2 attempts: HTTP 307"):
            await client.block_number()
    finally:
        await client.close()
    assert followed == []


async def test_logs_missing_a_field_are_a_bad_body_retried(serve: Callable[[Handler], Awaitable[str]]) -> None:
    answers = [
        {"jsonrpc": "2.0", "id": 1, "result": [{k: v for k, v in ONE_LOG.items() if k != "blockHash"}]},
        {"jsonrpc": "2.0", "id": 1, "result": [ONE_LOG]},
    ]

    async def node(request: web.Request) -> web.StreamResponse:
        return web.json_response(answers.pop(0))

    client = JsonRpcClient(await serve(node), retry=RetryPolicy(attempts=3, base_seconds=0.01))
    try:
        (log,) = await client.logs(ONE_LOG["address"], None, 5, 5)
    finally:
        await client.close()
    assert (log.block_hash, log.log_index, answers) == (ONE_LOG["blockHash"], "0x0", [])


async def test_requests_go_through_the_environments_proxy_unless_no_proxy_exempts_the_node(
    serve: Callable[[Handler], Awaitable[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A forward proxy receives the node's whole URL as its request target; this one answers the
    # call itself, so the node's own address need not serve anything.
    proxied: list[str] = []

    async def proxy(request: web.Request) -> web.StreamResponse:
        proxied.append(str(request.url))
        return web.json_response({"jsonrpc": "2.0", "id": 1, "result": "0x2a"})

    direct: list[str] = []

    async def node(request: web.Request) -> web.StreamResponse:
        direct.append(request.path)
        return web.json_response({"jsonrpc": "2.0", "id": 1, "result": "0x7"})

    proxy_url = (await serve(proxy)).removesuffix("/v2/secret-key")
    node_url = await serve(node)
    unreachable = f"http://node.invalid:{free_port()}/v2/secret-key"
    monkeypatch.setenv("HTTP_PROXY", proxy_url)
    monkeypatch.delenv("http_proxy", raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.delenv("no_proxy", raising=False)
    clients = [JsonRpcClient(url, retry=RetryPolicy(attempts=1)) for url in (unreachable, node_url)]
    try:
        numbers = [await client.block_number() for client in clients]
    finally:
        for client in clients:
            await client.close()

    assert numbers == [42, 7]
    assert proxied == [unreachable]
    assert direct == ["/v2/secret-key"]
