"""The deploy script's carbon offsetter on real networks: an address that cannot take payments is
refused before anything is deployed, and a Toucan TCO2 gets a ToucanOffsetAdapter in front of it
that every payer (auctions, rounds) pays."""

from pathlib import Path

import pytest
from eth_account import Account
from web3 import Web3

from impactchain.devstack.anvil import DEV_PRIVATE_KEYS, Anvil
from impactchain.devstack.deploy import DeployError, deploy
from impactchain.registry import load_manifest
from tests.support.chain import deploy_from_build

DEPLOYER = DEV_PRIVATE_KEYS[0]


def test_an_offsetter_without_the_payment_interface_is_refused_before_any_deploy(
    chain: Web3, anvil: Anvil, tmp_path: Path
) -> None:
    tco2 = deploy_from_build(chain, "TestTCO2", DEPLOYER, Account.from_key(DEPLOYER).address)
    nonce = chain.eth.get_transaction_count(Account.from_key(DEPLOYER).address)

    with pytest.raises(DeployError, match="does not implement ICarbonOffsetPayments"):
        deploy(anvil.url, deployments_dir=tmp_path, args=["--force", "--carbon-offsetter", tco2.address])

    assert chain.eth.get_transaction_count(Account.from_key(DEPLOYER).address) == nonce  # nothing sent
    assert not (tmp_path / f"{chain.eth.chain_id}.json").exists()


def test_a_toucan_tco2_is_paid_through_an_adapter_the_timelock_administers(
    chain: Web3, anvil: Anvil, tmp_path: Path
) -> None:
    tco2 = deploy_from_build(chain, "TestTCO2", DEPLOYER, Account.from_key(DEPLOYER).address)

    deploy(anvil.url, deployments_dir=tmp_path, args=["--force", "--toucan-tco2", tco2.address])

    manifest = load_manifest(tmp_path, chain.eth.chain_id)
    adapter = manifest.contract("ToucanOffsetAdapter").address
    assert "CarbonPool" not in manifest.contracts
    contracts = {name: chain.eth.contract(address=Web3.to_checksum_address(c.address), abi=c.abi)
                 for name, c in manifest.contracts.items()}  # fmt: skip
    assert contracts["ToucanOffsetAdapter"].functions.tco2().call() == tco2.address
    assert contracts["ToucanOffsetAdapter"].functions.defaultAdmin().call() == manifest.contract("DAOTimelock").address
    assert contracts["FundingRoundFactory"].functions.carbonOffsetter().call() == adapter
    house = contracts["AuctionHouse"].functions
    assert house.payoutTerms(house.currentTermsId().call()).call()[0] == adapter  # carbonOffsetter
