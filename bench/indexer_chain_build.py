"""The benchmark chain of bench/indexer_chain.py: the platform deployed by the real deploy script
on anvil, then about a million real platform events of mixed shape, generated once and kept as
an anvil state dump (.bench-cache/indexer_chain/) that later runs load in seconds.

The events come from the platform's own contracts, driven by BenchDriver
(contracts/test/BenchDriver.sol), which makes thousands of real calls per transaction:
  dense blocks   one burst transaction each (500 to 5,000 calls): HelpDesk donations to open
                 requests, donations to funding rounds, governance token transfers (each moving
                 votes too) and auction bids, interleaved
  governance     HELP_REQUEST proposals, then voters casting a vote on each
  sparse blocks  one donation or token transfer per block, with stretches of empty blocks
  round lifecycle after the rounds' deadline: finalize; a round that met its goal has each
                 milestone's evidence submitted and approved (released), a failed one refunds
"""

import json
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
from eth_typing import ChecksumAddress
from eth_utils import keccak
from web3 import Web3
from web3.contract import Contract

from impactchain.devstack.anvil import anvil_binary
from impactchain.devstack.deploy import compiled_contract_type, deploy
from impactchain.devstack.ports import free_port
from impactchain.registry import DeploymentManifest, contract_at, load_manifest
from impactchain.settings import PROJECT_ROOT

CACHE = Path(os.environ.get("BENCH_CHAIN_CACHE", PROJECT_ROOT / ".bench-cache" / "indexer_chain"))
CHAIN_ID = 31337
# Big blocks: one burst transaction of thousands of calls is one block (Prague: no per-tx gas cap).
GAS_LIMIT = 2_000_000_000
HARDFORK = "prague"
DAY = 24 * 3600
CID = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
ROUNDS = 200
MILESTONES = 2
REQUESTS = 200
AUCTIONS = 100
PROPOSALS = 20
VOTERS = 1000
VOTERS_PER_TX = 100
BURST_SIZES = (2500, 2500, 500, 5000, 2500, 1000, 2500, 4000)
SPARSE_BLOCKS = 1500
EMPTY_STRETCH = 8  # empty blocks after every 3rd sparse block, on average
TAIL_BLOCKS, TAIL_SPACING = 1200, 10
IMPLEMENTATIONS = frozenset({"GovernanceTokenImplementation", "FundingRound"})
T = TypeVar("T")


@dataclass
class ChainShape:
    """What the generated chain holds (written next to the state dump)."""

    target_events: int
    head: int = 0
    deploy_block: int = 0
    platform_events: int = 0
    rounds: list[str] = field(default_factory=list)
    by_event: dict[str, int] = field(default_factory=dict)
    dense_blocks: int = 0
    sparse_blocks: int = 0
    empty_blocks: int = 0
    max_events_per_block: int = 0
    # Non-empty blocks' platform event counts, [block, events]: the raw fetch plans its ranges by them.
    block_events: list[tuple[int, int]] = field(default_factory=list)
    generation_seconds: float = 0.0
    driver_code_hash: str = ""

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)))

    @classmethod
    def load(cls, path: Path) -> "ChainShape":
        raw = json.loads(path.read_text())
        raw["block_events"] = [tuple(pair) for pair in raw["block_events"]]
        return cls(**raw)


