"""The chain node the API talks to: one AsyncWeb3 for the app's lifetime, its chain id asked once."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import ClientError, ClientTimeout
from litestar import Litestar
from litestar.datastructures import State
from litestar.status_codes import HTTP_503_SERVICE_UNAVAILABLE
from web3 import AsyncHTTPProvider, AsyncWeb3
from web3.providers.rpc.utils import ExceptionRetryConfiguration

from api.kit.problems import ApiError
from impactchain.settings import Settings

logger = logging.getLogger(__name__)

RPC_TIMEOUT_SECONDS = 10.0


class ChainUnavailableError(ApiError):
    """The chain node could not be reached or did not answer in time."""

    status_code = HTTP_503_SERVICE_UNAVAILABLE
    slug = "chain-unavailable"
    title = "Chain node unavailable"

    def __init__(self, rpc_url: str, cause: BaseException) -> None:
        # The URL may carry a provider's API key: log it, never send it to the client.
        super().__init__(f"the chain node did not answer ({type(cause).__name__})")
        self.rpc_url = rpc_url
        self.cause = cause


class ChainNode:
    """An AsyncWeb3 on one RPC URL; its chain id is cached, as it cannot change under a running node."""

    def __init__(self, rpc_url: str) -> None:
        self.rpc_url = rpc_url
        provider = AsyncHTTPProvider(
            rpc_url,
            request_kwargs={"timeout": ClientTimeout(total=RPC_TIMEOUT_SECONDS)},
            # Fail within a second when the node is down rather than after web3's default five retries.
            exception_retry_configuration=ExceptionRetryConfiguration(
                errors=(ClientError, TimeoutError), retries=2, backoff_factor=0.1
            ),
        )
        self.w3 = AsyncWeb3(provider)
        self._chain_id: int | None = None

    @asynccontextmanager
    async def reaching(self) -> AsyncIterator[None]:
        """Turn transport failures inside the block into `ChainUnavailableError`."""
        try:
            yield
        except (ClientError, TimeoutError) as exc:
            logger.warning("chain node %s unreachable: %r", self.rpc_url, exc)
            raise ChainUnavailableError(self.rpc_url, exc) from exc

    async def chain_id(self) -> int:
        if self._chain_id is None:
            async with self.reaching():
                self._chain_id = await self.w3.eth.chain_id
        return self._chain_id

    async def block_number(self) -> int:
        async with self.reaching():
            return await self.w3.eth.block_number

    async def close(self) -> None:
        await self.w3.provider.disconnect()


@asynccontextmanager
async def chain_lifespan(app: Litestar) -> AsyncIterator[None]:
    """Open the node client at startup; close its HTTP sessions at shutdown."""
    settings: Settings = app.state.settings
    node = ChainNode(settings.chain_rpc_url)
    app.state.chain = node
    try:
        yield
    finally:
        await node.close()


def provide_chain_node(state: State) -> ChainNode:
    node: ChainNode = state.chain
    return node
