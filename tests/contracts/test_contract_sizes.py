"""Deployable contracts stay under the EIP-170 runtime size limit that real chains enforce."""

from typing import Any

import pytest

EIP170_LIMIT = 24_576
DEPLOYABLE = [
    "HelpDesk",
    "GovernanceToken",
    "GovernanceTokenProxy",
    "ReputationBadge",
    "GuardianCouncil",
    "DAOTimelock",
    "DAOCore",
    "CallPolicy",
    "TestTCO2",
    "CarbonPool",
    "ToucanOffsetAdapter",
    "Streams",
    "MatchingPool",
    "AuctionHouse",
    "FundingRoundFactory",
    "FundingRound",
]


@pytest.mark.parametrize("name", DEPLOYABLE)
def test_runtime_bytecode_fits_eip170(project: Any, name: str) -> None:
    bytecode = getattr(project, name).contract_type.runtime_bytecode.bytecode
    size = (len(bytecode) - 2) // 2
    assert 0 < size <= EIP170_LIMIT, f"{name} runtime is {size} bytes"
