"""Keeper duties: what on the chain is due for settlement now.

Settling an auction after its end, finalizing a funding round after its deadline, and moving a
round's owed stream or carbon share are open to anyone, and the contracts make a repeated call
revert or do nothing, so a keeper only needs to find what is due and send one transaction each.
Discovery lives here (plain web3 reads over the manifest's ABIs) so the ape keeper script and any
other runner share it; signing is the runner's business.

Reads go out as JSON-RPC batches (`BATCH_SIZE` calls a round trip): a handful of round trips a
pass instead of several per auction and round, which is what a pass costs against a remote
Polygon node. Providers that cannot batch are read call by call. A looping keeper keeps one
`DutyScanner`, which remembers what never changes (a round's address, deadline and currencies)
and what can never be due again (a settled or cancelled auction; a failed, settled or cancelled
round that owes no stream or carbon share), so later passes read only the rest.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction

from impactchain.helpdesk import NATIVE_CURRENCY
from impactchain.registry import DeploymentManifest, contract_at

AUCTION_ACTIVE = 1  # AuctionHouse.Status.Active
AUCTION_CLOSED = frozenset({2, 3})  # AuctionHouse.Status.Settled, Cancelled
ROUND_FUNDING = 0  # IFundingRound.Status.Funding
ROUND_CLOSED = frozenset({2, 3, 4})  # IFundingRound.Status.Failed, Settled, Cancelled
BATCH_SIZE = 500
# FundingRound.CARBON_MAX_FAILURES and CARBON_RETRY_SPACING: an offsetter that refused a round's
# carbon share is retried once a spacing at most; after that many refusals the share goes to the DAO.
CARBON_MAX_FAILURES = 3
CARBON_RETRY_SPACING = 24 * 3600


@dataclass(frozen=True, slots=True)
class Duty:
    """One transaction a keeper should send: `contract.function(*args)` at `address`."""

    contract: str
    address: str
    function: str
    args: tuple[int | str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class _Round:
    contract: Contract
    deadline: int
    currencies: tuple[str, ...]


class DutyScanner:
    """Finds what is due, pass after pass, reading only what may still become due."""

    def __init__(self, w3: Web3, manifest: DeploymentManifest) -> None:
        self.w3 = w3
        self.manifest = manifest
        self.reads = 0  # contract calls made so far, for operators and tests
        self._closed_auctions: set[int] = set()
        self._rounds: list[_Round] = []
        self._closed_rounds: set[str] = set()

    def due(self, now: int | None = None) -> list[Duty]:
        """Everything due at `now` (default: the latest block's timestamp)."""
        timestamp = now if now is not None else int(self.w3.eth.get_block("latest")["timestamp"])
        return self._auction_settlements(timestamp) + self._round_duties(timestamp)

    def _auction_settlements(self, now: int) -> list[Duty]:
        """Active auctions whose end time has passed (bids or not: no bid returns the asset)."""
        if "AuctionHouse" not in self.manifest.contracts:
            return []
        house = contract_at(self.w3, self.manifest, "AuctionHouse")
        next_id = self._call(house.functions.nextAuctionId())
        ids = [auction_id for auction_id in range(1, next_id) if auction_id not in self._closed_auctions]
        auctions = self._call_all([house.functions.getAuction(auction_id) for auction_id in ids])
        duties = []
        for auction_id, auction in zip(ids, auctions, strict=True):
            status, end_time = auction[4], auction[1]
            if status in AUCTION_CLOSED:
                self._closed_auctions.add(auction_id)
            elif status == AUCTION_ACTIVE and now >= end_time:
                reason = f"auction {auction_id} ended at {end_time}"
                duties.append(Duty("AuctionHouse", house.address, "settle", (auction_id,), reason))
        return duties

    def _round_duties(self, now: int) -> list[Duty]:
        """Rounds past their deadline still funding (finalize), and owed streams or carbon offsets."""
        if "FundingRoundFactory" not in self.manifest.contracts or "FundingRound" not in self.manifest.contracts:
            return []
        self._discover_rounds()
        rounds = [round_ for round_ in self._rounds if round_.contract.address not in self._closed_rounds]
        statuses = self._call_all([round_.contract.functions.status() for round_ in rounds])
        duties = [
            Duty("FundingRound", round_.contract.address, "finalize", (), f"round ended at {round_.deadline}")
            for round_, status in zip(rounds, statuses, strict=True)
            if status == ROUND_FUNDING and now > round_.deadline
        ]
        currencies = [(round_, currency) for round_ in rounds for currency in round_.currencies]
        ledgers = self._call_all([round_.contract.functions.ledger(currency) for round_, currency in currencies])
        owing: set[str] = set()
        carbon: list[tuple[_Round, str]] = []
        for (round_, currency), ledger in zip(currencies, ledgers, strict=True):
            address, stream_owed, carbon_owed = round_.contract.address, ledger[4], ledger[5]
            if stream_owed:
                duties.append(Duty("FundingRound", address, "openStream", (currency,), "milestone to stream"))
            if carbon_owed:
                carbon.append((round_, currency))
            if stream_owed or carbon_owed:
                owing.add(address)
        duties += self._carbon_duties(carbon, now)
        for round_, status in zip(rounds, statuses, strict=True):
            # Closed and owing nothing: no milestone can be released any more, so nothing new is owed.
            if status in ROUND_CLOSED and round_.contract.address not in owing:
                self._closed_rounds.add(round_.contract.address)
        return duties

    def _carbon_duties(self, owed: list[tuple[_Round, str]], now: int) -> list[Duty]:
        """Offset an owed carbon share, unless the offsetter refused it less than a retry spacing
        ago; once it refused often enough, send the share to the DAO instead."""
        failures = self._call_all([round_.contract.functions.carbonFailures(currency) for round_, currency in owed])
        duties = []
        for (round_, currency), (last_at, count) in zip(owed, failures, strict=True):
            address = round_.contract.address
            if count >= CARBON_MAX_FAILURES:
                reason = f"the offsetter refused the carbon share {count} times"
                duties.append(Duty("FundingRound", address, "sendStuckCarbonToDao", (currency,), reason))
            elif count == 0 or now >= last_at + CARBON_RETRY_SPACING:
                duties.append(Duty("FundingRound", address, "offsetCarbon", (currency,), "carbon share owed"))
        return duties

    def _discover_rounds(self) -> None:
        """Learn the rounds created since the last pass: their address, deadline and currencies never change."""
        factory = contract_at(self.w3, self.manifest, "FundingRoundFactory")
        indexes = range(len(self._rounds), self._call(factory.functions.roundCount()))
        addresses = self._call_all([factory.functions.roundAt(index) for index in indexes])
        contracts = [contract_at(self.w3, self.manifest, "FundingRound", address) for address in addresses]
        deadlines = self._call_all([contract.functions.deadline() for contract in contracts])
        accepted = self._call_all([contract.functions.acceptedTokens() for contract in contracts])
        self._rounds += [
            _Round(contract, deadline, (NATIVE_CURRENCY, *tokens))
            for contract, deadline, tokens in zip(contracts, deadlines, accepted, strict=True)
        ]

    def _call(self, call: ContractFunction) -> Any:
        self.reads += 1
        return call.call()

    def _call_all(self, calls: Sequence[ContractFunction]) -> list[Any]:
        self.reads += len(calls)
        return call_all(self.w3, calls)


def due_duties(w3: Web3, manifest: DeploymentManifest, now: int | None = None) -> list[Duty]:
    """Everything due at `now` (default: the latest block's timestamp), read afresh."""
    return DutyScanner(w3, manifest).due(now)


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
