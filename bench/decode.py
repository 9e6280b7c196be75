"""The indexer's log decoding in process: the Python readers it had against the compiled decoder.

    python -m bench.decode [--logs 200000] [--repeats 7] [--default-gc]

Builds `--logs` logs from the compiled platform ABIs in the mix a backfill sees (as bench/partitions
does: a quarter HelpDesk donations, a quarter donations to one of 100 funding rounds, a fifth token
transfers, 10% vote-weight moves, 5% votes with a reason, 10% auction bids, 5% other round events),
from 20,000 donors, parsed by msgspec into RawLogs as the indexer's client does. Then, with the
collector set as the indexer sets it (startup heap frozen, collections every 100,000 objects),
decodes them all as `PlatformStream._decode` does (the contract's decoder by address, the rounds'
otherwise), `--repeats` times with each decoder in turn, and prints the median and best µs per
log, over the mix and per event.
"""

import argparse
import gc
import random
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

import msgspec

from impactchain.events import EventDecoder, EventLog, RawLog, decode_known
from impactchain.process import collect_rarely, freeze_startup_heap
from tests.support.event_logs import compiled_abis, encode_log, events_of
from tests.support.python_decoder import Read, python_decode_known, python_readers

DONORS = 20_000
ROUNDS = 100
# (contract, event, share of the logs)
MIX = [
    ("HelpDesk", "Donated", 25),
    ("FundingRound", "Donated", 25),
    ("GovernanceToken", "Transfer", 20),
    ("GovernanceToken", "DelegateVotesChanged", 10),
    ("DAOCore", "VoteCast", 5),
    ("AuctionHouse", "BidPlaced", 10),
    ("FundingRound", "MilestoneApproved", 2),
    ("FundingRound", "EvidenceSubmitted", 2),
    ("FundingRound", "RoundFinalized", 1),
]
REASONS = ["", "for", "against: the milestone evidence is thin", "café, école — à l'unanimité", "x" * 200]


def argument(item: dict[str, Any], rng: random.Random, donors: list[str]) -> Any:
    kind = item["type"]
    if kind == "address":
        return rng.choice(donors)
    if kind == "uint256":  # token amounts in wei, ids; now and then an unlimited allowance (past 128 bits)
        return rng.choices([rng.randrange(10**15, 10**22), rng.randrange(10**6), 2**256 - 1], [80, 19, 1])[0]
    if kind.startswith("uint"):
        return rng.randrange(2 ** min(int(kind[4:]), 32))
    if kind == "string":
        return rng.choice(REASONS).encode()
    raise ValueError(f"no values for {kind} in this bench")


def platform_logs(count: int, seed: int = 7) -> tuple[list[RawLog], dict[str, str]]:
    """`count` logs in the MIX, and the contract that emitted each address (rounds are not named)."""
    rng = random.Random(seed)
    abis = compiled_abis()
    donors = ["0x" + rng.randbytes(20).hex() for _ in range(DONORS)]
    addresses = {name: "0x" + rng.randbytes(20).hex() for name in {contract for contract, _, _ in MIX}}
    rounds = ["0x" + rng.randbytes(20).hex() for _ in range(ROUNDS)]
    events = {
        (contract, name): next(e for e in events_of(abis[contract]) if e["name"] == name) for contract, name, _ in MIX
    }
    chosen = rng.choices([(c, n) for c, n, _ in MIX], weights=[share for _, _, share in MIX], k=count)
    logs = []
    for number, (contract, name) in enumerate(chosen):
        event = events[(contract, name)]
        address = rng.choice(rounds) if contract == "FundingRound" else addresses[contract]
        values = [argument(item, rng, donors) for item in event["inputs"]]
        logs.append(encode_log(event, values, address, block=10_000 + number // 4, index=number % 4))
    raws = msgspec.json.decode(msgspec.json.encode(logs), type=list[RawLog])
    return raws, {address: contract for contract, address in addresses.items()}


def decode_all(
    logs: Sequence[RawLog], decoders: dict[str, Any], round_decoder: Any, decode: Callable[[Any, RawLog], Any]
) -> list[EventLog]:
    """PlatformStream._decode's loop."""
    events = []
    for raw in logs:
        event = decode(decoders.get(raw.address.lower(), round_decoder), raw)
        if event is not None:
            events.append(event)
    return events


def per_log(logs: Sequence[RawLog], run: Callable[[Sequence[RawLog]], object], repeats: int) -> list[float]:
    """µs per log of `repeats` runs over `logs` (the events of one run are kept until it ends, as a
    stream's step keeps them), each after a collection of the last run's."""
    figures = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        run(logs)
        figures.append((time.perf_counter() - start) / len(logs) * 1e6)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--logs", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--default-gc", action="store_true", help="leave the collector at Python's defaults")
    args = parser.parse_args()

    abis = compiled_abis()
    logs, contracts = platform_logs(args.logs)
    compiled = {address: EventDecoder(abis[contract]) for address, contract in contracts.items()}
    compiled_round = EventDecoder(abis["FundingRound"])
    python = {address: python_readers(decoder) for address, decoder in compiled.items()}
    python_round: dict[str, tuple[str, Read]] = python_readers(compiled_round)

    def old(batch: Sequence[RawLog]) -> list[EventLog]:
        return decode_all(batch, python, python_round, python_decode_known)

    def new(batch: Sequence[RawLog]) -> list[EventLog]:
        return decode_all(batch, compiled, compiled_round, decode_known)

    assert [repr(e) for e in old(logs[:2000])] == [repr(e) for e in new(logs[:2000])]
    if not args.default_gc:  # the collector as the indexer runs it (indexer/main.py)
        freeze_startup_heap()
        collect_rarely()
    print(f"{len(logs):,} logs, {args.repeats} runs each, µs per log (median / best)")
    print(f"{'logs':38} {'python':>14} {'compiled':>14} {'saved':>6}")
    groups: list[tuple[str, Sequence[RawLog]]] = [("the mix", logs)]
    for contract, name, _ in MIX:
        subset = [raw for raw in logs if _named(raw, contract, name, compiled, compiled_round)]
        groups.append((f"{contract}.{name}", subset))
    for label, batch in groups:
        before, after = [], []
        for _ in range(args.repeats):  # in turns, so a busy moment falls on both
            before += per_log(batch, old, 1)
            after += per_log(batch, new, 1)
        old_median, new_median = statistics.median(before), statistics.median(after)
        print(
            f"{label:38} {old_median:6.2f} / {min(before):5.2f} {new_median:6.2f} / {min(after):5.2f}"
            f" {1 - new_median / old_median:6.0%}"
        )


def _named(raw: RawLog, contract: str, name: str, decoders: dict[str, EventDecoder], rounds: EventDecoder) -> bool:
    decoder = decoders.get(raw.address.lower(), rounds)
    reader = decoder.reader(raw.topics[0])
    is_round = decoder is rounds
    return reader is not None and reader[0] == name and (is_round == (contract == "FundingRound"))


if __name__ == "__main__":
    main()
