"""MatchingPool: leaves bind the chain, the pool and the round (one root pays once), and ERC-20
funding is booked at what arrived."""

from typing import Any

from impactchain.matching import ClaimScope, build_claim_tree, leaf_hash
from tests.contracts.matching.conftest import NATIVE, ONE_MATIC
from tests.contracts.reverts import reverts_with

CLAIM_WINDOW = 7 * 24 * 3600


def funded_round(pool: Any, manager: Any, sponsor: Any, amount: int) -> int:
    round_id = int(pool.openRound(NATIVE, sender=manager).events[0].roundId)
    pool.fund(round_id, amount, sender=sponsor, value=amount)
    return round_id


def commit_root(chain: Any, pool: Any, manager: Any, round_id: int, root: bytes, total: int) -> None:
    deadline = int(chain.pending_timestamp) + CLAIM_WINDOW
    pool.commitRoot(round_id, root, total, deadline, b"\x00" * 32, "", sender=manager)


def test_the_leaf_encoding_is_chain_pool_round_index_account_amount(
    chain: Any, qf_matching_pool: Any, matched_projects: list[Any]
) -> None:
    account = matched_projects[0].address
    expected = leaf_hash(ClaimScope(chain.chain_id, qf_matching_pool.address, 7), 3, account, 5 * ONE_MATIC)

    assert qf_matching_pool.leafHash(7, 3, account, 5 * ONE_MATIC) == expected
    for other in (
        leaf_hash(ClaimScope(chain.chain_id + 1, qf_matching_pool.address, 7), 3, account, 5 * ONE_MATIC),
        leaf_hash(ClaimScope(chain.chain_id, account, 7), 3, account, 5 * ONE_MATIC),
        leaf_hash(ClaimScope(chain.chain_id, qf_matching_pool.address, 8), 3, account, 5 * ONE_MATIC),
    ):
        assert other != expected


def test_a_root_committed_to_two_rounds_pays_only_in_its_own(
    chain: Any,
    qf_matching_pool: Any,
    matching_manager: Any,
    matching_sponsors: list[Any],
    matched_projects: list[Any],
) -> None:
    pool, recipient = qf_matching_pool, matched_projects[0]
    first = funded_round(pool, matching_manager, matching_sponsors[0], ONE_MATIC)
    second = funded_round(pool, matching_manager, matching_sponsors[1], ONE_MATIC)
    tree = build_claim_tree({recipient.address: ONE_MATIC}, ClaimScope(chain.chain_id, pool.address, first))
    commit_root(chain, pool, matching_manager, first, tree.root, ONE_MATIC)
    commit_root(chain, pool, matching_manager, second, tree.root, ONE_MATIC)  # the same root, replayed
    proof = tree.proofs[0]

    pool.claim(first, 0, recipient, ONE_MATIC, proof, sender=recipient)

    with reverts_with(pool.MatchingPoolInvalidProof, roundId=second, index=0):
        pool.claim(second, 0, recipient, ONE_MATIC, proof, sender=recipient)
    assert pool.getRound(second).claimed == 0


def test_a_root_committed_in_another_pool_pays_nothing_there(
    chain: Any,
    project: Any,
    qf_matching_pool: Any,
    matching_manager: Any,
    matching_sponsors: list[Any],
    matched_projects: list[Any],
) -> None:
    other_pool = matching_manager.deploy(project.MatchingPool, matching_manager)
    recipient = matched_projects[0]
    round_id = funded_round(qf_matching_pool, matching_manager, matching_sponsors[0], ONE_MATIC)
    other_round = funded_round(other_pool, matching_manager, matching_sponsors[0], ONE_MATIC)
    assert other_round == round_id  # same round number, different pool
    tree = build_claim_tree(
        {recipient.address: ONE_MATIC}, ClaimScope(chain.chain_id, qf_matching_pool.address, round_id)
    )
    commit_root(chain, qf_matching_pool, matching_manager, round_id, tree.root, ONE_MATIC)
    commit_root(chain, other_pool, matching_manager, other_round, tree.root, ONE_MATIC)

    with reverts_with(other_pool.MatchingPoolInvalidProof, roundId=other_round, index=0):
        other_pool.claim(other_round, 0, recipient, ONE_MATIC, tree.proofs[0], sender=recipient)
    qf_matching_pool.claim(round_id, 0, recipient, ONE_MATIC, tree.proofs[0], sender=recipient)


def test_fee_on_transfer_funding_is_booked_at_what_arrived(
    project: Any, qf_matching_pool: Any, matching_manager: Any, matching_sponsors: list[Any]
) -> None:
    sponsor = matching_sponsors[0]
    fee_token = matching_manager.deploy(project.TestFeeOnTransferToken)
    fee_token.mint(sponsor, 1_000 * ONE_MATIC, sender=matching_manager)
    fee_token.approve(qf_matching_pool, 2**256 - 1, sender=sponsor)
    round_id = int(qf_matching_pool.openRound(fee_token, sender=matching_manager).events[0].roundId)

    receipt = qf_matching_pool.fund(round_id, 100 * ONE_MATIC, sender=sponsor)

    arrived = 99 * ONE_MATIC
    assert receipt.events.filter(qf_matching_pool.PoolFunded) == [
        qf_matching_pool.PoolFunded(roundId=round_id, sponsor=sponsor, amount=arrived, totalFunded=arrived)
    ]
    assert qf_matching_pool.getRound(round_id).funded == arrived
    assert qf_matching_pool.sponsoredBy(round_id, sponsor) == arrived
    assert fee_token.balanceOf(qf_matching_pool) == arrived


def test_admin_hand_over_is_grant_then_renounce(
    qf_matching_pool: Any, matching_manager: Any, matching_outsider: Any
) -> None:
    # Decision (NatSpec): no two-step transfer, the admin is the DAO timelock; a grant keeps the old admin.
    role = qf_matching_pool.DEFAULT_ADMIN_ROLE()
    qf_matching_pool.grantRole(role, matching_outsider, sender=matching_manager)
    assert qf_matching_pool.hasRole(role, matching_manager) and qf_matching_pool.hasRole(role, matching_outsider)
    qf_matching_pool.renounceRole(role, matching_manager, sender=matching_manager)
    assert not qf_matching_pool.hasRole(role, matching_manager)
