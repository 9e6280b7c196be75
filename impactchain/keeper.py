"""Keeper duties: what on the chain is due for settlement now.

Settling an auction after its end is open to anyone and the contracts make a second call
revert, so a keeper only needs to find what is due and send one transaction each. Discovery
lives here (plain web3 reads over the manifest's ABIs) so the ape keeper script and any
other runner share it; signing is the runner's business.
"""

from dataclasses import dataclass
from typing import cast

from eth_typing import ABI
from web3 import Web3
from web3.contract import Contract

from impactchain.registry import DeploymentManifest

AUCTION_ACTIVE = 1  # AuctionHouse.Status.Active


@dataclass(frozen=True, slots=True)
class Duty:
    """One transaction a keeper should send: `contract.function(*args)` at `address`."""

    contract: str
    address: str
    function: str
    args: tuple[int, ...]
    reason: str


def contract_at(w3: Web3, manifest: DeploymentManifest, name: str) -> Contract:
    deployed = manifest.contract(name)
    return w3.eth.contract(address=Web3.to_checksum_address(deployed.address), abi=cast(ABI, deployed.abi))


def due_auction_settlements(w3: Web3, manifest: DeploymentManifest, now: int) -> list[Duty]:
    """Active auctions whose end time has passed (bids or not: no bid returns the asset)."""
    if "AuctionHouse" not in manifest.contracts:
        return []
    house = contract_at(w3, manifest, "AuctionHouse")
    duties = []
    for auction_id in range(1, house.functions.nextAuctionId().call()):
        auction = house.functions.getAuction(auction_id).call()
        status, end_time = auction[4], auction[1]
        if status == AUCTION_ACTIVE and now >= end_time:
            duties.append(
                Duty(
                    "AuctionHouse", house.address, "settle", (auction_id,), f"auction {auction_id} ended at {end_time}"
                )
            )
    return duties


def due_duties(w3: Web3, manifest: DeploymentManifest, now: int | None = None) -> list[Duty]:
    """Everything due at `now` (default: the latest block's timestamp)."""
    timestamp = now if now is not None else int(w3.eth.get_block("latest")["timestamp"])
    return due_auction_settlements(w3, manifest, timestamp)
