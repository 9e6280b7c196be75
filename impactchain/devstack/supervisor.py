"""`impactchain dev`: the whole platform on one machine, stopped cleanly by Ctrl-C.

Order of start: preflight checks → chain (anvil unless IMPACTCHAIN_RPC_URL) → PostgreSQL and
Redis (configured or embedded) → migrations → deploy (kept if already deployed) → indexer,
API and worker as child processes → optional seed. Stop is the reverse; anvil writes its
state and the embedded servers keep their data, so the next `make dev` resumes.
"""

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from impactchain import schema
from impactchain.devstack import embedded, preflight
from impactchain.devstack.anvil import Anvil
from impactchain.devstack.deploy import deploy
from impactchain.devstack.seed import DEMO_ROUND_DONATIONS_WEI, seed_donations, seed_round
from impactchain.registry import DeploymentManifest, load_manifest
from impactchain.settings import Settings, sqlalchemy_url

PR_SET_PDEATHSIG = 1
# The ones a developer reaches for first; the manifest has every address and ABI.
SUMMARY_CONTRACTS = ("HelpDesk", "DAOCore", "GovernanceToken", "AuctionHouse", "FundingRoundFactory")


def _die_with_parent() -> None:
    # Linux: children get SIGTERM if `dev` itself is killed, so nothing is left behind.
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def say(line: str) -> None:
    """One line of progress, flushed at once: `make dev | tee dev.log` (a pipe, so block-buffered)
    shows where everything is when it is ready, not when a buffer fills."""
    print(line, flush=True)


@dataclass
class DevStack:
    settings: Settings
    seed: bool = False
    out: Callable[[str], None] = say
    _stop: threading.Event = field(default_factory=threading.Event)
    _children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _cleanups: list[Callable[[], None]] = field(default_factory=list)
    _chain_id: int = 0

    def run(self) -> int:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: self._stop.set())
        try:
            env = self._start_services()
            self._start_children(env)
            self._wait_for_api()
            manifest = load_manifest(self.settings.deployments_dir, self._chain_id)
            if self.seed:
                hashes = seed_donations(env["IMPACTCHAIN_RPC_URL"], manifest.contract("HelpDesk").address)
                self.out(f"· seeded {len(hashes)} demo donations")
                round_address = seed_round(env["IMPACTCHAIN_RPC_URL"], manifest)
                self.out(
                    f"· seeded a demo funding round at {round_address} with {len(DEMO_ROUND_DONATIONS_WEI)} donations"
                )
            self._summary(env, manifest)
            return self._supervise()
        finally:
            self._shutdown()

    def _start_services(self) -> dict[str, str]:
        s = self.settings
        preflight.require_free_port(s.api_host, s.api_port, "the API", "IMPACTCHAIN_API_PORT")
        if s.rpc_url is None:
            preflight.require_free_port("127.0.0.1", s.anvil_port, "anvil", "IMPACTCHAIN_ANVIL_PORT")
        if s.database_url is not None:
            preflight.require_postgres(s.database_url)
        if s.redis_url is not None:
            preflight.require_redis(s.redis_url)

        rpc_url = s.rpc_url or self._start_anvil()
        self._chain_id = preflight.require_chain(rpc_url)
        database_url = s.database_url or self._start_postgres()
        redis_url = s.redis_url or self._start_redis()

        self.out("· migrating the database")
        schema.upgrade(sqlalchemy_url(database_url))
        self.out("· compiling and deploying the contracts (ape run deploy)")
        self.out("  " + deploy(s.ape_network or rpc_url, deployments_dir=s.deployments_dir).strip().splitlines()[-1])
        return {
            "IMPACTCHAIN_RPC_URL": rpc_url,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "IMPACTCHAIN_DEPLOYMENTS_DIR": str(s.deployments_dir),
            "IMPACTCHAIN_API_HOST": s.api_host,
            "IMPACTCHAIN_API_PORT": str(s.api_port),
            # A dapp under development calls the API from its own localhost port.
            "IMPACTCHAIN_API_CORS_LOCALHOST": "true",
            # Console-pretty logs on a developer's terminal, unless LOG_FORMAT says otherwise.
            "IMPACTCHAIN_LOG_FORMAT": s.log_format or "console",
        }

    def _start_anvil(self) -> str:
        anvil = Anvil(self.settings.anvil_port, state_file=self.settings.data_dir / "anvil" / "state.json")
        self.out(f"· starting anvil on {anvil.url}")
        anvil.start()
        self._cleanups.append(anvil.stop)
        return anvil.url

    def _start_postgres(self) -> str:
        self.out(f"· starting embedded PostgreSQL in {self.settings.data_dir / 'postgres'}")
        server = embedded.start_postgres(self.settings.data_dir)
        self._cleanups.append(server.stop)
        return server.url

    def _start_redis(self) -> str:
        self.out(f"· starting embedded Redis in {self.settings.data_dir / 'redis'}")
        server = embedded.start_redis(self.settings.data_dir)
        self._cleanups.append(server.stop)
        return server.url

    def _start_children(self, env: dict[str, str]) -> None:
        child_env = {**os.environ, **env}
        for name in ("indexer", "api", "worker"):
            self._children[name] = subprocess.Popen(
                [sys.executable, "-m", "impactchain", name],
                env=child_env,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C reaches `dev` only; it stops children in order
                preexec_fn=_die_with_parent,
            )

    def _wait_for_api(self, timeout: float = 60.0) -> None:
        url = f"http://{self.settings.api_host}:{self.settings.api_port}/health"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self._stop.is_set():
            self._check_children()
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        if not self._stop.is_set():
            raise preflight.PreflightError(f"the API did not become healthy at {url} within {timeout:.0f}s")

    def _summary(self, env: dict[str, str], manifest: DeploymentManifest) -> None:
        api = f"http://{self.settings.api_host}:{self.settings.api_port}"
        lines = [
            "",
            "ImpactChain is running — Ctrl-C stops everything.",
            f"  chain      {env['IMPACTCHAIN_RPC_URL']} (chain id {manifest.chain_id})",
            *(f"  {name:<20} {manifest.contract(name).address}" for name in SUMMARY_CONTRACTS),
            f"  manifest   {self.settings.deployments_dir / f'{manifest.chain_id}.json'}",
            f"  database   {preflight.redact(env['DATABASE_URL'])}",
            f"  redis      {preflight.redact(env['REDIS_URL'])}",
            f"  API        {api}  (OpenAPI UI: {api}/schema)",
            f"  donations  {api}/v1/donations   rounds {api}/v1/rounds",
            f"  status     {api}/v1/status   metrics {api}/metrics",
            "  processes  " + ", ".join(f"{name} pid {child.pid}" for name, child in self._children.items()),
            "",
        ]
        self.out("\n".join(lines))

    def _supervise(self) -> int:
        while not self._stop.wait(0.5):
            failed = self._check_children(raise_error=False)
            if failed:
                self.out(f"! {failed} exited unexpectedly; stopping everything")
                return 1
        self.out("\n· stopping")
        return 0

    def _check_children(self, *, raise_error: bool = True) -> str | None:
        for name, child in self._children.items():
            if child.poll() is not None:
                if raise_error:
                    raise preflight.PreflightError(f"the {name} process exited with code {child.returncode}")
                return name
        return None

    def _shutdown(self) -> None:
        for child in self._children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in self._children.values():
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        for cleanup in reversed(self._cleanups):
            cleanup()
        self._cleanups.clear()
