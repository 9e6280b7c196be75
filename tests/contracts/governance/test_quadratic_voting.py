"""DAOCore quadratic voting: weight = floor(sqrt(tokens committed)), for holders of a DONOR or
VERIFIER badge at the proposal's snapshot."""

from math import isqrt
from typing import Any

import pytest
from eth_abi import encode

from tests.contracts.conftest import TOKEN
from tests.contracts.governance.lifecycle import (
    ABSTAIN,
    AGAINST,
    DEFEATED,
    FOR,
    FOUNDER_IDEA,
    HELP_REQUEST,
    SUCCEEDED,
    Proposal,
    end_voting,
    propose,
    start_voting,
)
from tests.contracts.reverts import reverts_with


@pytest.fixture
def allowed(help_requests: Any, round_factory: Any) -> dict[int, tuple[Any, int, bytes]]:
    """An action each restricted type may propose."""
    return {
        FOUNDER_IDEA: (round_factory, 0, round_factory.greenLight.encode_input(1)),
        HELP_REQUEST: (help_requests, 0, help_requests.approveWithdrawal.encode_input(1, 1)),
    }


def _idea(
    chain: Any,
    dao: Any,
    allowed: dict[int, Any],
    proposer: Any,
    title: str = "Idea",
    proposal_type: int = FOUNDER_IDEA,
) -> Proposal:
    proposal = propose(dao, proposer, [allowed[proposal_type]], title, proposal_type)
    start_voting(chain, dao, proposal)
    return proposal


def _commit(tokens: int) -> bytes:
    return encode(["uint256"], [tokens])


def _new_voter(
    accounts: Any, owner: Any, issuer: Any, dao_token: Any, dao_badges: Any, tokens: int, badge: int | None
) -> Any:
    voter = accounts.generate_test_account()
    owner.transfer(voter, TOKEN)
    dao_token.mint(voter, tokens, sender=owner)
    dao_token.invoke_transaction("delegate", voter, sender=voter)
    if badge is not None:
        dao_badges.issue(voter, badge, sender=issuer)
    return voter


def test_full_commitment_counts_square_root(chain: Any, dao: Any, allowed: Any, donor: Any) -> None:
    proposal = _idea(chain, dao, allowed, donor)

    receipt = dao.castVote(proposal.id, FOR, sender=donor)

    weight = isqrt(40 * TOKEN)
    assert weight == 6_324_555_320
    assert receipt.events == [
        dao.QuadraticVoteCounted(proposal.id, donor, 40 * TOKEN, weight),
        dao.VoteCast(donor, proposal.id, FOR, weight, ""),
    ]
    assert dao.proposalVotes(proposal.id) == (0, weight, 0)
    assert dao.proposalQuorumTokens(proposal.id) == 40 * TOKEN


def test_partial_commitment_through_params(chain: Any, dao: Any, allowed: Any, other_donor: Any) -> None:
    proposal = _idea(chain, dao, allowed, other_donor)

    receipt = dao.castVoteWithReasonAndParams(proposal.id, ABSTAIN, "part", _commit(9 * TOKEN), sender=other_donor)

    assert receipt.events == [
        dao.QuadraticVoteCounted(proposal.id, other_donor, 9 * TOKEN, 3 * 10**9),
        dao.VoteCastWithParams(other_donor, proposal.id, ABSTAIN, 3 * 10**9, "part", _commit(9 * TOKEN)),
    ]
    assert dao.proposalVotes(proposal.id) == (0, 0, 3 * 10**9)
    assert dao.proposalQuorumTokens(proposal.id) == 9 * TOKEN


@pytest.mark.parametrize("committed", [0, 1, 2, 3, 4, 8, 15, 16, 10**18 - 1, 10**18, 40 * 10**18 - 1, 40 * 10**18])
def test_weight_is_floor_of_square_root(chain: Any, dao: Any, allowed: Any, donor: Any, committed: int) -> None:
    proposal = _idea(chain, dao, allowed, donor)

    dao.castVoteWithReasonAndParams(proposal.id, AGAINST, "", _commit(committed), sender=donor)

    assert dao.proposalVotes(proposal.id) == (isqrt(committed), 0, 0)


