"""A proposal's type is part of its id: read from a `#type=` description suffix (before
OpenZeppelin's optional `#proposer=` suffix), so nobody can re-propose the same calls under
another type ahead of the proposer."""

from typing import Any

import pytest
from eth_utils import keccak

from tests.contracts.governance.lifecycle import (
    ADMIN,
    FOUNDER_IDEA,
    HELP_REQUEST,
    PENDING,
    TREASURY_SPEND,
    propose,
    type_of,
    typed,
)
from tests.contracts.reverts import reverts_with

PROPOSER = "#proposer=0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
DESCRIPTIONS = [
    ("", HELP_REQUEST),
    ("Flood relief", HELP_REQUEST),
    ("Flood relief#type=HELP_REQUEST", HELP_REQUEST),
    ("Solar pumps#type=FOUNDER_IDEA", FOUNDER_IDEA),
    ("Pay the auditor#type=TREASURY_SPEND", TREASURY_SPEND),
    ("Raise the quorum#type=ADMIN", ADMIN),
    ("#type=ADMIN", ADMIN),
    ("Raise the quorum#type=ADMIN" + PROPOSER, ADMIN),
    ("Solar pumps#type=FOUNDER_IDEA" + PROPOSER, FOUNDER_IDEA),
    ("Flood relief" + PROPOSER, HELP_REQUEST),
    ("Raise the quorum#type=admin", HELP_REQUEST),  # names are exact and upper case
    ("Raise the quorum#type=ADMIN ", HELP_REQUEST),  # the suffix must end the description
    ("Raise the quorum#type=ADMINISTRATOR", HELP_REQUEST),
    ("#type=ADMIN in the middle, then text", HELP_REQUEST),
    ("Raise the quorum" + PROPOSER + "#type=ADMIN", ADMIN),  # type after the proposer: still last
    ("Raise the quorum#type=ADMIN#proposer=0x1234", HELP_REQUEST),  # not a 52-character suffix
]


@pytest.fixture(scope="module")
def policy(project: Any, dao: Any) -> Any:
    return project.CallPolicy.at(dao.callPolicy())


@pytest.mark.parametrize(("description", "expected"), DESCRIPTIONS)
def test_type_is_read_from_the_description(policy: Any, description: str, expected: int) -> None:
    assert type_of(description) == expected  # the Python mirror
    assert policy.proposalTypeOf(description) == expected


def test_plain_propose_takes_the_type_of_its_description(
    dao: Any, round_factory: Any, council: Any, donor: Any, stranger: Any
) -> None:
    idea = propose(
        dao, donor, [(round_factory, 0, round_factory.greenLight.encode_input(4))], typed("Idea", FOUNDER_IDEA)
    )
    admin = propose(dao, donor, [(council, 0, council.setThreshold.encode_input(1))], "Lower it#type=ADMIN")

    assert dao.proposalType(idea.id) == FOUNDER_IDEA
    assert dao.proposalType(admin.id) == ADMIN
    assert idea.receipt.events.filter(dao.ProposalTyped)[0].proposalType == FOUNDER_IDEA


def test_propose_typed_must_agree_with_the_description(dao: Any, round_factory: Any, donor: Any) -> None:
    call = ([round_factory.address], [0], [bytes(round_factory.greenLight.encode_input(5))])
    for description, declared, described in (
        ("Idea without a suffix", FOUNDER_IDEA, HELP_REQUEST),
        ("Idea#type=ADMIN", FOUNDER_IDEA, ADMIN),
        ("Idea#type=FOUNDER_IDEA", TREASURY_SPEND, FOUNDER_IDEA),
    ):
        with reverts_with(dao.DAOCoreProposalTypeMismatch, declared=declared, described=described):
            dao.proposeTyped(*call, description, declared, sender=donor)

    receipt = dao.proposeTyped(*call, "Idea#type=FOUNDER_IDEA", FOUNDER_IDEA, sender=donor)
    assert receipt.events.filter(dao.ProposalTyped)[0].proposalType == FOUNDER_IDEA


def test_front_running_cannot_change_a_proposals_type(
    dao: Any, council: Any, donor: Any, other_donor: Any, stranger: Any
) -> None:
    """Before: the id hashed only calls and description, so a HELP_REQUEST front-run of the same
    calls took a TREASURY_SPEND's id. Now the type is in the description, hence in the id."""
    calls = ([stranger.address], [10**18], [b""])
    description = "Pay the auditor#type=TREASURY_SPEND"
    spend_id = dao.getProposalId(*calls, keccak(text=description))

    # The same calls under another type are another proposal, with another id.
    other = dao.proposeTyped(*calls, "Pay the auditor#type=ADMIN", ADMIN, sender=other_donor)
    assert other.events.filter(dao.ProposalTyped)[0].proposalId != spend_id
    # Copying the description copies the type: a plain `propose` of it is a TREASURY_SPEND.
    copied = dao.propose(*calls, description, sender=other_donor)
    assert copied.events.filter(dao.ProposalTyped)[0].proposalId == spend_id
    assert dao.proposalType(spend_id) == TREASURY_SPEND
    with reverts_with(
        dao.GovernorUnexpectedProposalState, proposalId=spend_id, current=PENDING, expectedStates=b"\x00" * 32
    ):
        dao.proposeTyped(*calls, description, TREASURY_SPEND, sender=donor)


def test_proposer_suffix_still_restricts_who_may_propose(dao: Any, donor: Any, other_donor: Any, stranger: Any) -> None:
    calls = ([stranger.address], [10**18], [b""])
    description = f"Pay the auditor#type=TREASURY_SPEND#proposer={donor.address}"

    with reverts_with(dao.GovernorRestrictedProposer, proposer=other_donor.address):
        dao.propose(*calls, description, sender=other_donor)
    with reverts_with(dao.GovernorRestrictedProposer, proposer=other_donor.address):
        dao.proposeTyped(*calls, description, TREASURY_SPEND, sender=other_donor)
    receipt = dao.proposeTyped(*calls, description, TREASURY_SPEND, sender=donor)

    proposal_id = receipt.events.filter(dao.ProposalTyped)[0].proposalId
    assert dao.proposalType(proposal_id) == TREASURY_SPEND
    assert dao.proposalProposer(proposal_id) == donor
