"""Driving a FundingRound into the states its tests start from."""

from typing import Any

from tests.contracts.funding.round_params import EVIDENCE_CID, EVIDENCE_HASH, ONE
from tests.contracts.tokens import USDC

FUNDING, SUCCEEDED, FAILED, SETTLED, CANCELLED = range(5)
PENDING, SUBMITTED, APPROVED, REJECTED = range(4)
NATIVE_RAISED = 6 * ONE
USDC_RAISED = 2 * USDC  # 4 MATIC-equivalent: with NATIVE_RAISED exactly the 10 MATIC goal


def fund_to_goal(round_: Any, usdc: Any, donor: Any, other_donor: Any) -> None:
    """Donor gives 4 + 2 MATIC, other_donor 2 USDC: exactly the default goal."""
    round_.donate(sender=donor, value=4 * ONE)
    round_.donate(sender=other_donor, value=2 * ONE)
    round_.donateToken(usdc, USDC_RAISED, sender=other_donor)


def pass_deadline(chain: Any, round_: Any) -> None:
    chain.pending_timestamp = round_.deadline() + 1
    chain.mine()


def succeed(chain: Any, round_: Any, usdc: Any, donor: Any, other_donor: Any) -> None:
    fund_to_goal(round_, usdc, donor, other_donor)
    pass_deadline(chain, round_)
    round_.finalize(sender=donor)


def submit(round_: Any, founder: Any, milestone_id: int) -> Any:
    return round_.submitEvidence(milestone_id, EVIDENCE_CID, sender=founder)


def approve(round_: Any, founder: Any, decider: Any, milestone_id: int) -> Any:
    submit(round_, founder, milestone_id)
    return round_.approveMilestone(milestone_id, EVIDENCE_HASH, sender=decider)
