"""Keeper duties: what on the chain is due for settlement now.

Settling an auction after its end, finalizing a funding round after its deadline, and moving a
round's owed stream or carbon share are open to anyone, and the contracts make a repeated call
revert or do nothing, so a keeper only needs to find what is due and send one transaction each. Discovery
lives here (plain web3 reads over the manifest's ABIs) so the ape keeper script and any
other runner share it; signing is the runner's business.
"""

from dataclasses import dataclass
from typing import cast

from eth_typing import ABI
from web3 import Web3

from impactchain.helpdesk import NATIVE_CURRENCY
from impactchain.registry import DeploymentManifest, contract_at

AUCTION_ACTIVE = 1  # AuctionHouse.Status.Active
ROUND_FUNDING = 0  # IFundingRound.Status.Funding


@dataclass(frozen=True, slots=True)
class Duty:
    """One transaction a keeper should send: `contract.function(*args)` at `address`."""

    contract: str
    address: str
    function: str
    args: tuple[int | str, ...]
    reason: str


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


def due_round_duties(w3: Web3, manifest: DeploymentManifest, now: int) -> list[Duty]:
    """Rounds past their deadline still funding (finalize), and owed streams or carbon offsets."""
    if "FundingRoundFactory" not in manifest.contracts or "FundingRound" not in manifest.contracts:
        return []
    factory = contract_at(w3, manifest, "FundingRoundFactory")
    abi = cast(ABI, manifest.contract("FundingRound").abi)
    duties = []
    for index in range(factory.functions.roundCount().call()):
        round_ = w3.eth.contract(address=factory.functions.roundAt(index).call(), abi=abi)
        deadline = round_.functions.deadline().call()
        if round_.functions.status().call() == ROUND_FUNDING and now > deadline:
            duties.append(Duty("FundingRound", round_.address, "finalize", (), f"round ended at {deadline}"))
        for currency in [NATIVE_CURRENCY, *round_.functions.acceptedTokens().call()]:
            ledger = round_.functions.ledger(currency).call()
            stream_owed, carbon_owed = ledger[4], ledger[5]
            if stream_owed:
                duties.append(Duty("FundingRound", round_.address, "openStream", (currency,), "milestone to stream"))
            if carbon_owed:
                duties.append(Duty("FundingRound", round_.address, "offsetCarbon", (currency,), "carbon share owed"))
    return duties


def due_duties(w3: Web3, manifest: DeploymentManifest, now: int | None = None) -> list[Duty]:
    """Everything due at `now` (default: the latest block's timestamp)."""
    timestamp = now if now is not None else int(w3.eth.get_block("latest")["timestamp"])
    return due_auction_settlements(w3, manifest, timestamp) + due_round_duties(w3, manifest, timestamp)