def test_against_commitment_does_not_count_toward_quorum(chain: Any, dao: Any, allowed: Any, donor: Any) -> None:
    proposal = _idea(chain, dao, allowed, donor)
    dao.castVote(proposal.id, AGAINST, sender=donor)
    assert dao.proposalQuorumTokens(proposal.id) == 0


def test_commitment_above_voting_power_reverts(chain: Any, dao: Any, allowed: Any, donor: Any) -> None:
    proposal = _idea(chain, dao, allowed, donor)
    with reverts_with(
        dao.DAOCoreCommitmentExceedsVotes, voter=donor.address, committed=40 * TOKEN + 1, votes=40 * TOKEN
    ):
        dao.castVoteWithReasonAndParams(proposal.id, FOR, "", _commit(40 * TOKEN + 1), sender=donor)


def test_malformed_params_revert(chain: Any, dao: Any, allowed: Any, donor: Any) -> None:
    proposal = _idea(chain, dao, allowed, donor)
    with reverts_with(dao.DAOCoreInvalidVoteParams, length=31):
        dao.castVoteWithReasonAndParams(proposal.id, FOR, "", b"\x01" * 31, sender=donor)
    with reverts_with(dao.DAOCoreInvalidVoteParams, length=64):
        dao.castVoteWithReasonAndParams(proposal.id, FOR, "", b"\x00" * 64, sender=donor)


def test_simple_proposals_take_no_params(chain: Any, dao: Any, allowed: Any, donor: Any) -> None:
    proposal = _idea(chain, dao, allowed, donor, "simple", HELP_REQUEST)
    with reverts_with(dao.DAOCoreInvalidVoteParams, length=32):
        dao.castVoteWithReasonAndParams(proposal.id, FOR, "", _commit(TOKEN), sender=donor)


def test_voters_without_donor_or_verifier_badge_at_the_snapshot_are_refused(
    chain: Any, owner: Any, dao: Any, allowed: Any, dao_badges: Any, donor: Any, other_donor: Any, stranger: Any
) -> None:
    dao_badges.revoke(dao_badges.badgeOf(donor, dao_badges.DONOR()), "abuse", sender=owner)
    chain.mine()
    proposal = _idea(chain, dao, allowed, other_donor)
    with reverts_with(dao.DAOCoreVoterNotEligible, voter=stranger.address):
        dao.castVote(proposal.id, FOR, sender=stranger)
    with reverts_with(dao.DAOCoreVoterNotEligible, voter=donor.address):  # revoked before the snapshot
        dao.castVote(proposal.id, FOR, sender=donor)
    dao.castVote(proposal.id, FOR, sender=other_donor)  # a VERIFIER qualifies too


def test_badge_issued_after_the_snapshot_does_not_qualify(
    chain: Any, issuer: Any, dao: Any, allowed: Any, dao_badges: Any, donor: Any, stranger: Any
) -> None:
    proposal = _idea(chain, dao, allowed, donor)
    dao_badges.issue(stranger, dao_badges.DONOR(), sender=issuer)
    assert dao_badges.hasBadge(stranger, dao_badges.DONOR())

    with reverts_with(dao.DAOCoreVoterNotEligible, voter=stranger.address):
        dao.castVote(proposal.id, FOR, sender=stranger)
    later = _idea(chain, dao, allowed, donor, "a later idea")
    dao.castVote(later.id, FOR, sender=stranger)  # held at this proposal's snapshot
    assert dao.hasVoted(later.id, stranger)


def test_badge_revoked_after_the_snapshot_still_counts(
    chain: Any, owner: Any, dao: Any, allowed: Any, dao_badges: Any, donor: Any
) -> None:
    """Decided: eligibility is read at the snapshot like voting power, so a later revocation
    does not take back a vote on a proposal already running (it does on later proposals)."""
    proposal = _idea(chain, dao, allowed, donor)
    dao_badges.revoke(dao_badges.badgeOf(donor, dao_badges.DONOR()), "abuse", sender=owner)
    assert not dao_badges.hasBadge(donor, dao_badges.DONOR())

    receipt = dao.castVote(proposal.id, FOR, sender=donor)

    assert receipt.events.filter(dao.QuadraticVoteCounted) == [
        dao.QuadraticVoteCounted(proposal.id, donor, 40 * TOKEN, isqrt(40 * TOKEN))
    ]
    later = _idea(chain, dao, allowed, donor, "after the revocation")
    with reverts_with(dao.DAOCoreVoterNotEligible, voter=donor.address):
        dao.castVote(later.id, FOR, sender=donor)


