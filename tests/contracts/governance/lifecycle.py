"""Driving DAOCore proposals through their lifecycle in tests."""

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from eth_utils import keccak

from tests.contracts.reverts import reverts_with

HELP_REQUEST, FOUNDER_IDEA, TREASURY_SPEND = range(3)
AGAINST, FOR, ABSTAIN = range(3)
# Governor.ProposalState
PENDING, ACTIVE, CANCELED, DEFEATED, SUCCEEDED, QUEUED, EXPIRED, EXECUTED = range(8)


@dataclass(frozen=True)
class Proposal:
    id: int
    targets: list[str]
    values: list[int]
    calldatas: list[bytes]
    description: str
    receipt: Any

    @property
    def description_hash(self) -> bytes:
        return keccak(text=self.description)

    @property
    def operation(self) -> tuple[list[str], list[int], list[bytes], bytes]:
        return self.targets, self.values, self.calldatas, self.description_hash


def propose(
    dao: Any,
    proposer: Any,
    actions: list[tuple[Any, int, bytes]],
    description: str,
    proposal_type: int | None = None,
) -> Proposal:
    """Create a proposal of (target, value, calldata) actions; plain `propose` if no type."""
    targets = [getattr(target, "address", target) for target, _, _ in actions]
    values = [value for _, value, _ in actions]
    calldatas = [bytes(data) for _, _, data in actions]
    if proposal_type is None:
        receipt = dao.propose(targets, values, calldatas, description, sender=proposer)
    else:
        receipt = dao.proposeTyped(targets, values, calldatas, description, proposal_type, sender=proposer)
    proposal_id = dao.getProposalId(targets, values, calldatas, keccak(text=description))
    return Proposal(proposal_id, targets, values, calldatas, description, receipt)


def mine_until(chain: Any, block_number: int) -> None:
    """Mine so that the *next* transaction is included after `block_number`."""
    gap = block_number - chain.blocks.head.number
    if gap >= 0:
        chain.mine(gap + 1)


def start_voting(chain: Any, dao: Any, proposal: Proposal) -> None:
    mine_until(chain, dao.proposalSnapshot(proposal.id))


def end_voting(chain: Any, dao: Any, proposal: Proposal) -> None:
    mine_until(chain, dao.proposalDeadline(proposal.id))


def pass_proposal(chain: Any, dao: Any, proposal: Proposal, voters: list[Any]) -> None:
    start_voting(chain, dao, proposal)
    for voter in voters:
        dao.castVote(proposal.id, FOR, sender=voter)
    end_voting(chain, dao, proposal)


def wait_seconds(chain: Any, seconds: int) -> None:
    chain.pending_timestamp += seconds
    chain.mine()


def queue(dao: Any, proposal: Proposal, sender: Any) -> Any:
    return dao.queue(*proposal.operation, sender=sender)


def execute(dao: Any, proposal: Proposal, sender: Any) -> Any:
    return dao.execute(*proposal.operation, sender=sender)


def enact(chain: Any, dao: Any, proposal: Proposal, voters: list[Any], delay: int) -> Any:
    """Vote `proposal` through, queue it, wait `delay` seconds and execute it."""
    pass_proposal(chain, dao, proposal, voters)
    queue(dao, proposal, voters[0])
    wait_seconds(chain, delay)
    return execute(dao, proposal, voters[0])


def vote_refused(dao: Any, proposal_id: int, state: int) -> AbstractContextManager[Any]:
    """Expect a vote on `proposal_id` to revert because the proposal is in `state`, not Active."""
    return reverts_with(
        dao.GovernorUnexpectedProposalState,
        proposalId=proposal_id,
        current=state,
        expectedStates=(1 << ACTIVE).to_bytes(32, "big"),
    )
