"""The keeper script (`ape run keeper`) settles an ended auction on the deployed platform, once,
and records its sends and balance in Redis for the worker's metrics; its reads go out in batches,
and a looping keeper stops reading what can never be due again."""

import json
import time
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_utils import keccak
from prometheus_client import CollectorRegistry
from redis import Redis
from web3 import Web3
from web3.providers.rpc import HTTPProvider

from impactchain import keeper
from impactchain.devstack.anvil import DEV_PRIVATE_KEYS as KEYS
from impactchain.devstack.anvil import Anvil
from impactchain.devstack.deploy import run_ape_script
from impactchain.devstack.seed import create_round_as_timelock
from impactchain.helpdesk import NATIVE_CURRENCY
from impactchain.keeper import due_duties
from impactchain.platform_metrics import KEEPER_BALANCE_KEY, RedisMetricsCollector
from impactchain.registry import DeploymentManifest, contract_at
from tests.support.chain import deploy_from_build, rpc, transact

SELLER, BIDDER = KEYS[3], KEYS[2]
HOUR = 3600
ERC721, NFT_TYPE = 0, 2


def test_keeper_settles_an_ended_auction_once(
    chain: Web3,
    manifest: DeploymentManifest,
    anvil: Anvil,
    deployments_dir: Path,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)  # the keeper records its sends and balance there
    house = contract_at(chain, manifest, "AuctionHouse")
    nft = deploy_from_build(chain, "TestAuctionNFT", SELLER)
    seller, bidder = Account.from_key(SELLER).address, Account.from_key(BIDDER).address
    transact(chain, nft.functions.mint(seller, 7), SELLER)
    transact(chain, nft.functions.approve(house.address, 7), SELLER)
    terms = (nft.address, ERC721, 7, 1, NFT_TYPE, "bafkreiauction", NATIVE_CURRENCY, 10**17, 500, HOUR, 0, 0)
    transact(chain, house.functions.createAuction(terms), SELLER)
    auction_id = house.functions.nextAuctionId().call() - 1
    transact(chain, house.functions.bid(auction_id), BIDDER, value=10**18)
    assert due_duties(chain, manifest) == []  # not ended yet

    rpc(chain, "evm_increaseTime", [2 * HOUR])
    rpc(chain, "evm_mine")
    assert [duty.args for duty in due_duties(chain, manifest)] == [(auction_id,)]
    started = time.time()
    first = run_ape_script("keeper", anvil.url, deployments_dir=deployments_dir)
    after_first = scrape_keeper_metrics(redis_url)
    second = run_ape_script("keeper", anvil.url, deployments_dir=deployments_dir)
    after_second = scrape_keeper_metrics(redis_url)

    sent = [json.loads(line) for line in first.splitlines() if line.startswith("{")]  # the keeper's JSON logs
    assert [(e["contract"], e["function"], e["args"]) for e in sent if e["event"] == "settlement sent"] == [
        ("AuctionHouse", "settle", [auction_id])
    ]
    assert "keeper: 0 settlement(s)" in second
    (keeper_address,) = {e["keeper"] for e in sent if "keeper" in e}
    balance = chain.eth.get_balance(keeper_address)
    keeper_series = frozenset({("keeper", keeper_address)})
    settled = ("impactchain_keeper_sends_total", frozenset({("kind", "settle"), ("outcome", "sent")}))
    assert [name for name, _ in after_first if name == "impactchain_keeper_sends_total"] == [settled[0]]
    assert after_first[settled] == after_second[settled] == 1  # the second run found nothing to send
    assert after_first[("impactchain_keeper_balance_wei", keeper_series)] == float(balance)
    first_run = after_first[("impactchain_keeper_last_run_timestamp_seconds", keeper_series)]
    assert started <= first_run < after_second[("impactchain_keeper_last_run_timestamp_seconds", keeper_series)]
    with Redis.from_url(redis_url) as redis:  # kept exact, in wei (the gauge is a float)
        assert int(redis.hget(KEEPER_BALANCE_KEY, keeper_address) or 0) == balance
    assert nft.functions.ownerOf(7).call() == bidder
    assert house.functions.getAuction(auction_id).call()[4] == 2  # Settled
    scanner = keeper.DutyScanner(chain, manifest)
    assert scanner.due() == []
    before = scanner.reads
    assert scanner.due() == []
    assert scanner.reads - before == 2  # the settled auction is not read again
    # Every settlement retires carbon credits with its share (2% here) of the price.
    assert house.functions.carbonOwedOf(NATIVE_CURRENCY).call() == 0
    carbon = contract_at(chain, manifest, "CarbonPool")
    # 2% of the 1 MATIC price buys 0.02 tonnes at the development price of 1 MATIC a tonne.
    assert carbon.functions.totalRetired().call() == 10**18 * 200 // 10_000


