"""Keeper duties: what on the chain is due for settlement now.

Settling an auction after its end, finalizing a funding round after its deadline, and moving a
round's owed stream or carbon share are open to anyone, and the contracts make a repeated call
revert or do nothing, so a keeper only needs to find what is due and send one transaction each.
Discovery lives here (plain web3 reads over the manifest's ABIs) so the ape keeper script and any
other runner share it; signing is the runner's business.

A pass reads every auction and round, so the reads go out as JSON-RPC batches (`BATCH_SIZE` calls
a round trip): a handful of round trips a pass instead of several per auction and round, which
is what a pass costs against a remote Polygon node. Providers that cannot batch are read call by
call.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from eth_typing import ABI
from web3 import Web3
from web3.contract.contract import ContractFunction

from impactchain.helpdesk import NATIVE_CURRENCY
from impactchain.registry import DeploymentManifest, contract_at

AUCTION_ACTIVE = 1  # AuctionHouse.Status.Active
ROUND_FUNDING = 0  # IFundingRound.Status.Funding
BATCH_SIZE = 500


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
    ids = range(1, house.functions.nextAuctionId().call())
    auctions = call_all(w3, [house.functions.getAuction(auction_id) for auction_id in ids])
    duties = []
    for auction_id, auction in zip(ids, auctions, strict=True):
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
    indexes = range(factory.functions.roundCount().call())
    addresses = call_all(w3, [factory.functions.roundAt(index) for index in indexes])
    rounds = [w3.eth.contract(address=address, abi=abi) for address in addresses]
    deadlines = call_all(w3, [round_.functions.deadline() for round_ in rounds])
    statuses = call_all(w3, [round_.functions.status() for round_ in rounds])
    accepted = call_all(w3, [round_.functions.acceptedTokens() for round_ in rounds])
    duties = [
        Duty("FundingRound", round_.address, "finalize", (), f"round ended at {deadline}")
        for round_, deadline, status in zip(rounds, deadlines, statuses, strict=True)
        if status == ROUND_FUNDING and now > deadline
    ]
    currencies = [
        (round_, currency)
        for round_, tokens in zip(rounds, accepted, strict=True)
        for currency in (NATIVE_CURRENCY, *tokens)
    ]
    ledgers = call_all(w3, [round_.functions.ledger(currency) for round_, currency in currencies])
    for (round_, currency), ledger in zip(currencies, ledgers, strict=True):
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


def call_all(w3: Web3, calls: Sequence[ContractFunction]) -> list[Any]:
    """The results of `calls` (at the latest block), in order, asked `BATCH_SIZE` to a round trip."""
    results: list[Any] = []
    for start in range(0, len(calls), BATCH_SIZE):
        chunk = calls[start : start + BATCH_SIZE]
        try:
            with w3.batch_requests() as batch:
                for call in chunk:
                    batch.add(call)
                results.extend(batch.execute())
        except NotImplementedError:  # a provider that cannot batch: one call at a time
            results.extend(call.call() for call in chunk)
    return results
