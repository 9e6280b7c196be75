"""DAOCore's proposal rules as off-chain code needs them: proposal types, the `#type=` suffix
that binds a type into a proposal's id, and the call policy a deployment starts with.

A proposal's type is read from its description (CallPolicy.proposalTypeOf): a `#type=<NAME>`
suffix, placed before OpenZeppelin's optional `#proposer=0x…` suffix; no suffix means
HELP_REQUEST. The description is hashed into the proposal id, so nobody can front-run a proposal
with the same calls under another type.
"""

from dataclasses import dataclass
from enum import IntEnum

from eth_utils import function_signature_to_4byte_selector, keccak, to_checksum_address

# OpenZeppelin's `#proposer=0x` + 40 hex digits; CallPolicy looks for its `#proposer=` marker only.
_PROPOSER_SUFFIX_LENGTH = len("#proposer=0x") + 40
_PROPOSER_MARKER = "#proposer="


class ProposalType(IntEnum):
    """IDAOCore.ProposalType, by value."""

    HELP_REQUEST = 0
    FOUNDER_IDEA = 1
    TREASURY_SPEND = 2
    ADMIN = 3


# CallPolicy.ANY_ROUND: the allowlist target standing for every round of the policy's factory.
ANY_ROUND = to_checksum_address(keccak(text="ImpactChain.CallPolicy.ANY_ROUND")[:20])


def typed_description(description: str, proposal_type: ProposalType) -> str:
    """`description` with the `#type=` suffix of `proposal_type` (before a `#proposer=` suffix)."""
    body, proposer = _split_proposer(description)
    return f"{body}#type={proposal_type.name}{proposer}"


def proposal_type_of(description: str) -> ProposalType:
    """The type DAOCore reads from `description` (HELP_REQUEST without a `#type=` suffix)."""
    body, _ = _split_proposer(description)
    for proposal_type in ProposalType:
        if body.endswith(f"#type={proposal_type.name}"):
            return proposal_type
    return ProposalType.HELP_REQUEST


def _split_proposer(description: str) -> tuple[str, str]:
    # Byte positions, as the contract counts them (a description may hold multi-byte characters).
    text = description.encode()
    if len(text) >= _PROPOSER_SUFFIX_LENGTH and text[-_PROPOSER_SUFFIX_LENGTH:].startswith(_PROPOSER_MARKER.encode()):
        cut = len(text) - _PROPOSER_SUFFIX_LENGTH
        return text[:cut].decode(errors="surrogateescape"), text[cut:].decode(errors="surrogateescape")
    return description, ""


@dataclass(frozen=True)
class CallPermission:
    """One CallPolicy allowlist entry (the constructor's `CallPermission` tuple)."""

    proposal_type: ProposalType
    target: str
    signature: str
    fast_track: bool = False

    @property
    def selector(self) -> bytes:
        return function_signature_to_4byte_selector(self.signature)

    def as_tuple(self) -> tuple[int, str, bytes, bool]:
        return int(self.proposal_type), self.target, self.selector, self.fast_track


def initial_call_policy(help_desk: str, round_factory: str) -> list[CallPermission]:
    """What HELP_REQUEST and FOUNDER_IDEA proposals may call on a new deployment: HelpDesk's
    approvals (the emergency ones fast-trackable by the guardians), the factory's `createRound`
    and the DAO's decisions on any of its rounds. Everything else (settings, roles, upgrades,
    treasury assets, this policy) needs a TREASURY_SPEND or ADMIN proposal and the guardians."""
    help_request, founder_idea = ProposalType.HELP_REQUEST, ProposalType.FOUNDER_IDEA
    round_params = "(address,string,uint256,uint64,address[],(uint16,uint64,uint32,string)[])"
    return [
        CallPermission(help_request, help_desk, "approveWithdrawal(uint256,address,uint256)", fast_track=True),
        CallPermission(help_request, help_desk, "flagEmergency(uint256)", fast_track=True),
        CallPermission(help_request, help_desk, "rejectRequest(uint256)"),
        CallPermission(founder_idea, round_factory, f"createRound(bytes32,{round_params})"),
        CallPermission(founder_idea, ANY_ROUND, "approveMilestone(uint256,bytes32)"),
        CallPermission(founder_idea, ANY_ROUND, "rejectMilestone(uint256,string)"),
        CallPermission(founder_idea, ANY_ROUND, "cancel()"),
    ]
