"""Deploy ImpactChain's contracts, wire them as production runs them, and write the manifest.

    ape run deploy --network ethereum:local:foundry        # local anvil
    ape run deploy --network polygon:amoy:node --account my-deployer \\
        --guardian 0xA… --guardian 0xB… --guardian-threshold 2

Local networks (and development chain ids reached by URL) deploy from the first test
account (anvil's development mnemonic) and default the guardian council to test accounts
5–7 (2 of 3); anything else needs an ape account alias (`--account` or
IMPACTCHAIN_DEPLOYER_ACCOUNT) and explicit guardians.

Wiring: the DAO's timelock ends up holding every admin, minting, upgrade and approval role
(GovernanceToken, ReputationBadge, HelpDesk), the guardian council is owned by the timelock and
holds HelpDesk's emergency-release role, HelpDesk and the round factory (the reward relay of its
rounds) may record donations (token) and activity (badges), DAOCore's call policy lets
HELP_REQUEST and FOUNDER_IDEA proposals call only HelpDesk's approvals and the factory's rounds
(`impactchain.governance.initial_call_policy`), and the deployer renounces everything it held.
An existing manifest whose contracts still have code on the chain and match today's build is
kept unless `--force`.
"""

from dataclasses import dataclass
from typing import Any

import click
from ape import accounts, chain, project
from ape.api import AccountAPI
from ape.cli import ConnectedProviderCommand, network_option
from eth_utils import function_signature_to_4byte_selector, keccak

from impactchain.devstack.anvil import DEVELOPMENT_CHAIN_IDS
from impactchain.governance import initial_call_policy
from impactchain.helpdesk import NATIVE_CURRENCY
from impactchain.registry import (
    DeployedContract,
    DeploymentManifest,
    ManifestError,
    load_manifest,
    write_manifest,
)
from impactchain.settings import get_settings

# Development carbon market: a million tonnes of test credits at 1 MATIC a tonne.
DEV_CARBON_CREDITS = 1_000_000 * 10**18
DEV_PRICE_PER_TONNE = 10**18
# Share of every auction settlement and milestone payout that retires carbon credits.
DEFAULT_CARBON_BPS = 200


@dataclass(frozen=True)
class GovernanceParameters:
    voting_delay: int  # blocks
    voting_period: int  # blocks
    proposal_threshold: int  # token wei
    quorum_percent: int
    timelock_min_delay: int  # seconds: the emergency floor
    timelock_delay: int  # seconds: ordinary proposals


# Polygon makes a block every ~2 s: a 3-day vote is ~130k blocks and a 2-day timelock.
PRODUCTION = GovernanceParameters(7_200, 129_600, 10**18, 4, 3_600, 2 * 24 * 3_600)
# Local chains mine a block per transaction: short enough to walk a proposal through by hand.
DEVELOPMENT = GovernanceParameters(1, 20, 10**18, 4, 60, 300)


def _is_development() -> bool:
    return bool(chain.provider.network.is_local or chain.chain_id in DEVELOPMENT_CHAIN_IDS)


def _deployer(alias: str | None) -> AccountAPI:
    if alias:
        return accounts.load(alias)
    if _is_development():
        return accounts.test_accounts[0]
    raise click.UsageError(
        f"network {chain.provider.network.choice} is not local: pass --account ALIAS "
        "or set IMPACTCHAIN_DEPLOYER_ACCOUNT to an ape account alias"
    )