def test_other_badges_do_not_qualify(
    chain: Any,
    accounts: Any,
    owner: Any,
    issuer: Any,
    dao: Any,
    dao_token: Any,
    allowed: Any,
    dao_badges: Any,
    donor: Any,
) -> None:
    volunteer = _new_voter(accounts, owner, issuer, dao_token, dao_badges, TOKEN, dao_badges.VOLUNTEER())
    proposal = _idea(chain, dao, allowed, donor)
    with reverts_with(dao.DAOCoreVoterNotEligible, voter=volunteer.address):
        dao.castVote(proposal.id, FOR, sender=volunteer)


def test_quadratic_counting_lets_many_small_donors_outvote_a_whale(
    chain: Any, accounts: Any, owner: Any, issuer: Any, dao: Any, dao_token: Any, dao_badges: Any, allowed: Any
) -> None:
    whale = _new_voter(accounts, owner, issuer, dao_token, dao_badges, 100 * TOKEN, dao_badges.DONOR())
    smalls = [
        _new_voter(accounts, owner, issuer, dao_token, dao_badges, 9 * TOKEN, dao_badges.DONOR()) for _ in range(4)
    ]
    chain.mine()
    quadratic = _idea(chain, dao, allowed, whale, "QV idea", FOUNDER_IDEA)
    simple = _idea(chain, dao, allowed, whale, "simple idea", HELP_REQUEST)

    for proposal in (quadratic, simple):
        dao.castVote(proposal.id, AGAINST, sender=whale)
        for voter in smalls:
            dao.castVote(proposal.id, FOR, sender=voter)
    end_voting(chain, dao, simple)

    assert dao.proposalVotes(quadratic.id) == (10 * 10**9, 12 * 10**9, 0)  # sqrt(100) vs 4 * sqrt(9)
    assert dao.state(quadratic.id) == SUCCEEDED
    assert dao.proposalVotes(simple.id) == (100 * TOKEN, 36 * TOKEN, 0)
    assert dao.state(simple.id) == DEFEATED


def test_vote_history_rebuilds_from_events(
    chain: Any, accounts: Any, owner: Any, issuer: Any, dao: Any, dao_token: Any, dao_badges: Any, allowed: Any
) -> None:
    voters = [
        _new_voter(accounts, owner, issuer, dao_token, dao_badges, n * TOKEN, dao_badges.DONOR()) for n in (4, 9, 25)
    ]
    chain.mine()
    proposal = _idea(chain, dao, allowed, voters[0], "history")
    receipts = [
        dao.castVote(proposal.id, FOR, sender=voters[0]),
        dao.castVoteWithReasonAndParams(proposal.id, ABSTAIN, "some", _commit(4 * TOKEN), sender=voters[1]),
        dao.castVoteWithReason(proposal.id, AGAINST, "no", sender=voters[2]),
    ]

    weights = [0, 0, 0]
    quorum_tokens = 0
    for receipt in receipts:
        logs = {log.event_name: log for log in receipt.events}
        cast = logs.get("VoteCast") or logs["VoteCastWithParams"]
        counted = logs["QuadraticVoteCounted"]
        assert cast.voter == counted.voter
        assert cast.weight == counted.weight == isqrt(counted.tokens)
        weights[cast.support] += cast.weight
        if cast.support in (FOR, ABSTAIN):
            quorum_tokens += counted.tokens

    assert tuple(weights) == dao.proposalVotes(proposal.id)
    assert weights == [5 * 10**9, 2 * 10**9, 2 * 10**9]
    assert quorum_tokens == dao.proposalQuorumTokens(proposal.id) == 8 * TOKEN
