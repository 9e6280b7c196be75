"""Driving DAOCore proposals through their lifecycle in tests."""

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from eth_utils import keccak

from tests.contracts.reverts import reverts_with

HELP_REQUEST, FOUNDER_IDEA, TREASURY_SPEND, ADMIN = range(4)
TYPE_NAMES = ("HELP_REQUEST", "FOUNDER_IDEA", "TREASURY_SPEND", "ADMIN")
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


def selector(method: Any) -> bytes:
    """The 4-byte selector of a contract method handler (e.g. `help_desk.flagEmergency`)."""
    return keccak(text=method.abis[0].selector)[:4]


def typed(description: str, proposal_type: int) -> str:
    """`description` with the `#type=` suffix that makes it a `proposal_type` proposal
    (CallPolicy.proposalTypeOf; OpenZeppelin's `#proposer=` suffix would follow it)."""
    return f"{description}#type={TYPE_NAMES[proposal_type]}"


def type_of(description: str) -> int:
    """Mirror of CallPolicy.proposalTypeOf."""
    end = len(description)
    if end >= 52 and description[end - 52 : end - 42] == "#proposer=":
        end -= 52
    for proposal_type, name in enumerate(TYPE_NAMES):
        if description[:end].endswith(f"#type={name}"):
            return proposal_type
    return HELP_REQUEST


def propose(
    dao: Any,
    proposer: Any,
    actions: list[tuple[Any, int, bytes]],
    description: str,
    proposal_type: int | None = None,
) -> Proposal:
    """Create a proposal of (target, value, calldata) actions. With a type, the description gets
    that type's `#type=` suffix and `proposeTyped` is used; without, plain `propose` reads the
    type from the description as given (no suffix: HELP_REQUEST)."""
    targets = [getattr(target, "address", target) for target, _, _ in actions]
    values = [value for _, value, _ in actions]
    calldatas = [bytes(data) for _, _, data in actions]
    if proposal_type is None:
        receipt = dao.propose(targets, values, calldatas, description, sender=proposer)
    else:
        description = typed(description, proposal_type)
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


def co_sign(council: Any, proposal: Proposal, guardians: list[Any]) -> None:
    """The guardians approve a TREASURY_SPEND or ADMIN proposal."""
    for guardian in guardians:
        council.approveTreasurySpend(proposal.id, sender=guardian)


def enact(
    chain: Any,
    dao: Any,
    proposal: Proposal,
    voters: list[Any],
    delay: int,
    council: Any = None,
    guardians: tuple[Any, ...] = (),
) -> Any:
    """Vote `proposal` through, have `guardians` of `council` approve it (TREASURY_SPEND and
    ADMIN need them), queue it, wait `delay` seconds and execute it."""
    pass_proposal(chain, dao, proposal, voters)
    if guardians:
        co_sign(council, proposal, list(guardians))
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


def allow_calls(
    chain: Any,
    project: Any,
    dao: Any,
    council: Any,
    guardians: list[Any],
    voters: list[Any],
    entries: list[tuple[int, Any, bytes, bool]],
    round_factory: Any = None,
    delay: int = 3600,
) -> Any:
    """Put (type, target, selector, fast-track) entries on the DAO's CallPolicy (and, if given,
    name the round factory whose rounds ANY_ROUND covers) through a co-signed ADMIN proposal,
    as governance would for a contract deployed after the DAO."""
    policy = project.CallPolicy.at(dao.callPolicy())
    actions = [
        (policy, 0, policy.setCallPermission.encode_input(kind, target, function, True, fast))
        for kind, target, function, fast in entries
    ]
    if round_factory is not None:
        actions.append((policy, 0, policy.setRoundFactory.encode_input(round_factory)))
    title = f"Allow {len(entries)} calls ({chain.blocks.head.number})"
    proposal = propose(dao, voters[0], actions, title, ADMIN)
    threshold = council.threshold()
    return enact(chain, dao, proposal, voters, delay, council, tuple(guardians[:threshold]))
