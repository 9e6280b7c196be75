"""Building the RoundParams and MilestoneParams tuples FundingRoundFactory.createRound takes."""

from dataclasses import dataclass, field
from typing import Any

from eth_utils import keccak

NATIVE = "0x0000000000000000000000000000000000000000"
ONE = 10**18
DAY = 24 * 3600
BPS = 10_000
DECISION_WINDOW = 30 * DAY
CARBON_BPS = 500
# GovernanceToken rate for USDC: token wei per base unit, scaled by 1e18 — 1 USDC counts as 2 MATIC.
USDC_RATE = 2 * 10**30
METADATA_CID = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
REQUIREMENTS_CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
EVIDENCE_CID = "bafkreidon73zkcrwdb5iafqtijxildoonbwnpv7dyd6ef3qdgads2jc4su"
EVIDENCE_HASH = keccak(text=EVIDENCE_CID)  # what a decider passes to approveMilestone after reviewing it
ROUND_DAYS = 14
# Native donations count wei for wei; USDC at USDC_RATE.
USDC_EQUIVALENT = USDC_RATE // 10**18  # MATIC wei per USDC base unit


@dataclass(frozen=True)
class MilestoneSpec:
    share_bps: int
    days_after_round: int
    stream_duration: int = 0
    requirements_cid: str = REQUIREMENTS_CID


@dataclass(frozen=True)
class RoundSpec:
    founder: str
    goal: int = 10 * ONE
    tokens: tuple[str, ...] = ()
    milestones: tuple[MilestoneSpec, ...] = field(
        default_factory=lambda: (MilestoneSpec(3_000, 30), MilestoneSpec(3_000, 60), MilestoneSpec(4_000, 90))
    )
    metadata_cid: str = METADATA_CID


def round_params(spec: RoundSpec, now: int) -> tuple[Any, ...]:
    """The RoundParams tuple for `spec`, its deadline ROUND_DAYS after `now`."""
    deadline = now + ROUND_DAYS * DAY
    milestones = [
        (m.share_bps, deadline + m.days_after_round * DAY, m.stream_duration, m.requirements_cid)
        for m in spec.milestones
    ]
    return (spec.founder, spec.metadata_cid, spec.goal, deadline, list(spec.tokens), milestones)


def salt(n: int) -> bytes:
    return n.to_bytes(32, "big")
