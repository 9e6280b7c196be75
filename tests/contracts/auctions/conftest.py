"""AuctionHouse wired to the real Streams and CarbonPool, with test assets and currencies.

Deployed once per session; ape's chain isolation restores this state around every test.
"""

from collections.abc import Callable
from typing import Any

import pytest

from tests.contracts.auctions.params import NATIVE, TOKEN, auction_params

CARBON_BPS = 200
SHARE_BPS = 300
TONNE_PRICE = TOKEN // 100
NFT_IDS = (1, 2, 3, 4, 5)
MULTI_ID, MULTI_SUPPLY = 7, 10


@pytest.fixture(scope="session")
def admin(accounts: Any) -> Any:
    """Deploys everything; DEFAULT_ADMIN_ROLE and PAUSER_ROLE (the DAO timelock in production)."""
    return accounts[0]


@pytest.fixture(scope="session")
def seller(accounts: Any) -> Any:
    return accounts[1]


@pytest.fixture(scope="session")
def bidder(accounts: Any) -> Any:
    return accounts[2]


@pytest.fixture(scope="session")
def rival(accounts: Any) -> Any:
    return accounts[3]


@pytest.fixture(scope="session")
def keeper(accounts: Any) -> Any:
    return accounts[4]


@pytest.fixture(scope="session")
def treasury(accounts: Any) -> Any:
    """The revenue-share recipient."""
    return accounts[5]


@pytest.fixture(scope="session")
def outsider(accounts: Any) -> Any:
    return accounts[7]


@pytest.fixture(scope="session")
def streams(project: Any, admin: Any) -> Any:
    return admin.deploy(project.Streams, admin)


@pytest.fixture(scope="session")
def credits(project: Any, admin: Any) -> Any:
    return admin.deploy(project.TestTCO2, admin)


@pytest.fixture(scope="session")
def token(project: Any, admin: Any) -> Any:
    return admin.deploy(project.TestAuctionToken)


@pytest.fixture(scope="session")
def carbon_pool(project: Any, admin: Any, credits: Any, token: Any) -> Any:
    """Sells and retires credits for native and TAD payments at TONNE_PRICE per tonne."""
    pool = admin.deploy(project.CarbonPool, admin, credits)
    credits.grantRole(credits.RETIRER_ROLE(), pool, sender=admin)
    credits.mint(pool, 1_000_000 * TOKEN, sender=admin)
    pool.setPrice(NATIVE, TONNE_PRICE, sender=admin)
    pool.setPrice(token, TONNE_PRICE, sender=admin)
    return pool


@pytest.fixture(scope="session")
def house(
    project: Any,
    admin: Any,
    streams: Any,
    carbon_pool: Any,
    token: Any,
    treasury: Any,
) -> Any:
    house = admin.deploy(project.AuctionHouse, admin)
    house.setCurrencyAllowed(token, True, sender=admin)
    house.setCarbonOffset(carbon_pool, CARBON_BPS, sender=admin)
    house.setRevenueShares([treasury], [SHARE_BPS], sender=admin)
    house.setStreams(streams, sender=admin)
    return house


@pytest.fixture(scope="session")
def nft(project: Any, admin: Any, seller: Any, house: Any) -> Any:
    nft = admin.deploy(project.TestAuctionNFT)
    for token_id in NFT_IDS:
        nft.mint(seller, token_id, sender=admin)
    nft.setApprovalForAll(house, True, sender=seller)
    return nft


@pytest.fixture(scope="session")
def multi(project: Any, admin: Any, seller: Any, house: Any) -> Any:
    multi = admin.deploy(project.TestAuctionMultiToken)
    multi.mint(seller, MULTI_ID, MULTI_SUPPLY, sender=admin)
    multi.setApprovalForAll(house, True, sender=seller)
    return multi


@pytest.fixture(scope="session")
def funded_token(token: Any, admin: Any, house: Any, bidder: Any, rival: Any) -> Any:
    """TAD minted to both bidders and approved to the house."""
    for account in (bidder, rival):
        token.mint(account, 1_000_000 * TOKEN, sender=admin)
        token.approve(house, 2**256 - 1, sender=account)
    return token


@pytest.fixture
def create(house: Any, seller: Any, nft: Any) -> Callable[..., int]:
    """Open an auction as the seller (ERC-721 #1, native, defaults unless overridden); returns its id."""

    def open_auction(token_id: int = 1, **overrides: Any) -> int:
        asset = overrides.pop("asset", nft)
        receipt = house.createAuction(auction_params(asset, token_id, **overrides), sender=seller)
        return int(receipt.events.filter(house.AuctionCreated)[0].auctionId)

    return open_auction


@pytest.fixture
def end_of(house: Any, at: Callable[[int], None]) -> Callable[[int], None]:
    """Make the next transaction run at auction `auction_id`'s end time (ended)."""

    def jump(auction_id: int) -> None:
        at(house.getAuction(auction_id).endTime)

    return jump
