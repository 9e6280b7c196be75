"""`impactchain`: one entry point with a subcommand per process.

The apps are imported inside their commands, so `impactchain migrate` never loads
Litestar and `impactchain api` never loads RQ.
"""

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from impactchain.observability import LogFormat, configure_observability
from impactchain.settings import PROJECT_ROOT, Settings
from impactchain.settings_check import Process, SettingError, check_settings, load_settings

app = typer.Typer(help="ImpactChain: contracts, indexer, API and workers.", no_args_is_help=True)


# A setting the process cannot run with: named on one line, no traceback (a usage error, like click's).
EXIT_BAD_SETTING = 2


def _settings(process: Process, *, default_format: LogFormat = "json") -> Settings:
    """The settings, checked for `process` before anything starts; then logging and tracing set up."""
    try:
        settings = load_settings()
        check_settings(settings, process)
    except SettingError as exc:
        _bad_setting(exc)
    configure_observability(settings, process, default_format=default_format)
    return settings


def _bad_setting(error: SettingError) -> NoReturn:
    typer.secho(f"impactchain: {error}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=EXIT_BAD_SETTING)


def _fail(message: str) -> NoReturn:
    typer.secho(f"impactchain: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


def _require(value: str | None, name: str) -> str:
    if value is None:
        _fail(f"{name} is not set (see README: Configuration), or use `impactchain dev`")
    return value


@app.command()
def dev(seed: Annotated[bool, typer.Option(help="make a few demo donations and a demo funding round")] = False) -> None:
    """Run the whole platform locally: chain, PostgreSQL, Redis, indexer, API and a worker."""
    from impactchain.devstack.deploy import DeployError
    from impactchain.devstack.preflight import PreflightError
    from impactchain.devstack.supervisor import DevStack

    settings = _settings("dev", default_format="console")
    try:
        code = DevStack(settings, seed=seed).run()
    except (PreflightError, DeployError) as exc:
        _fail(str(exc))
    else:
        raise typer.Exit(code=code)


@app.command()
def migrate() -> None:
    """Apply the database migrations (alembic upgrade head)."""
    from impactchain import schema
    from impactchain.devstack.preflight import PreflightError, require_postgres

    settings = _settings("migrate")
    url = _require(settings.database_url, "DATABASE_URL")
    try:
        require_postgres(url)
    except PreflightError as exc:
        _fail(str(exc))
    schema.upgrade(settings.sqlalchemy_url)


@app.command()
def deploy(
    network: Annotated[str | None, typer.Option(help="ape network choice or RPC URL")] = None,
    account: Annotated[str | None, typer.Option(help="ape account alias of the deployer")] = None,
) -> None:
    """Compile and deploy the contracts, writing deployments/<chain_id>.json."""
    from impactchain.devstack.deploy import DeployError
    from impactchain.devstack.deploy import deploy as run_deploy

    settings = _settings("deploy")
    try:
        output = run_deploy(
            network or settings.ape_network or settings.chain_rpc_url,
            deployments_dir=settings.deployments_dir,
            account=account or settings.deployer_account,
        )
    except DeployError as exc:
        _fail(str(exc))
    typer.echo(output.rstrip())


@app.command()
def keeper(
    account: Annotated[str | None, typer.Option(help="ape account alias that pays the gas")] = None,
    loop: Annotated[float | None, typer.Option(min=1, help="repeat every N seconds")] = None,
) -> None:
    """Settle whatever is due on the chain (auctions, rounds, streams, carbon shares): `ape run keeper`."""
    from impactchain.devstack.deploy import ape_environment
    from impactchain.devstack.preflight import PreflightError, require_chain
    from impactchain.settings_check import check_keeper_account, is_url

    settings = _settings("keeper")
    network = settings.ape_network or settings.chain_rpc_url
    try:
        chain_id = require_chain(network) if is_url(network) else None
        check_keeper_account(settings, account, chain_id, network)
    except PreflightError as exc:
        _fail(str(exc))
    except SettingError as exc:
        _bad_setting(exc)
    command = [str(Path(sys.executable).parent / "ape"), "run", "keeper", "--network", network]
    if account or settings.keeper_account:
        command += ["--account", account or settings.keeper_account or ""]
    if loop is not None:
        command += ["--loop", str(loop)]
    env = ape_environment(settings.deployments_dir)
    raise typer.Exit(code=subprocess.run(command, cwd=PROJECT_ROOT, env=env, check=False).returncode)


indexer_app = typer.Typer(help="Backfill then tail contract logs into PostgreSQL, and tend the projections.")
app.add_typer(indexer_app, name="indexer")


@indexer_app.callback(invoke_without_command=True)
def indexer(context: typer.Context) -> None:
    """Backfill then tail contract logs into PostgreSQL (a second process stands by)."""
    if context.invoked_subcommand is not None:
        return
    from impactchain.registry import ManifestError
    from indexer.main import run_indexer

    settings = _settings("indexer")  # before the try: typer's Exit is a RuntimeError
    try:
        asyncio.run(run_indexer(settings))
    except (ManifestError, RuntimeError) as exc:
        _fail(str(exc))


@indexer_app.command("rebuild")
def indexer_rebuild(
    projection: Annotated[str, typer.Argument(help="the projection's name, e.g. donations or funding-rounds")],
) -> None:
    """Derive a projection's tables again from the stored events (contract_events), without the node."""
    from impactchain.registry import ManifestError
    from indexer.main import rebuild_from_store
    from indexer.rebuild import UnknownProjectionError

    settings = _settings("indexer rebuild")
    _require(settings.database_url, "DATABASE_URL")
    try:
        rebuilt = asyncio.run(rebuild_from_store(settings, projection))
    except (ManifestError, UnknownProjectionError) as exc:
        _fail(str(exc))
    typer.echo(
        f"{rebuilt.projection}: {rebuilt.events:,} events replayed into {rebuilt.rows:,} rows "
        f"in {rebuilt.seconds:.1f}s ({rebuilt.events_per_second:,.0f} events/s)"
    )


@indexer_app.command("status")
def indexer_status() -> None:
    """Each checkpoint's block, lag and finality, the process holding the writer lock, pending jobs."""
    from indexer.status import indexer_status as read_status

    settings = _settings("indexer status")
    database_url = _require(settings.database_url, "DATABASE_URL")
    status = asyncio.run(read_status(database_url, settings.indexer_rpc_endpoints))
    typer.echo("\n".join(status.lines()))


db_app = typer.Typer(help="Back up and restore the database; partition the event tables.")
app.add_typer(db_app, name="db")


@db_app.command("backup")
def db_backup(
    path: Annotated[Path, typer.Argument(help="the archive to write, e.g. impactchain-2026-11-29.dump")],
) -> None:
    """Dump DATABASE_URL to PATH with pg_dump (custom format); see docs/OPERATIONS.md."""
    from impactchain.db.backup import BackupError, backup
    from impactchain.observability import redact_text

    settings = _settings("db")
    database_url = _require(settings.database_url, "DATABASE_URL")
    try:
        done = backup(database_url, path, bin_dir=settings.pg_bin_dir)
    except BackupError as exc:
        _fail(str(exc))
    typer.echo(
        f"backed up {redact_text(database_url)} to {done.path}: {done.bytes:,} bytes in {done.seconds:.1f}s "
        f"(pg_dump {done.tools.major})"
    )


@db_app.command("restore")
def db_restore(
    path: Annotated[Path, typer.Argument(help="an archive `impactchain db backup` wrote")],
    into: Annotated[str | None, typer.Option(help="an empty database to restore into (default DATABASE_URL)")] = None,
) -> None:
    """Restore PATH into an empty database with pg_restore, in one transaction."""
    from impactchain.db.backup import BackupError, restore
    from impactchain.observability import redact_text

    settings = _settings("db")
    target = into or _require(settings.database_url, "DATABASE_URL")
    target = Settings(database_url=target).database_url or target  # postgres:// and +asyncpg forms too
    if not target.startswith("postgresql://"):
        raise typer.BadParameter(f"not a postgresql:// URL: {redact_text(target)}", param_hint="--into")
    try:
        done = restore(path, target, bin_dir=settings.pg_bin_dir)
    except BackupError as exc:
        _fail(str(exc))
    typer.echo(
        f"restored {done.path} into {redact_text(target)} in {done.seconds:.1f}s (pg_restore {done.tools.major}); "
        "run `impactchain migrate` if this release is newer than the backup"
    )


@db_app.command("partitions")
def db_partitions(
    apply: Annotated[bool, typer.Option("--apply", help="make the changes planned (default: only show them)")] = False,
) -> None:
    """Show the event tables' partitions and what keeping them needs now; --apply makes it."""
    import asyncpg

    from impactchain.db.partitions import PartitionPolicy, apply_plan, show_plan
    from impactchain.observability import redact_text

    settings = _settings("db")
    database_url = _require(settings.database_url, "DATABASE_URL")
    policy = PartitionPolicy.from_settings(settings)
    try:
        lines, busy = asyncio.run((apply_plan if apply else show_plan)(database_url, policy))
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        _fail(f"{redact_text(database_url)}: {exc}")
    typer.echo("\n".join(lines))
    if busy:
        _fail(f"{', '.join(busy)}: a table lock did not come in time (a long read held it); run it again")


@app.command()
def api(
    workers: Annotated[
        int | None, typer.Option(min=1, help="processes accepting on the port (default IMPACTCHAIN_API_WORKERS, 1)")
    ] = None,
) -> None:
    """Serve the HTTP API (OpenAPI UI under /schema)."""
    from api.server import serve

    settings = _settings("api")
    serve(settings, workers=workers or settings.api_workers)


@app.command()
def worker(burst: Annotated[bool, typer.Option(help="exit when the queue is empty")] = False) -> None:
    """Run one RQ worker for background jobs."""
    from workers.main import run_worker

    settings = _settings("worker")  # before the try: typer's Exit is a RuntimeError
    try:
        run_worker(settings, burst=burst)
    except RuntimeError as exc:
        _fail(str(exc))


if __name__ == "__main__":
    sys.exit(app())