def scrape_keeper_metrics(redis_url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """One scrape of the worker's Redis collector: each sample's value by series name and labels."""
    registry = CollectorRegistry()
    with Redis.from_url(redis_url) as redis:
        registry.register(RedisMetricsCollector(redis))
        return {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in registry.collect()
            for sample in family.samples
            if sample.name.startswith("impactchain_keeper_")
        }


class _CountingProvider(HTTPProvider):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.batches = 0

    def make_batch_request(self, requests: Any) -> Any:
        self.batches += 1
        return super().make_batch_request(requests)


class _UnbatchedProvider(HTTPProvider):
    def make_batch_request(self, requests: Any) -> Any:
        raise NotImplementedError("one request at a time")


def test_reads_go_out_in_batches_or_one_by_one_with_the_same_results(
    chain: Web3, manifest: DeploymentManifest, anvil: Anvil, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keeper, "BATCH_SIZE", 2)
    counting = _CountingProvider(anvil.url)
    batched, unbatched = Web3(counting), Web3(_UnbatchedProvider(anvil.url))
    house = contract_at(chain, manifest, "AuctionHouse")
    factory = contract_at(chain, manifest, "FundingRoundFactory")

    def reads(w3: Web3) -> list[Any]:
        house_here = contract_at(w3, manifest, "AuctionHouse")
        factory_here = contract_at(w3, manifest, "FundingRoundFactory")
        calls = [house_here.functions.nextAuctionId(), house_here.functions.paused()]
        calls += [house_here.functions.carbonOwedOf(NATIVE_CURRENCY), factory_here.functions.roundCount()]
        calls.append(factory_here.functions.implementation())
        return keeper.call_all(w3, calls)

    expected = [
        house.functions.nextAuctionId().call(),
        house.functions.paused().call(),
        house.functions.carbonOwedOf(NATIVE_CURRENCY).call(),
        factory.functions.roundCount().call(),
        factory.functions.implementation().call(),
    ]
    assert reads(batched) == reads(unbatched) == expected
    assert counting.batches == 3  # five reads, two to a batch
    assert keeper.call_all(batched, []) == []


def test_a_looping_scanner_stops_reading_what_can_never_be_due_again(chain: Web3, manifest: DeploymentManifest) -> None:
    founder = Account.from_key(KEYS[4]).address
    rounds = [
        create_round_as_timelock(chain, manifest, founder, salt=keccak(text=f"keeper {i}"), goal=10**30)
        for i in range(2)
    ]
    scanner = keeper.DutyScanner(chain, manifest)
    assert scanner.due() == []  # both still funding
    rpc(chain, "evm_increaseTime", [31 * 24 * HOUR])
    rpc(chain, "evm_mine")

    due = scanner.due()
    assert [(duty.function, duty.address) for duty in due] == [("finalize", address) for address in rounds]
    for address in rounds:  # nobody funded a 1e12 MATIC goal: both fail, and owe nothing
        transact(chain, contract_at(chain, manifest, "FundingRound", address).functions.finalize(), KEYS[3])
    assert scanner.due() == []  # reads their statuses once more and closes them
    before = scanner.reads
    assert scanner.due() == due_duties(chain, manifest) == []
    closed_pass = scanner.reads - before

    assert closed_pass == 2  # nextAuctionId and roundCount: nothing else can become due
    later = create_round_as_timelock(chain, manifest, founder, salt=keccak(text="keeper later"), goal=10**30)
    before = scanner.reads
    assert scanner.due() == []
    # The new round is learned (roundAt, deadline, currencies) and read (status, native ledger).
    assert scanner.reads - before == 2 + 5
    rpc(chain, "evm_increaseTime", [31 * 24 * HOUR])
    rpc(chain, "evm_mine")
    assert [(duty.function, duty.address) for duty in scanner.due()] == [("finalize", later)]


def test_a_refused_carbon_share_is_retried_once_a_day_then_sent_to_the_dao(
    chain: Web3, manifest: DeploymentManifest
) -> None:
    founder_key, donor_key = KEYS[4], KEYS[3]  # test account 4 also plays the milestone oracle
    founder = Account.from_key(founder_key).address
    address = create_round_as_timelock(chain, manifest, founder, salt=keccak(text="keeper carbon"), goal=10**18)
    round_ = contract_at(chain, manifest, "FundingRound", address)
    transact(chain, round_.functions.donate(), donor_key, value=10**18)
    rpc(chain, "evm_increaseTime", [31 * 24 * HOUR])
    transact(chain, round_.functions.finalize(), donor_key)
    transact(chain, round_.functions.submitEvidence(0, "bafkreievidence"), founder_key)
    transact(chain, round_.functions.approveMilestone(0, keccak(text="bafkreievidence")), founder_key)
    owed = round_.functions.ledger(NATIVE_CURRENCY).call()[5]
    assert owed > 0
    # The DAO points rounds at an offsetter that refuses every payment (HelpDesk takes none).
    timelock = Web3.to_checksum_address(manifest.contract("DAOTimelock").address)
    factory = contract_at(chain, manifest, "FundingRoundFactory")
    rpc(chain, "anvil_impersonateAccount", [timelock])
    rpc(chain, "anvil_setBalance", [timelock, hex(10**18)])
    setter = factory.functions.setCarbonOffsetter(manifest.contract("HelpDesk").address)
    chain.eth.wait_for_transaction_receipt(setter.transact({"from": timelock}))
    rpc(chain, "anvil_stopImpersonatingAccount", [timelock])

    def carbon_duties() -> list[str]:
        return [d.function for d in due_duties(chain, manifest) if d.address == address and "Carbon" in d.function]

    for attempt in range(1, keeper.CARBON_MAX_FAILURES + 1):
        assert carbon_duties() == ["offsetCarbon"]
        transact(chain, round_.functions.offsetCarbon(NATIVE_CURRENCY), donor_key)
        assert round_.functions.carbonFailures(NATIVE_CURRENCY).call()[1] == attempt
        if attempt < keeper.CARBON_MAX_FAILURES:
            assert carbon_duties() == []  # not again within the retry spacing
            rpc(chain, "evm_increaseTime", [keeper.CARBON_RETRY_SPACING])
            rpc(chain, "evm_mine")

    assert carbon_duties() == ["sendStuckCarbonToDao"]
    before = chain.eth.get_balance(timelock)
    transact(chain, round_.functions.sendStuckCarbonToDao(NATIVE_CURRENCY), donor_key)
    assert chain.eth.get_balance(timelock) == before + owed
    assert carbon_duties() == []
