"""Deploy ImpactChain's contracts and write `deployments/<chain_id>.json`.

    ape run deploy --network ethereum:local:foundry        # local anvil
    ape run deploy --network polygon:amoy:node --account my-deployer

Local networks (and development chain ids reached by URL) deploy from the first test
account (anvil's development mnemonic); anything else needs an ape account alias
(`--account` or IMPACTCHAIN_DEPLOYER_ACCOUNT).
An existing manifest whose contracts still have code on the chain and match today's build
is kept unless `--force`.
"""

from typing import Any

import click
from ape import accounts, chain, project
from ape.api import AccountAPI
from ape.cli import ConnectedProviderCommand, network_option
from eth_utils import keccak

from impactchain.registry import (
    DeployedContract,
    DeploymentManifest,
    ManifestError,
    load_manifest,
    write_manifest,
)
from impactchain.settings import get_settings

# anvil's and ganache/hardhat's chain ids: their test accounts are public knowledge.
DEVELOPMENT_CHAIN_IDS = frozenset({31337, 1337})


def _deployer(alias: str | None) -> AccountAPI:
    if alias:
        return accounts.load(alias)
    if chain.provider.network.is_local or chain.chain_id in DEVELOPMENT_CHAIN_IDS:
        return accounts.test_accounts[0]
    raise click.UsageError(
        f"network {chain.provider.network.choice} is not local: pass --account ALIAS "
        "or set IMPACTCHAIN_DEPLOYER_ACCOUNT to an ape account alias"
    )


def _bytecode_hash(container: Any) -> str:
    return "0x" + keccak(hexstr=container.contract_type.deployment_bytecode.bytecode).hex()


def _still_current(manifest: DeploymentManifest) -> bool:
    """Every contract still has code on the chain and was built from today's sources."""
    for name, deployed in manifest.contracts.items():
        if chain.provider.get_code(deployed.address) in (b"", None):
            return False
        if deployed.bytecode_hash != _bytecode_hash(getattr(project, name)):
            return False
    return True


def _abi(container: Any) -> list[dict[str, Any]]:
    return [entry.model_dump(mode="json", by_alias=True, exclude_none=True) for entry in container.contract_type.abi]


@click.command(cls=ConnectedProviderCommand)
@network_option()
@click.option("--account", "alias", default=None, help="ape account alias of the deployer")
@click.option("--force", is_flag=True, help="deploy even if the manifest's contracts exist")
def cli(alias: str | None, force: bool) -> None:
    settings = get_settings()
    deployments_dir = settings.deployments_dir
    if not force:
        try:
            existing = load_manifest(deployments_dir, chain.chain_id)
        except ManifestError:
            existing = None
        if existing is not None and _still_current(existing):
            click.echo(f"contracts already deployed on chain {chain.chain_id}; keeping the manifest")
            return

    deployer = _deployer(alias or settings.deployer_account)
    # Until governance is wired in, the deployer administers HelpDesk and holds its general fund.
    help_desk = project.HelpDesk.deploy(deployer.address, deployer.address, sender=deployer)
    receipt = chain.provider.get_receipt(help_desk.txn_hash)
    manifest = DeploymentManifest(
        chain_id=chain.chain_id,
        contracts={
            "HelpDesk": DeployedContract(
                address=help_desk.address,
                block=receipt.block_number,
                abi=_abi(project.HelpDesk),
                bytecode_hash=_bytecode_hash(project.HelpDesk),
            ),
        },
    )
    path = write_manifest(deployments_dir, manifest)
    click.echo(f"HelpDesk deployed at {help_desk.address} (block {receipt.block_number}); manifest {path}")
