"""Decoding funding rounds' raw logs: exact fields, hostile strings made storable, bad shapes refused."""

from typing import Any

import pytest
from eth_abi import encode

from impactchain.events import LogDecodeError
from impactchain.funding import ROUND_CREATED_TOPIC, ROUND_DONATED_TOPIC, decode_round_created, decode_round_donated
from impactchain.helpdesk import DONATED_TOPIC
from tests.unit.impactchain.logs import DONOR, FACTORY, FOUNDER, IMPLEMENTATION, ROUND, SALT, USDC, raw_log, topic


def created_log(cid: bytes, goal: int = 10**19) -> dict[str, Any]:
    data = encode(
        ["bytes", "uint256", "uint64", "uint256", "uint256", "address"],
        [cid, goal, 1_800_000_000, 3, 7, IMPLEMENTATION],
    )
    return raw_log(FACTORY, [ROUND_CREATED_TOPIC, topic(ROUND), topic(FOUNDER), SALT], data)


def test_round_created_decodes_every_field() -> None:
    event = decode_round_created(created_log(b"bafkreiexample", goal=2**255 + 1))

    assert (event.factory, event.address, event.founder, event.salt) == (
        FACTORY.lower(),
        ROUND.lower(),
        FOUNDER.lower(),
        SALT.lower(),
    )
    assert (event.metadata_cid, event.goal, event.deadline, event.milestones, event.round_index) == (
        "bafkreiexample",
        2**255 + 1,
        1_800_000_000,
        3,
        7,
    )
    assert event.implementation == IMPLEMENTATION.lower()
    assert (event.block_number, event.block_hash, event.ref.tx_hash, event.ref.log_index) == (
        16,
        "0x" + "aa" * 32,
        "0x" + "bb" * 32,
        3,
    )


@pytest.mark.parametrize(
    ("cid", "stored"),
    [
        (b"bafy\x00kei", "bafy\ufffdkei"),  # PostgreSQL TEXT refuses NUL
        (b"\xffbafy", "\ufffdbafy"),  # not UTF-8
    ],
)
def test_round_created_makes_hostile_cids_storable(cid: bytes, stored: str) -> None:
    assert decode_round_created(created_log(cid)).metadata_cid == stored


def test_round_donated_decodes_every_field() -> None:
    data = encode(["uint256", "uint256", "uint256"], [5 * 10**6, 10**19, 2**200])
    event = decode_round_donated(raw_log(ROUND, [ROUND_DONATED_TOPIC, topic(DONOR), topic(USDC)], data))

    assert (event.round, event.donor, event.currency) == (ROUND.lower(), DONOR.lower(), USDC.lower())
    assert (event.amount, event.matic_equivalent, event.donor_total) == (5 * 10**6, 10**19, 2**200)
    assert event.block_number == 16


@pytest.mark.parametrize(
    "log",
    [
        raw_log(ROUND, [DONATED_TOPIC, topic(DONOR), topic(USDC)], bytes(96)),  # HelpDesk's Donated
        raw_log(ROUND, [ROUND_DONATED_TOPIC, topic(DONOR)], bytes(96)),  # a topic short
        raw_log(ROUND, [ROUND_DONATED_TOPIC, topic(DONOR), topic(USDC)], bytes(64)),  # a word short
    ],
)
def test_round_donated_refuses_other_shapes(log: dict[str, Any]) -> None:
    with pytest.raises(LogDecodeError):
        decode_round_donated(log)


def test_round_created_refuses_data_that_does_not_decode() -> None:
    log = created_log(b"bafkreiexample")
    log["data"] = log["data"][:-64]
    with pytest.raises(LogDecodeError, match="does not decode"):
        decode_round_created(log)