def _guardians(addresses: tuple[str, ...], threshold: int | None) -> tuple[list[str], int]:
    if addresses:
        return list(addresses), threshold or (len(addresses) // 2 + 1)
    if _is_development():
        return [account.address for account in accounts.test_accounts[5:8]], threshold or 2
    raise click.UsageError("a real network needs its guardian council: pass --guardian ADDRESS (repeatable)")


def _default_verifier() -> str:
    """On development chains test account 4 plays the verifier keeper (milestone oracle, badge issuer)."""
    if _is_development():
        return str(accounts.test_accounts[4].address)
    raise click.UsageError("a real network needs the verifier's address: pass --oracle and --badge-issuer")


def _bytecode_hash(container: Any) -> str:
    return "0x" + keccak(hexstr=container.contract_type.deployment_bytecode.bytecode).hex()


def _abi(container: Any) -> list[dict[str, Any]]:
    return [entry.model_dump(mode="json", by_alias=True, exclude_none=True) for entry in container.contract_type.abi]


def _still_current(manifest: DeploymentManifest) -> bool:
    """Every contract still has code on the chain and was built from today's sources."""
    for deployed in manifest.contracts.values():
        if chain.provider.get_code(deployed.address) in (b"", None):
            return False
        container = getattr(project, deployed.contract_type or "", None)
        if container is None or deployed.bytecode_hash != _bytecode_hash(container):
            return False
    return True


class Deployment:
    """Deploys contracts one by one and remembers where each went, for the manifest."""

    def __init__(self, deployer: AccountAPI) -> None:
        self.deployer = deployer
        self.entries: dict[str, DeployedContract] = {}

    def deploy(self, name: str, container: Any, *args: Any, abi_of: Any = None) -> Any:
        instance = container.deploy(*args, sender=self.deployer)
        receipt = chain.provider.get_receipt(instance.txn_hash)
        self.record(name, instance.address, receipt.block_number, container, abi_of or container)
        click.echo(f"  {name:<32} {instance.address}  (block {receipt.block_number})")
        return instance

    def record(self, name: str, address: str, block: int, built_from: Any, abi_of: Any) -> None:
        self.entries[name] = DeployedContract(
            address=address,
            block=block,
            abi=_abi(abi_of),
            contract_type=built_from.contract_type.name,
            bytecode_hash=_bytecode_hash(built_from),
        )


def deploy_governance(
    d: Deployment, params: GovernanceParameters, guardians: list[str], threshold: int
) -> dict[str, Any]:
    """The token, badges, timelock and guardian council. DAOCore comes last (`deploy_dao`): its
    call policy names HelpDesk and the round factory."""
    me = d.deployer
    implementation = d.deploy("GovernanceTokenImplementation", project.GovernanceToken)
    proxy = d.deploy(
        "GovernanceToken",
        project.GovernanceTokenProxy,
        implementation,
        implementation.initialize.encode_input(me),
        abi_of=project.GovernanceToken,
    )
    token = project.GovernanceToken.at(proxy.address)
    badges = d.deploy("ReputationBadge", project.ReputationBadge, me)
    timelock = d.deploy("DAOTimelock", project.DAOTimelock, params.timelock_min_delay, [], [], me)
    # Owned by the timelock from the start: ownership moves in two steps, and a timelock could only
    # accept through a vote. The deployer may still bind it to the DAO once (`hand_over`).
    council = d.deploy("GuardianCouncil", project.GuardianCouncil, timelock, guardians, threshold)
    return {"token": token, "badges": badges, "timelock": timelock, "council": council}


def deploy_dao(d: Deployment, params: GovernanceParameters, c: dict[str, Any]) -> Any:
    """DAOCore with the call policy a new deployment starts with; the policy contract it creates
    goes into the manifest too (its events say what proposals may call)."""
    factory = c["round_factory"]
    policy = [entry.as_tuple() for entry in initial_call_policy(c["help_desk"].address, factory.address)]
    dao = d.deploy(
        "DAOCore",
        project.DAOCore,
        c["token"],
        c["timelock"],
        c["badges"],
        c["council"],
        params.voting_delay,
        params.voting_period,
        params.proposal_threshold,
        params.quorum_percent,
        params.timelock_delay,
        policy,
        factory,
    )
    d.record("CallPolicy", dao.callPolicy(), chain.blocks.head.number, project.CallPolicy, project.CallPolicy)
    return dao


def deploy_help_desk(d: Deployment, timelock: Any) -> Any:
    # The deployer administers it only until `hand_over` gives every role to the timelock.
    return d.deploy("HelpDesk", project.HelpDesk, d.deployer, timelock)


def deploy_carbon(d: Deployment) -> Any:
    """The local stand-in for Toucan: a TCO2-like token and a pool that sells and retires it."""
    me = d.deployer
    credits = d.deploy("TestTCO2", project.TestTCO2, me)
    pool = d.deploy("CarbonPool", project.CarbonPool, me, credits)
    credits.grantRole(credits.RETIRER_ROLE(), pool, sender=me)  # retiring burns the pool's credits
    credits.mint(pool, DEV_CARBON_CREDITS, sender=me)
    pool.setPrice(NATIVE_CURRENCY, DEV_PRICE_PER_TONNE, sender=me)
    return pool


# type(ICarbonOffsetPayments).interfaceId: offset(address) ^ offsetWithToken(address,uint256,address).
CARBON_OFFSET_PAYMENTS_INTERFACE = bytes(
    a ^ b
    for a, b in zip(
        function_signature_to_4byte_selector("offset(address)"),
        function_signature_to_4byte_selector("offsetWithToken(address,uint256,address)"),
        strict=True,
    )
)
# How long a hand-over of the Toucan adapter's admin waits before the new admin may accept it.
CARBON_DESK_ADMIN_DELAY = 2 * 24 * 3600


def _checked_offsetter(address: str) -> Any:
    """An existing offsetter, refused unless it answers ERC-165 for ICarbonOffsetPayments (a bare
    Toucan TCO2 has no payment function: use --toucan-tco2 for one)."""
    supports = project.CarbonPool.at(address)
    try:
        ok = bool(supports.supportsInterface(CARBON_OFFSET_PAYMENTS_INTERFACE))
    except Exception as error:  # no code, no ERC-165, or a revert: all mean "not an offsetter"
        raise click.UsageError(f"--carbon-offsetter {address} does not answer ERC-165: {error}") from error
    if not ok:
        raise click.UsageError(
            f"--carbon-offsetter {address} does not implement ICarbonOffsetPayments "
            f"(ERC-165 0x{CARBON_OFFSET_PAYMENTS_INTERFACE.hex()}); for a Toucan TCO2 pass --toucan-tco2"
        )
    return supports


def deploy_toucan_adapter(d: Deployment, tco2: str, desk: str) -> Any:
    """The payment interface over a Toucan TCO2 on a real network. Its admin (the carbon desk, or
    the timelock) sets prices and restocks its credit inventory; until a price is set, offsets
    are refused and payers keep their carbon shares owed."""
    adapter = d.deploy("ToucanOffsetAdapter", project.ToucanOffsetAdapter, CARBON_DESK_ADMIN_DELAY, desk, tco2)
    click.echo(f"  ToucanOffsetAdapter admin {desk}: set a price per tonne and stock TCO2 before payouts retire")
    return adapter


def deploy_payouts(d: Deployment, c: dict[str, Any], carbon: Any, carbon_bps: int) -> dict[str, Any]:
    """Streams, the matching pool, the auction house and the funding round factory."""
    me, timelock = d.deployer, c["timelock"]
    streams = d.deploy("Streams", project.Streams, me)
    matching = d.deploy("MatchingPool", project.MatchingPool, me)
    house = d.deploy("AuctionHouse", project.AuctionHouse, me)
    house.setStreams(streams, sender=me)
    offsetter = carbon.address if carbon is not None else NATIVE_CURRENCY  # the zero address: no offsets
    if carbon is not None:
        house.setCarbonOffset(carbon, carbon_bps, sender=me)
    platform = (timelock, c["token"], c["badges"], streams, offsetter, carbon_bps if carbon is not None else 0)
    factory = d.deploy("FundingRoundFactory", project.FundingRoundFactory, me, platform)
    # Rounds are clones of this implementation: the manifest gives dapps and the indexer its ABI.
    implementation = factory.implementation()
    d.record("FundingRound", implementation, chain.blocks.head.number, project.FundingRound, project.FundingRound)
    return {"streams": streams, "matching": matching, "auction_house": house, "round_factory": factory}


def hand_over(d: Deployment, c: dict[str, Any], oracle: str, badge_issuer: str) -> None:
    """Give every privileged role to the DAO (timelock) and drop the deployer's."""
    me, token, badges, timelock, council, dao, help_desk = (
        d.deployer, c["token"], c["badges"], c["timelock"], c["council"], c["dao"], c["help_desk"]
    )  # fmt: skip
    for role in (timelock.PROPOSER_ROLE(), timelock.CANCELLER_ROLE(), timelock.EXECUTOR_ROLE()):
        timelock.grantRole(role, dao, sender=me)
    council.setDAO(dao, sender=me)

    # HelpDesk and the round factory (the reward relay of all its rounds) mint for donations and
    # record reputation, for money that can no longer come back.
    for rewarder in (help_desk, c["round_factory"]):
        token.grantRole(token.DONATION_RECORDER_ROLE(), rewarder, sender=me)
        badges.grantRole(badges.ACTIVITY_RECORDER_ROLE(), rewarder, sender=me)
    help_desk.setRewards(token, badges, sender=me)
    help_desk.grantRole(help_desk.GUARDIAN_ROLE(), council, sender=me)

    _transfer_roles(token, me, timelock, ["DEFAULT_ADMIN_ROLE", "MINTER_ROLE", "PAUSER_ROLE", "UPGRADER_ROLE",
                                          "RATE_SETTER_ROLE"])  # fmt: skip
    # Badges gate quadratic votes (DONOR/VERIFIER): the verifier keeper issues them, the DAO too.
    badges.grantRole(badges.ISSUER_ROLE(), badge_issuer, sender=me)
    _transfer_roles(badges, me, timelock, ["ISSUER_ROLE", "DEFAULT_ADMIN_ROLE"])
    _transfer_roles(help_desk, me, timelock, ["APPROVER_ROLE", "PAUSER_ROLE", "DEFAULT_ADMIN_ROLE"])
    _transfer_roles(c["streams"], me, timelock, ["STREAM_ADMIN_ROLE", "DEFAULT_ADMIN_ROLE"])
    _transfer_roles(c["matching"], me, timelock, ["ROUND_MANAGER_ROLE", "DEFAULT_ADMIN_ROLE"])
    _transfer_roles(c["auction_house"], me, timelock, ["PAUSER_ROLE", "DEFAULT_ADMIN_ROLE"])
    factory = c["round_factory"]
    factory.grantRole(factory.ORACLE_ROLE(), oracle, sender=me)
    _transfer_roles(factory, me, timelock, ["ORACLE_ROLE", "DEFAULT_ADMIN_ROLE"])
    if c.get("carbon") is not None:
        _transfer_roles(c["carbon"], me, timelock, ["DEFAULT_ADMIN_ROLE"])
        credits = project.TestTCO2.at(c["carbon"].credits())
        _transfer_roles(credits, me, timelock, ["MINTER_ROLE", "DEFAULT_ADMIN_ROLE"])
    timelock.renounceRole(timelock.DEFAULT_ADMIN_ROLE(), me, sender=me)


def _transfer_roles(contract: Any, me: AccountAPI, timelock: Any, roles: list[str]) -> None:
    # The admin role goes last: renouncing it first would forbid granting the others.
    for name in roles:
        role = getattr(contract, name)()
        if not contract.hasRole(role, timelock):
            contract.grantRole(role, timelock, sender=me)
    for name in reversed(roles):
        role = getattr(contract, name)()
        if contract.hasRole(role, me):
            contract.renounceRole(role, me, sender=me)


@click.command(cls=ConnectedProviderCommand)
@network_option()
@click.option("--account", "alias", default=None, help="ape account alias of the deployer")
@click.option("--guardian", "guardian_addresses", multiple=True, help="guardian council member (repeatable)")
@click.option("--guardian-threshold", type=click.IntRange(min=1), default=None, help="guardians needed (M of N)")
@click.option("--oracle", default=None, help="address of the milestone verifier keeper (ORACLE_ROLE)")
@click.option("--badge-issuer", default=None, help="address that issues reputation badges (ISSUER_ROLE)")
@click.option(
    "--carbon-offsetter",
    default=None,
    help="an ICarbonOffsetPayments contract (checked by ERC-165); local: a CarbonPool",
)
@click.option(
    "--toucan-tco2", default=None, help="a Toucan TCO2: deploy a ToucanOffsetAdapter over it as the offsetter"
)
@click.option(
    "--carbon-desk", default=None, help="admin of the Toucan adapter (prices, restocking); default the timelock"
)
@click.option("--carbon-bps", type=click.IntRange(0, 1000), default=DEFAULT_CARBON_BPS, help="carbon share of payouts")
@click.option("--force", is_flag=True, help="deploy even if the manifest's contracts exist")
def cli(
    alias: str | None,
    guardian_addresses: tuple[str, ...],
    guardian_threshold: int | None,
    oracle: str | None,
    badge_issuer: str | None,
    carbon_offsetter: str | None,
    toucan_tco2: str | None,
    carbon_desk: str | None,
    carbon_bps: int,
    force: bool,
) -> None:
    settings = get_settings()
    if not force:
        try:
            existing = load_manifest(settings.deployments_dir, chain.chain_id)
        except ManifestError:
            existing = None
        if existing is not None and _still_current(existing):
            click.echo(f"contracts already deployed on chain {chain.chain_id}; keeping the manifest")
            return

    if carbon_offsetter and toucan_tco2:
        raise click.UsageError("pass --carbon-offsetter or --toucan-tco2, not both")
    # Checked before anything is deployed: a wrong offsetter would lock every carbon share.
    offsetter = _checked_offsetter(carbon_offsetter) if carbon_offsetter else None
    deployer = _deployer(alias or settings.deployer_account)
    guardians, threshold = _guardians(guardian_addresses, guardian_threshold)
    params = DEVELOPMENT if _is_development() else PRODUCTION
    click.echo(f"deploying to chain {chain.chain_id} from {deployer.address}")
    d = Deployment(deployer)
    contracts = deploy_governance(d, params, guardians, threshold)
    contracts["help_desk"] = deploy_help_desk(d, contracts["timelock"])
    contracts["carbon"] = None
    if offsetter is not None:
        carbon: Any = offsetter
    elif toucan_tco2:
        carbon = deploy_toucan_adapter(d, toucan_tco2, carbon_desk or contracts["timelock"].address)
    else:
        carbon = contracts["carbon"] = deploy_carbon(d) if _is_development() else None
    contracts.update(deploy_payouts(d, contracts, carbon, carbon_bps))
    contracts["dao"] = deploy_dao(d, params, contracts)
    hand_over(d, contracts, oracle or _default_verifier(), badge_issuer or _default_verifier())
    path = write_manifest(settings.deployments_dir, DeploymentManifest(chain_id=chain.chain_id, contracts=d.entries))
    click.echo(f"HelpDesk deployed at {contracts['help_desk'].address}; manifest {path}")