class AnvilNode:
    """anvil with big blocks, loading or dumping its whole state (blocks, receipts, logs)."""

    def __init__(self, *, load: Path | None = None, dump: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [str(anvil_binary()), "--host", "127.0.0.1", "--port", str(self.port), "--silent"]
        cmd += ["--gas-limit", str(GAS_LIMIT), "--hardfork", HARDFORK, "--accounts", "10", "--balance", "1000000"]
        # Only the latest state in memory: anvil otherwise snapshots the state at every block, a cost
        # that grows with the state (blocks, receipts and logs are all kept either way).
        cmd += ["--prune-history", "1"]
        if load is not None:
            cmd += ["--load-state", str(load)]
        if dump is not None:
            cmd += ["--dump-state", str(dump)]
        self.process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"anvil exited with {self.process.returncode}")
            try:
                httpx.post(self.url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}, timeout=2)
                return
            except httpx.TransportError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("anvil did not come up")

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout: float = 900) -> None:
        """SIGTERM: anvil writes its dump before it exits (a big dump takes a while)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def cached_chain(target_events: int) -> tuple[Path, Path, ChainShape] | None:
    """The state dump, deployments dir and shape of a chain built for `target_events` with the
    current BenchDriver, if one is cached."""
    state, deployments, meta = CACHE / "state.json", CACHE / "deployments", CACHE / "shape.json"
    if not (state.exists() and meta.exists() and (deployments / f"{CHAIN_ID}.json").exists()):
        return None
    shape = ChainShape.load(meta)
    if shape.target_events != target_events or shape.driver_code_hash != _driver_code_hash():
        return None
    return state, deployments, shape


def build_chain(target_events: int) -> tuple[Path, Path, ChainShape]:
    """Deploy and generate the chain, dump it to the cache; returns what `cached_chain` does."""
    CACHE.mkdir(parents=True, exist_ok=True)
    state, deployments, meta = CACHE / "state.json", CACHE / "deployments", CACHE / "shape.json"
    for stale in (state, meta, deployments / f"{CHAIN_ID}.json"):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    node = AnvilNode(dump=state)
    try:
        print(f"building the benchmark chain ({target_events:,} platform events) on {node.url} ...", flush=True)
        deploy(node.url, deployments_dir=deployments)
        manifest = load_manifest(deployments, CHAIN_ID)
        shape = Generator(Web3(Web3.HTTPProvider(node.url, request_kwargs={"timeout": 600})), manifest).run(
            target_events
        )
    finally:
        node.stop()
    shape.generation_seconds = round(time.perf_counter() - started, 1)
    shape.driver_code_hash = _driver_code_hash()
    shape.save(meta)
    print(f"built in {shape.generation_seconds:.0f}s (state dump {state.stat().st_size / 2**20:,.0f} MiB)")
    return state, deployments, shape


def _driver_code_hash() -> str:
    return keccak(text=compiled_contract_type("BenchDriver")["deploymentBytecode"]["bytecode"]).hex()[:16]


class Generator:
    def __init__(self, w3: Web3, manifest: DeploymentManifest) -> None:
        self.w3 = w3
        self.manifest = manifest
        self.accounts: list[str] = list(w3.eth.accounts)
        self.platform = {d.address.lower() for name, d in manifest.contracts.items() if name not in IMPLEMENTATIONS}
        self.url: str = w3.provider.endpoint_uri  # type: ignore[attr-defined]
        self.sent_events = 0
        self.per_block: Counter[int] = Counter()
        self.by_event: Counter[str] = Counter()
        self.topics = _topic_names(manifest)
        self.shape = ChainShape(target_events=0)

    def run(self, target_events: int) -> ChainShape:
        self.shape.target_events = target_events
        self.shape.deploy_block = min(d.block for d in self.manifest.contracts.values())
        driver = self._phase("setup", self._deploy_driver)
        self._phase("setup", lambda: self._open_requests(driver))
        # Sparse and empty blocks first: anvil's cost per block grows with the state it holds.
        self._phase("sparse", lambda: self._sparse(SPARSE_BLOCKS, None))
        self._phase("setup", lambda: self._setup(driver))
        self._phase("dense", lambda: self._dense(driver, target_events // 2))
        self._phase("governance", lambda: self._governance(driver))
        self._phase("dense", lambda: self._dense(driver, target_events - 2000 - self._platform_events()))
        self._phase("lifecycle", lambda: self._round_lifecycle(driver))
        # The last blocks: a donation now and then, so the head's notify horizon (1,000 blocks by
        # default) covers only these and the lifecycle; the bulk of the chain is history.
        self._phase("tail", lambda: self._sparse(TAIL_BLOCKS // TAIL_SPACING, TAIL_SPACING - 1))
        self.shape.head = self.w3.eth.block_number
        self._phase("count", self._scan)
        self.shape.block_events = sorted(self.per_block.items())
        self.shape.platform_events = sum(self.per_block.values())
        self.shape.by_event = dict(self.by_event.most_common())
        self.shape.max_events_per_block = max(self.per_block.values())
        return self.shape

    def _phase(self, name: str, work: Callable[[], T]) -> T:
        started = time.perf_counter()
        result = work()
        print(f"  {name}: {time.perf_counter() - started:.1f}s, block {self.w3.eth.block_number}", flush=True)
        return result

    # ----- transactions -----

    def _send(self, call: Any, sender: str | None = None, value: int = 0) -> Any:
        tx_hash = call.transact({"from": sender or self.accounts[0], "value": value, "gas": GAS_LIMIT // 2})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=600)
        if receipt["status"] != 1:
            raise RuntimeError(f"{call.fn_name} reverted")
        rounds = self.rounds
        self.sent_events += sum(1 for e in receipt["logs"] if e["address"].lower() in self.platform | rounds)
        return receipt

    def _scan(self) -> None:
        """Every platform event of the chain, read back: the shape is what the node serves."""
        addresses = sorted(self.platform | self.rounds)
        with httpx.Client(timeout=600) as http:
            for start in range(self.shape.deploy_block, self.shape.head + 1, 500):
                log_filter = {"address": addresses, "fromBlock": hex(start), "toBlock": hex(start + 499)}
                body = {"jsonrpc": "2.0", "id": 1, "method": "eth_getLogs", "params": [log_filter]}
                for entry in http.post(self.url, json=body).json()["result"]:
                    self.per_block[int(entry["blockNumber"], 16)] += 1
                    self.by_event[self.topics.get(entry["topics"][0], "?")] += 1

    @property
    def rounds(self) -> set[str]:
        return {r.lower() for r in self.shape.rounds}

    def _rpc(self, method: str, *params: Any) -> Any:
        response = self.w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
        if "error" in response:
            raise RuntimeError(f"{method}: {response['error']}")
        return response.get("result")

    # ----- phases -----

    def _deploy_driver(self) -> Contract:
        kind = compiled_contract_type("BenchDriver")
        factory = self.w3.eth.contract(abi=kind["abi"], bytecode=kind["deploymentBytecode"]["bytecode"])
        c = self.manifest.contracts
        args = (c["HelpDesk"].address, c["GovernanceToken"].address, c["AuctionHouse"].address, c["DAOCore"].address)
        receipt = self._send(factory.constructor(*args), value=100_000 * 10**18)
        return self.w3.eth.contract(address=receipt["contractAddress"], abi=kind["abi"])

    def _open_requests(self, driver: Contract) -> None:
        latest = self.w3.eth.get_block("latest")["timestamp"]
        self._send(driver.functions.openRequests(REQUESTS, latest + 300 * DAY))

    def _setup(self, driver: Contract) -> None:
        latest = self.w3.eth.get_block("latest")["timestamp"]
        self._send(driver.functions.fundAndDelegate(1000 * 10**18))
        self._send(driver.functions.openAuctions(AUCTIONS))
        factory = contract_at(self.w3, self.manifest, "FundingRoundFactory")
        timelock = Web3.to_checksum_address(self.manifest.contract("DAOTimelock").address)
        self._rpc("anvil_impersonateAccount", timelock)
        self._rpc("anvil_setBalance", timelock, hex(10**20))
        self._send(factory.functions.grantRole(factory.functions.ORACLE_ROLE().call(), driver.address), timelock)
        deadline = latest + 2 * DAY
        for index in range(ROUNDS):
            goal = 10**30 if index % 10 == 9 else 10**9  # one in ten fails
            milestones = [(5_000, deadline + 30 * DAY * (m + 1), 0, CID) for m in range(MILESTONES)]
            params: tuple[object, ...] = (driver.address, CID, goal, deadline, [], milestones)
            salt = keccak(text=f"bench round {index}")
            self.shape.rounds.append(factory.functions.predictRoundAddress(salt).call().lower())
            self._send(factory.functions.createRound(salt, params), timelock)
        self._rpc("anvil_stopImpersonatingAccount", timelock)
        checksummed = [Web3.to_checksum_address(r) for r in self.shape.rounds]
        for first in range(0, ROUNDS, 100):
            self._send(driver.functions.addRounds(checksummed[first : first + 100]))

    def _dense(self, driver: Contract, events: int) -> None:
        """Bursts until about `events` more platform events (a burst call makes ~1.15 events)."""
        goal = self._platform_events() + events
        seed, sizes = self.shape.dense_blocks * 7919, 0
        while self._platform_events() < goal:
            calls = min(BURST_SIZES[sizes % len(BURST_SIZES)], max(50, int((goal - self._platform_events()) / 1.15)))
            self._send(driver.functions.burst(calls, seed))
            seed += calls
            sizes += 1
            self.shape.dense_blocks += 1
            if sizes % 40 == 0:
                print(f"  {self._platform_events():,} events", flush=True)

    def _platform_events(self) -> int:
        return self.sent_events

    def _governance(self, driver: Contract) -> None:
        self._rpc("anvil_mine", "0x1")
        self._send(driver.functions.propose([f"Bench proposal {i}" for i in range(PROPOSALS)]))
        self._rpc("anvil_mine", "0x2")  # past the voting delay
        for _ in range(VOTERS // VOTERS_PER_TX):
            self._send(driver.functions.vote(VOTERS_PER_TX))

    def _sparse(self, blocks: int, spacing: int | None) -> None:
        """`blocks` blocks of one event (donations from an account, token transfers), each followed
        by `spacing` empty blocks (None: stretches of 0 to 2 * EMPTY_STRETCH after every third)."""
        desk = contract_at(self.w3, self.manifest, "HelpDesk")
        token = contract_at(self.w3, self.manifest, "GovernanceToken")
        donor, holder, receiver = self.accounts[1], self.accounts[2], self.accounts[3]
        if spacing is None:
            self._send(desk.functions.donate(0), holder, value=10**18)  # a general fund gift: tokens to move
        # Sent raw, without waiting on receipts (anvil mines each on arrival): 10x quicker than web3.
        with httpx.Client(timeout=60) as http:
            for index in range(blocks):
                if index % 3 == 2:
                    tx = {
                        "from": holder,
                        "to": token.address,
                        "gas": hex(200_000),
                        "data": token.encode_abi("transfer", [receiver, 1 + index]),
                    }
                else:
                    tx = {
                        "from": donor,
                        "to": desk.address,
                        "gas": hex(200_000),
                        "value": hex(10**9 + index),
                        "data": desk.encode_abi("donate", [1 + index % REQUESTS]),
                    }
                # One request at a time: anvil may run a batch's calls concurrently, and a block
                # mined while the transaction is still pending loses it.
                sent = http.post(self.url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_sendTransaction",
                                                 "params": [tx]}).json()  # fmt: skip
                if "error" in sent:
                    raise RuntimeError(f"sparse block {index}: {sent['error']}")
                stretch = spacing if spacing is not None else (index * 37) % (2 * EMPTY_STRETCH) * (index % 3 == 0)
                if stretch:
                    self._rpc("anvil_mine", hex(stretch))
                    self.shape.empty_blocks += stretch
                self.shape.sparse_blocks += 1
        # Mined by automine, but not always by the time the answer to the send arrives.
        receipt = self.w3.eth.wait_for_transaction_receipt(sent["result"], timeout=60)
        if receipt["status"] != 1:
            raise RuntimeError("a sparse transaction reverted")

    def _round_lifecycle(self, driver: Contract) -> None:
        self._rpc("evm_increaseTime", 3 * DAY)
        self._rpc("anvil_mine", "0x1")
        for first in range(0, ROUNDS, 50):
            self._send(driver.functions.runRounds(first, min(ROUNDS, first + 50), MILESTONES, CID))


def _topic_names(manifest: DeploymentManifest) -> dict[str, str]:
    names = {}
    for deployed in manifest.contracts.values():
        for entry in deployed.abi:
            if entry.get("type") == "event":
                signature = f"{entry['name']}({','.join(_canonical(i) for i in entry['inputs'])})"
                names["0x" + keccak(text=signature).hex()] = entry["name"]
    return names


def _canonical(item: dict[str, Any]) -> str:
    kind: str = item["type"]
    if kind.startswith("tuple"):
        return f"({','.join(_canonical(c) for c in item['components'])}){kind.removeprefix('tuple')}"
    return kind


def checksum(address: str) -> ChecksumAddress:
    return Web3.to_checksum_address(address)


if __name__ == "__main__":
    target = int(os.environ.get("BENCH_EVENTS", "1000000"))
    build_chain(target)
