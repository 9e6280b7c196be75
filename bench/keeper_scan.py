"""One keeper pass over many auctions and rounds on anvil: batched reads next to one call at a time.

    python -m bench.keeper_scan [--auctions 200] [--rounds 100] [--repeats 5] [--latency-ms 0]

Deploys an AuctionHouse and a FundingRoundFactory (the deployer standing in for the DAO), opens
`--auctions` auctions and `--rounds` rounds (each accepting one ERC-20), then times
`impactchain.keeper.due_duties`, the keeper's discovery, in turns: through a provider that sends
JSON-RPC batches and through one that cannot batch (so every read is its own request). Prints the
median of `--repeats` passes of each, the requests each pass sends and their ratio, and checks that
both passes find the same duties. A third row is a looping keeper's later passes: one
`DutyScanner` kept across passes (batched), which no longer reads what never changes (a round's
address, deadline and currencies). `--latency-ms` adds that much delay to every HTTP request, as
a remote Polygon node would.
"""

import argparse
import statistics
import time
from typing import Any

from web3 import Web3
from web3.providers.rpc import HTTPProvider

from impactchain.devstack.anvil import Anvil
from impactchain.devstack.deploy import compiled_contract_type
from impactchain.devstack.ports import free_port
from impactchain.keeper import DutyScanner, due_duties
from impactchain.registry import DeployedContract, DeploymentManifest

ZERO = "0x" + "00" * 20
DAY = 24 * 3600
CID = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
ERC721, NFT_TYPE = 0, 2


class CountingProvider(HTTPProvider):
    """An HTTP provider that counts the requests it sends, waiting `latency` seconds before each."""

    def __init__(self, url: str, latency: float) -> None:
        super().__init__(url)
        self.latency = latency
        self.requests = 0

    def make_request(self, method: Any, params: Any) -> Any:
        self._wait()
        return super().make_request(method, params)

    def make_batch_request(self, requests: Any) -> Any:
        self._wait()
        return super().make_batch_request(requests)

    def _wait(self) -> None:
        self.requests += 1
        if self.latency:
            time.sleep(self.latency)


class UnbatchedProvider(CountingProvider):
    """The same node through a provider that cannot batch: one request per read."""

    def make_batch_request(self, requests: Any) -> Any:
        raise NotImplementedError("this provider sends one request at a time")


def deploy(w3: Web3, name: str, *args: Any) -> Any:
    contract_type = compiled_contract_type(name)
    factory = w3.eth.contract(abi=contract_type["abi"], bytecode=contract_type["deploymentBytecode"]["bytecode"])
    receipt = send(w3, factory.constructor(*args))
    return w3.eth.contract(address=receipt["contractAddress"], abi=contract_type["abi"])


def send(w3: Web3, call: Any) -> Any:
    receipt = w3.eth.wait_for_transaction_receipt(call.transact({"from": w3.eth.accounts[0], "gas": 10_000_000}))
    if receipt["status"] != 1:
        raise RuntimeError(f"{call.fn_name} reverted")
    return receipt


def entry(contract: Any, name: str) -> DeployedContract:
    return DeployedContract(address=contract.address, block=0, abi=contract.abi, contract_type=name)


def populate(w3: Web3, auctions: int, rounds: int) -> DeploymentManifest:
    owner = w3.eth.accounts[0]
    house = deploy(w3, "AuctionHouse", owner)
    nft = deploy(w3, "TestAuctionNFT")
    send(w3, nft.functions.setApprovalForAll(house.address, True))
    for token_id in range(1, auctions + 1):
        send(w3, nft.functions.mint(owner, token_id))
        terms = (nft.address, ERC721, token_id, 1, NFT_TYPE, CID, ZERO, 10**17, 500, DAY, 0, 0)
        send(w3, house.functions.createAuction(terms))

    usdc = deploy(w3, "TestMintableToken", "USD Coin", "USDC", 6)
    factory = deploy(w3, "FundingRoundFactory", owner, (owner, ZERO, ZERO, ZERO, ZERO, 0))
    deadline = w3.eth.get_block("latest")["timestamp"] + 14 * DAY
    milestones = [(5_000, deadline + 30 * DAY, 0, CID), (5_000, deadline + 60 * DAY, 0, CID)]
    for salt in range(rounds):
        params = (owner, CID, 10**19, deadline, [usdc.address], milestones)
        send(w3, factory.functions.createRound(salt.to_bytes(32, "big"), params))
    round_abi = compiled_contract_type("FundingRound")["abi"]
    implementation = w3.eth.contract(address=factory.functions.implementation().call(), abi=round_abi)
    contracts = {
        "AuctionHouse": entry(house, "AuctionHouse"),
        "FundingRoundFactory": entry(factory, "FundingRoundFactory"),
        "FundingRound": entry(implementation, "FundingRound"),
    }
    return DeploymentManifest(chain_id=w3.eth.chain_id, contracts=contracts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--auctions", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args()
    if args.auctions < 0 or args.rounds < 0 or args.repeats < 1 or args.latency_ms < 0:
        parser.error("--auctions and --rounds must not be negative, --repeats must be at least 1")
    anvil = Anvil(free_port()).start()
    try:
        started = time.perf_counter()
        manifest = populate(Web3(Web3.HTTPProvider(anvil.url)), args.auctions, args.rounds)
        print(f"opened {args.auctions} auctions and {args.rounds} rounds in {time.perf_counter() - started:.1f}s")
        latency = args.latency_ms / 1000
        providers = {
            "batched": CountingProvider(anvil.url, latency),
            "unbatched": UnbatchedProvider(anvil.url, latency),
            "looping": CountingProvider(anvil.url, latency),
        }
        clients = {name: Web3(provider) for name, provider in providers.items()}
        now = clients["batched"].eth.get_block("latest")["timestamp"] + 2 * DAY  # every auction has ended
        seconds: dict[str, list[float]] = {name: [] for name in clients}
        found: dict[str, Any] = {}
        scanner = DutyScanner(clients["looping"], manifest)
        scanner.due(now)  # the looping keeper's first pass, not timed: it reads like "batched"
        for _ in range(args.repeats):
            for name, w3 in clients.items():  # in turns, so all see the same machine
                providers[name].requests = 0
                started = time.perf_counter()
                found[name] = scanner.due(now) if name == "looping" else due_duties(w3, manifest, now)
                seconds[name].append(time.perf_counter() - started)
        if not found["batched"] == found["unbatched"] == found["looping"]:
            raise SystemExit("the passes found different duties")
    finally:
        anvil.stop()

    print(f"\none keeper pass: {args.auctions} auctions, {args.rounds} rounds, {args.latency_ms:g} ms per request")
    print(f"| {'reads':<10} | {'median s':>9} | {'requests':>8} |")
    print(f"|{'-' * 12}|{'-' * 11}|{'-' * 10}|")
    for name in clients:
        print(f"| {name:<10} | {statistics.median(seconds[name]):>9.3f} | {providers[name].requests:>8,} |")
    ratio = statistics.median(seconds["unbatched"]) / statistics.median(seconds["batched"])
    looping = statistics.median(seconds["batched"]) / statistics.median(seconds["looping"])
    print(f"\nbatched is {ratio:.1f}x faster than unbatched, a looping keeper's later pass {looping:.1f}x faster")
    print(f"than batched; all found the same {len(found['batched'])} duties")


if __name__ == "__main__":
    main()
