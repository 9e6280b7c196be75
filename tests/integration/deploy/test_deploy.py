"""The real deploy script (`ape run deploy`) against anvil: what it writes and how it wires roles."""

from typing import Any

from eth_account import Account
from eth_utils import function_signature_to_4byte_selector, keccak
from web3 import Web3
from web3.contract import Contract

from impactchain.devstack.anvil import DEV_PRIVATE_KEYS
from impactchain.devstack.deploy import deploy
from impactchain.devstack.seed import send_donation
from impactchain.governance import ANY_ROUND, ProposalType, initial_call_policy
from impactchain.registry import DeploymentManifest, contract_at
from impactchain.reverts import abi_signature

DEPLOYER = Account.from_key(DEV_PRIVATE_KEYS[0]).address
EXPECTED = {
    "GovernanceTokenImplementation",
    "GovernanceToken",
    "ReputationBadge",
    "DAOTimelock",
    "GuardianCouncil",
    "DAOCore",
    "CallPolicy",
    "HelpDesk",
    "TestTCO2",
    "CarbonPool",
    "Streams",
    "MatchingPool",
    "AuctionHouse",
    "FundingRoundFactory",
    "FundingRound",
}


def role(name: str) -> bytes:
    return bytes(32) if name == "DEFAULT_ADMIN_ROLE" else keccak(text=name)


def test_manifest_names_every_contract_with_its_abi_and_block(chain: Web3, manifest: DeploymentManifest) -> None:
    assert set(manifest.contracts) == EXPECTED
    for name, deployed in manifest.contracts.items():
        assert chain.eth.get_code(Web3.to_checksum_address(deployed.address)), name
        assert deployed.block >= 1
        assert any(entry.get("type") == "function" for entry in deployed.abi), name
    assert manifest.contract("GovernanceToken").contract_type == "GovernanceTokenProxy"
    assert {e.get("name") for e in manifest.contract("GovernanceToken").abi} >= {"recordDonation", "delegate"}


def test_the_timelock_holds_every_privileged_role_and_the_deployer_none(
    chain: Web3, manifest: DeploymentManifest
) -> None:
    timelock = manifest.contract("DAOTimelock").address
    token, badges, help_desk = (
        contract_at(chain, manifest, n) for n in ("GovernanceToken", "ReputationBadge", "HelpDesk")
    )
    held: dict[Contract, list[str]] = {
        token: ["DEFAULT_ADMIN_ROLE", "MINTER_ROLE", "PAUSER_ROLE", "UPGRADER_ROLE", "RATE_SETTER_ROLE"],
        badges: ["DEFAULT_ADMIN_ROLE"],
        help_desk: ["DEFAULT_ADMIN_ROLE", "APPROVER_ROLE", "PAUSER_ROLE"],
    }
    for target, roles in held.items():
        for name in roles:
            assert target.functions.hasRole(role(name), timelock).call(), (target.address, name)
            assert not target.functions.hasRole(role(name), DEPLOYER).call(), (target.address, name)


def test_dao_council_and_help_desk_are_wired(chain: Web3, manifest: DeploymentManifest) -> None:
    timelock = contract_at(chain, manifest, "DAOTimelock")
    council = contract_at(chain, manifest, "GuardianCouncil")
    dao, help_desk = manifest.contract("DAOCore").address, manifest.contract("HelpDesk").address
    for name in ("PROPOSER_ROLE", "CANCELLER_ROLE", "EXECUTOR_ROLE"):
        assert timelock.functions.hasRole(role(name), dao).call(), name
    assert not timelock.functions.hasRole(role("DEFAULT_ADMIN_ROLE"), DEPLOYER).call()
    assert council.functions.owner().call() == timelock.address
    assert contract_at(chain, manifest, "HelpDesk").functions.hasRole(role("GUARDIAN_ROLE"), council.address).call()
    token, badges = contract_at(chain, manifest, "GovernanceToken"), contract_at(chain, manifest, "ReputationBadge")
    factory = manifest.contract("FundingRoundFactory").address
    # HelpDesk and the factory (the reward relay of every round) reward donors; nothing else does.
    for rewarder in (help_desk, factory):
        assert token.functions.hasRole(role("DONATION_RECORDER_ROLE"), rewarder).call(), rewarder
        assert badges.functions.hasRole(role("ACTIVITY_RECORDER_ROLE"), rewarder).call(), rewarder
    assert (
        contract_at(chain, manifest, "DAOCore").functions.callPolicy().call() == manifest.contract("CallPolicy").address
    )


def test_the_call_policy_allows_exactly_the_intended_calls(chain: Web3, manifest: DeploymentManifest) -> None:
    policy = contract_at(chain, manifest, "CallPolicy")
    help_desk, factory = manifest.contract("HelpDesk").address, manifest.contract("FundingRoundFactory").address
    entries = initial_call_policy(help_desk, factory)
    assert policy.functions.roundFactory().call() == factory
    for entry in entries:
        permission = policy.functions.callPermission(entry.proposal_type, entry.target, entry.selector).call()
        assert permission == [True, entry.fast_track], entry
        # The allowlisted function exists on its contract, by that exact selector.
        abi_of = (
            "FundingRound"
            if entry.target == ANY_ROUND
            else ("HelpDesk" if entry.target == help_desk else "FundingRoundFactory")
        )
        assert any(abi_signature(e) == entry.signature for e in manifest.contract(abi_of).abi), entry
    # The types that may call anything are never on the allowlist; role grants never are.
    token = manifest.contract("GovernanceToken").address
    grant_role = function_signature_to_4byte_selector("grantRole(bytes32,address)")
    for proposal_type in ProposalType:
        assert policy.functions.callPermission(proposal_type, token, grant_role).call() == [False, False]


def test_a_donation_mints_governance_tokens_through_the_wired_rewards(
    chain: Web3, manifest: DeploymentManifest
) -> None:
    donor = Account.from_key(DEV_PRIVATE_KEYS[4]).address
    token = contract_at(chain, manifest, "GovernanceToken")
    before = token.functions.balanceOf(donor).call()

    send_donation(chain, manifest.contract("HelpDesk").address, DEV_PRIVATE_KEYS[4], 3 * 10**18)

    assert token.functions.balanceOf(donor).call() == before + 3 * 10**18


def test_redeploying_keeps_a_current_manifest(anvil: Any, manifest: DeploymentManifest, deployments_dir: Any) -> None:
    output = deploy(anvil.url, deployments_dir=deployments_dir)
    assert "keeping the manifest" in output
