"""Keeper: settle whatever is due on the chain — ended auctions now, funding rounds as they land.

    ape run keeper --network ethereum:local:foundry             # once
    ape run keeper --network polygon:amoy:node --account keeper --loop 30

Anyone may settle, so the keeper holds no special role; it pays gas. Its key is an ape
account (`--account` or IMPACTCHAIN_KEEPER_ACCOUNT); on development chains it defaults to
test account 9. A duty someone else settled first reverts and is skipped.

With REDIS_URL set, each transaction (by function and outcome) and, after each pass, the keeper's
balance and the time are recorded in Redis for `impactchain worker`'s metrics
(impactchain/platform_metrics.py): this process is gone before Prometheus would scrape it.
"""

import time

import click
import structlog
from ape import accounts, chain, project
from ape.api import AccountAPI
from ape.cli import ConnectedProviderCommand, network_option
from ape.exceptions import ContractLogicError
from redis import Redis

from impactchain.devstack.anvil import DEVELOPMENT_CHAIN_IDS
from impactchain.keeper import Duty, DutyScanner
from impactchain.observability import configure_observability
from impactchain.platform_metrics import KeeperMetrics
from impactchain.registry import DeploymentManifest, load_manifest
from impactchain.settings import get_settings

log = structlog.get_logger("keeper")


def _keeper(alias: str | None) -> AccountAPI:
    if alias:
        return accounts.load(alias)
    if chain.provider.network.is_local or chain.chain_id in DEVELOPMENT_CHAIN_IDS:
        return accounts.test_accounts[9]
    raise click.UsageError("pass --account ALIAS (or set IMPACTCHAIN_KEEPER_ACCOUNT) for a real network")


def _perform(duty: Duty, manifest: DeploymentManifest, keeper: AccountAPI, metrics: KeeperMetrics) -> bool:
    contract_type = manifest.contract(duty.contract).contract_type or duty.contract
    contract = getattr(project, contract_type).at(duty.address)
    call = {"contract": duty.contract, "address": duty.address, "function": duty.function, "args": list(duty.args)}
    try:
        receipt = getattr(contract, duty.function)(*duty.args, sender=keeper)
    except ContractLogicError as exc:
        metrics.sent(duty.function, "reverted")
        log.warning("settlement skipped", **call, error=str(exc))
        return False
    except Exception:
        metrics.sent(duty.function, "error")  # RPC, gas, nonce: counted, then the run stops as before
        raise
    metrics.sent(duty.function, "sent")
    log.info("settlement sent", **call, reason=duty.reason, tx_hash=receipt.txn_hash, block_number=receipt.block_number)
    return True


def run_once(scanner: DutyScanner, keeper: AccountAPI, metrics: KeeperMetrics) -> int:
    duties = scanner.due()
    done = sum(_perform(duty, scanner.manifest, keeper, metrics) for duty in duties)
    metrics.finished_pass(keeper.address, int(keeper.balance), time.time())
    return done


@click.command(cls=ConnectedProviderCommand)
@network_option()
@click.option("--account", "alias", default=None, help="ape account alias that pays for the settlements")
@click.option("--loop", "interval", type=click.FloatRange(min=1), default=None, help="repeat every N seconds")
def cli(alias: str | None, interval: float | None) -> None:
    settings = get_settings()
    configure_observability(settings, "keeper")
    manifest = load_manifest(settings.deployments_dir, chain.chain_id)
    keeper = _keeper(alias or settings.keeper_account)
    # One scanner for the whole run: later passes skip what can never be due again.
    scanner = DutyScanner(chain.provider.web3, manifest)
    metrics = KeeperMetrics(Redis.from_url(settings.redis_url, socket_timeout=5) if settings.redis_url else None)
    if metrics.redis is None:
        log.info("keeper metrics not recorded: REDIS_URL is not set")
    while True:
        reads = scanner.reads
        done = run_once(scanner, keeper, metrics)
        # The event's text is what `make keeper` users and tests/integration/deploy/test_keeper.py read.
        log.info(
            f"keeper: {done} settlement(s) sent",
            settlements=done,
            keeper=keeper.address,
            chain_id=chain.chain_id,
            block_number=chain.blocks.head.number,
            reads=scanner.reads - reads,
        )
        if interval is None:
            return
        time.sleep(interval)
