"""MatchingPool: matching_sponsors fund a round, governance commits a QF allocation computed by
`impactchain.matching`, recipients claim with proofs, governance recovers the rest."""

from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impactchain.matching import (
    ClaimScope,
    ClaimTree,
    Contribution,
    build_claim_tree,
    inputs_document,
    inputs_hash,
    quadratic_matches,
)
from tests.contracts.matching.conftest import NATIVE, ONE_MATIC, USDC
from tests.contracts.reverts import reverts_with

CLAIM_WINDOW = 7 * 24 * 3600
INPUTS_CID = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
DONORS = [f"0x{n:040x}" for n in range(1, 6)]


def round_contributions(matched_projects: list[Any], unit: int) -> list[Contribution]:
    """A: 1, 4, 9 → (1 + 2 + 3)² − 14 = 22 units; B: 16, 1 → (4 + 1)² − 17 = 8 units; C: one donor → 0."""
    a, b, c = (p.address for p in matched_projects)
    return [
        Contribution(DONORS[0], a, 1 * unit),
        Contribution(DONORS[1], a, 4 * unit),
        Contribution(DONORS[2], a, 9 * unit),
        Contribution(DONORS[0], b, 16 * unit),
        Contribution(DONORS[3], b, 1 * unit),
        Contribution(DONORS[4], c, 25 * unit),
    ]


def open_funded_round(
    pool: Any, matching_manager: Any, matching_sponsors: list[Any], token: Any, amounts: list[int]
) -> int:
    round_id = int(pool.openRound(token, sender=matching_manager).events[0].roundId)
    for sponsor, amount in zip(matching_sponsors, amounts, strict=True):
        value = amount if token == NATIVE else 0
        pool.fund(round_id, amount, sender=sponsor, value=value)
    return round_id


def commit(
    chain: Any, pool: Any, matching_manager: Any, round_id: int, tree: ClaimTree, document: bytes = b"{}"
) -> Any:
    deadline = int(chain.pending_timestamp) + CLAIM_WINDOW
    return pool.commitRoot(
        round_id, tree.root, tree.total, deadline, inputs_hash(document), INPUTS_CID, sender=matching_manager
    )


def claim_tree(chain: Any, pool: Any, round_id: int, amounts: Mapping[str, int]) -> ClaimTree:
    """The round's claim tree, its leaves bound to this chain, `pool` and `round_id`."""
    return build_claim_tree(amounts, ClaimScope(chain.chain_id, pool.address, round_id))


def claim_args(tree: ClaimTree, account: Any) -> tuple[int, str, int, list[bytes]]:
    leaf = tree.claim_of(account.address)
    return leaf.index, leaf.account, leaf.amount, tree.proofs[leaf.index]


def after_deadline(chain: Any) -> None:
    chain.pending_timestamp += CLAIM_WINDOW + 1


# ----- end to end -----


def test_native_round_end_to_end_with_cap_and_multiplier(
    chain: Any,
    qf_matching_pool: Any,
    matching_manager: Any,
    matching_sponsors: list[Any],
    matched_projects: list[Any],
    matching_outsider: Any,
    matching_treasury: Any,
) -> None:
    pool = qf_matching_pool
    round_id = open_funded_round(pool, matching_manager, matching_sponsors, NATIVE, [40 * ONE_MATIC, 10 * ONE_MATIC])
    contributions = round_contributions(matched_projects, ONE_MATIC)
    # Raw 22 + 8 = 30 MATIC; ×2 = 60 > 50: saturated → A 36.67, B 13.33; cap 30 → A 30, B gets A's 6.67 → 20.
    allocation = quadratic_matches(contributions, 50 * ONE_MATIC, multiplier=2, cap=30 * ONE_MATIC)
    assert allocation.saturated
    a, b, c = matched_projects
    assert allocation.matches[a.address] == 30 * ONE_MATIC
    assert 20 * ONE_MATIC - 2 <= allocation.matches[b.address] <= 20 * ONE_MATIC
    assert allocation.matches[c.address] == 0
    tree = claim_tree(chain, pool, round_id, allocation.matches)
    document = inputs_document(contributions, 50 * ONE_MATIC, multiplier=2, cap=30 * ONE_MATIC)

    assert pool.setMultiplier(round_id, 2, sender=matching_manager).events == [
        pool.MultiplierSet(roundId=round_id, multiplier=2)
    ]
    committed = commit(chain, pool, matching_manager, round_id, tree, document)

    event = committed.events[0]
    assert (event.roundId, event.merkleRoot, event.allocated, event.multiplier) == (round_id, tree.root, tree.total, 2)
    assert (event.inputsHash, event.inputsCid) == (inputs_hash(document), INPUTS_CID)

    before_a = a.balance
    own = pool.claim(round_id, *claim_args(tree, a), sender=a)
    assert a.balance == before_a + 30 * ONE_MATIC - own.total_fees_paid
    index_b, account_b, amount_b, proof_b = claim_args(tree, b)
    before_b = b.balance
    relayed = pool.claim(round_id, index_b, account_b, amount_b, proof_b, sender=matching_outsider)
    assert relayed.events == [
        pool.MatchClaimed(roundId=round_id, index=index_b, account=b, amount=amount_b, claimedBy=matching_outsider)
    ]
    assert b.balance == before_b + amount_b
    assert pool.isClaimed(round_id, index_b)
    assert pool.getRound(round_id).claimed == tree.total

    after_deadline(chain)
    leftover = 50 * ONE_MATIC - tree.total
    before_treasury = matching_treasury.balance
    recovered = pool.recoverUnclaimed(round_id, matching_treasury, sender=matching_manager)
    assert recovered.events == [pool.UnclaimedRecovered(roundId=round_id, to=matching_treasury, amount=leftover)]
    assert matching_treasury.balance == before_treasury + leftover
    assert pool.balance == 0


def test_erc20_round_unsaturated_leaves_the_rest_recoverable(
    chain: Any,
    qf_matching_pool: Any,
    matching_usdc: Any,
    matching_manager: Any,
    matching_sponsors: list[Any],
    matched_projects: list[Any],
    matching_treasury: Any,
) -> None:
    pool = qf_matching_pool
    round_id = open_funded_round(pool, matching_manager, matching_sponsors, matching_usdc, [600 * USDC, 400 * USDC])
    allocation = quadratic_matches(round_contributions(matched_projects, USDC), 1_000 * USDC)
    assert not allocation.saturated
    tree = claim_tree(chain, pool, round_id, allocation.matches)
    assert tree.total == 30 * USDC
    commit(chain, pool, matching_manager, round_id, tree)

    for recipient, expected in zip(matched_projects[:2], (22 * USDC, 8 * USDC), strict=True):
        pool.claim(round_id, *claim_args(tree, recipient), sender=recipient)
        assert matching_usdc.balanceOf(recipient) == expected
    after_deadline(chain)
    pool.recoverUnclaimed(round_id, matching_treasury, sender=matching_manager)

    assert matching_usdc.balanceOf(matching_treasury) == 970 * USDC
    assert matching_usdc.balanceOf(pool) == 0
    assert pool.sponsoredBy(round_id, matching_sponsors[0]) == 600 * USDC


def test_unclaimed_matches_are_recovered_too(
    chain: Any,
    qf_matching_pool: Any,
    matching_manager: Any,
    matching_sponsors: list[Any],
    matched_projects: list[Any],
    matching_treasury: Any,
) -> None:
    pool = qf_matching_pool
    round_id = open_funded_round(pool, matching_manager, matching_sponsors, NATIVE, [ONE_MATIC, ONE_MATIC])
    tree = claim_tree(
        chain, pool, round_id, {matched_projects[0].address: ONE_MATIC, matched_projects[1].address: ONE_MATIC // 2}
    )
    commit(chain, pool, matching_manager, round_id, tree)
    pool.claim(round_id, *claim_args(tree, matched_projects[1]), sender=matched_projects[1])
    after_deadline(chain)

    assert (
        pool.recoverUnclaimed(round_id, matching_treasury, sender=matching_manager).events[0].amount
        == 3 * ONE_MATIC // 2
    )
    with reverts_with(pool.MatchingPoolAlreadyRecovered, roundId=round_id):
        pool.recoverUnclaimed(round_id, matching_treasury, sender=matching_manager)


# ----- round management -----


def test_open_round_numbers_rounds_and_defaults_to_1x(
    qf_matching_pool: Any, matching_usdc: Any, matching_manager: Any
) -> None:
    first = qf_matching_pool.openRound(NATIVE, sender=matching_manager)
    qf_matching_pool.openRound(matching_usdc, sender=matching_manager)

    assert first.events == [qf_matching_pool.RoundOpened(roundId=1, token=NATIVE, openedBy=matching_manager)]
    assert qf_matching_pool.lastRoundId() == 2
    second = qf_matching_pool.getRound(2)
    assert (second.token, second.multiplier, second.funded, second.claimDeadline) == (matching_usdc.address, 1, 0, 0)


@pytest.mark.parametrize(
    ("call", "args"),
    [
        ("openRound", (NATIVE,)),
        ("setMultiplier", (1, 2)),
        ("commitRoot", (1, b"\x01" * 32, 0, 2**40, b"\x00" * 32, "")),
        ("recoverUnclaimed", (1, "0x0000000000000000000000000000000000000001")),
    ],
)
def test_manager_calls_by_outsider_revert(
    qf_matching_pool: Any, matching_outsider: Any, call: str, args: tuple[Any, ...]
) -> None:
    role = qf_matching_pool.ROUND_MANAGER_ROLE()
    with reverts_with(
        qf_matching_pool.AccessControlUnauthorizedAccount, account=matching_outsider.address, neededRole=role
    ):
        getattr(qf_matching_pool, call)(*args, sender=matching_outsider)


@pytest.mark.parametrize("multiplier", [0, 5])
def test_multiplier_outside_1_to_4_reverts(qf_matching_pool: Any, matching_manager: Any, multiplier: int) -> None:
    qf_matching_pool.openRound(NATIVE, sender=matching_manager)
    with reverts_with(qf_matching_pool.MatchingPoolInvalidMultiplier, multiplier=multiplier):
        qf_matching_pool.setMultiplier(1, multiplier, sender=matching_manager)


def test_unknown_round_reverts(qf_matching_pool: Any, matching_manager: Any, matching_sponsors: list[Any]) -> None:
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
        ("setMultiplier", (9, 2), {"sender": matching_manager}),
        ("fund", (9, 1), {"sender": matching_sponsors[0], "value": 1}),
        ("commitRoot", (9, b"\x01" * 32, 0, 2**40, b"\x00" * 32, ""), {"sender": matching_manager}),
        ("claim", (9, 0, NATIVE, 0, []), {"sender": matching_manager}),
        ("recoverUnclaimed", (9, matching_sponsors[0]), {"sender": matching_manager}),
        ("getRound", (9,), {}),
    ]
    for call, args, kwargs in calls:
        with reverts_with(qf_matching_pool.MatchingPoolUnknownRound, roundId=9):
            getattr(qf_matching_pool, call)(*args, **kwargs)


def test_commit_errors(chain: Any, qf_matching_pool: Any, matching_manager: Any, matching_sponsors: list[Any]) -> None:
    round_id = open_funded_round(qf_matching_pool, matching_manager, matching_sponsors, NATIVE, [5, 5])
    later = int(chain.pending_timestamp) + 100
    with reverts_with(qf_matching_pool.MatchingPoolAllocationExceedsFunds, allocated=11, funded=10):
        qf_matching_pool.commitRoot(round_id, b"\x01" * 32, 11, later, b"\x00" * 32, "", sender=matching_manager)
    past = int(chain.blocks.head.timestamp)
    with reverts_with(qf_matching_pool.MatchingPoolInvalidDeadline, claimDeadline=past):
        qf_matching_pool.commitRoot(round_id, b"\x01" * 32, 10, past, b"\x00" * 32, "", sender=matching_manager)

    qf_matching_pool.commitRoot(round_id, b"\x01" * 32, 10, later, b"\x00" * 32, "", sender=matching_manager)

    with reverts_with(qf_matching_pool.MatchingPoolRootAlreadyCommitted, roundId=round_id):
        qf_matching_pool.commitRoot(round_id, b"\x02" * 32, 10, later, b"\x00" * 32, "", sender=matching_manager)
    with reverts_with(qf_matching_pool.MatchingPoolRootAlreadyCommitted, roundId=round_id):
        qf_matching_pool.setMultiplier(round_id, 3, sender=matching_manager)
    with reverts_with(qf_matching_pool.MatchingPoolRootAlreadyCommitted, roundId=round_id):
        qf_matching_pool.fund(round_id, 1, sender=matching_sponsors[0], value=1)


# ----- matching_sponsors -----


def test_fund_records_sponsors_and_running_total(
    qf_matching_pool: Any, matching_manager: Any, matching_sponsors: list[Any]
) -> None:
    round_id = qf_matching_pool.openRound(NATIVE, sender=matching_manager).events[0].roundId
    qf_matching_pool.fund(round_id, 3, sender=matching_sponsors[0], value=3)
    receipt = qf_matching_pool.fund(round_id, 4, sender=matching_sponsors[1], value=4)

    assert receipt.events == [
        qf_matching_pool.PoolFunded(roundId=round_id, sponsor=matching_sponsors[1], amount=4, totalFunded=7)
    ]
    assert qf_matching_pool.sponsoredBy(round_id, matching_sponsors[0]) == 3
    assert qf_matching_pool.balance == 7


def test_fund_input_errors(
    qf_matching_pool: Any, matching_usdc: Any, matching_manager: Any, matching_sponsors: list[Any]
) -> None:
    native_round = qf_matching_pool.openRound(NATIVE, sender=matching_manager).events[0].roundId
    token_round = qf_matching_pool.openRound(matching_usdc, sender=matching_manager).events[0].roundId
    with reverts_with(qf_matching_pool.MatchingPoolZeroAmount):
        qf_matching_pool.fund(native_round, 0, sender=matching_sponsors[0])
    with reverts_with(qf_matching_pool.MatchingPoolWrongNativeValue, expected=5, sent=4):
        qf_matching_pool.fund(native_round, 5, sender=matching_sponsors[0], value=4)
    with reverts_with(qf_matching_pool.MatchingPoolWrongNativeValue, expected=0, sent=1):
        qf_matching_pool.fund(token_round, 5, sender=matching_sponsors[0], value=1)


def test_fund_erc20_without_allowance_or_balance_reverts(
    qf_matching_pool: Any, matching_usdc: Any, matching_manager: Any, matching_outsider: Any
) -> None:
    round_id = qf_matching_pool.openRound(matching_usdc, sender=matching_manager).events[0].roundId
    with reverts_with(
        matching_usdc.ERC20InsufficientAllowance, spender=qf_matching_pool.address, allowance=0, needed=5
    ):
        qf_matching_pool.fund(round_id, 5, sender=matching_outsider)
    matching_usdc.approve(qf_matching_pool, 5, sender=matching_outsider)
    with reverts_with(matching_usdc.ERC20InsufficientBalance, sender=matching_outsider.address, balance=0, needed=5):
        qf_matching_pool.fund(round_id, 5, sender=matching_outsider)


# ----- claims -----


@pytest.fixture
def committed_round(
    chain: Any, qf_matching_pool: Any, matching_manager: Any, matching_sponsors: list[Any], matched_projects: list[Any]
) -> tuple[int, ClaimTree]:
    round_id = open_funded_round(qf_matching_pool, matching_manager, matching_sponsors, NATIVE, [ONE_MATIC, ONE_MATIC])
    amounts = {p.address: (i + 1) * ONE_MATIC // 4 for i, p in enumerate(matched_projects)}
    tree = claim_tree(chain, qf_matching_pool, round_id, amounts)
    commit(chain, qf_matching_pool, matching_manager, round_id, tree)
    return round_id, tree


def test_claim_twice_reverts(
    qf_matching_pool: Any, matched_projects: list[Any], committed_round: tuple[int, ClaimTree]
) -> None:
    round_id, tree = committed_round
    args = claim_args(tree, matched_projects[0])
    qf_matching_pool.claim(round_id, *args, sender=matched_projects[0])

    with reverts_with(qf_matching_pool.MatchingPoolAlreadyClaimed, roundId=round_id, index=args[0]):
        qf_matching_pool.claim(round_id, *args, sender=matched_projects[0])


def test_claim_with_a_bad_proof_reverts(
    qf_matching_pool: Any, matched_projects: list[Any], matching_outsider: Any, committed_round: tuple[int, ClaimTree]
) -> None:
    round_id, tree = committed_round
    index, account, amount, proof = claim_args(tree, matched_projects[0])
    for bad in [
        (index, account, amount + 1, proof),  # inflated amount
        (index, matching_outsider.address, amount, proof),  # someone else's leaf
        (index + 1, account, amount, proof),  # another index
        (index, account, amount, proof[:-1]),  # truncated proof
    ]:
        with reverts_with(qf_matching_pool.MatchingPoolInvalidProof, roundId=round_id, index=bad[0]):
            qf_matching_pool.claim(round_id, *bad, sender=matching_outsider)


def test_claim_after_the_deadline_reverts(
    chain: Any, qf_matching_pool: Any, matched_projects: list[Any], committed_round: tuple[int, ClaimTree]
) -> None:
    round_id, tree = committed_round
    deadline = qf_matching_pool.getRound(round_id).claimDeadline
    after_deadline(chain)

    with reverts_with(qf_matching_pool.MatchingPoolClaimWindowClosed, roundId=round_id, claimDeadline=deadline):
        qf_matching_pool.claim(round_id, *claim_args(tree, matched_projects[0]), sender=matched_projects[0])


def test_claim_before_the_root_reverts(
    qf_matching_pool: Any, matching_manager: Any, matched_projects: list[Any]
) -> None:
    round_id = qf_matching_pool.openRound(NATIVE, sender=matching_manager).events[0].roundId
    with reverts_with(qf_matching_pool.MatchingPoolRootNotCommitted, roundId=round_id):
        qf_matching_pool.claim(round_id, 0, matched_projects[0], 1, [], sender=matched_projects[0])
    with reverts_with(qf_matching_pool.MatchingPoolRootNotCommitted, roundId=round_id):
        qf_matching_pool.recoverUnclaimed(round_id, matched_projects[0], sender=matching_manager)


def test_claims_never_exceed_the_committed_allocation(
    chain: Any, qf_matching_pool: Any, matching_manager: Any, matching_sponsors: list[Any], matched_projects: list[Any]
) -> None:
    # A faulty root whose leaves add up to more than the committed total: the excess is refused.
    round_id = open_funded_round(qf_matching_pool, matching_manager, matching_sponsors, NATIVE, [ONE_MATIC, ONE_MATIC])
    amounts = {matched_projects[0].address: ONE_MATIC, matched_projects[1].address: ONE_MATIC}
    tree = claim_tree(chain, qf_matching_pool, round_id, amounts)
    deadline = int(chain.pending_timestamp) + CLAIM_WINDOW
    qf_matching_pool.commitRoot(
        round_id, tree.root, 3 * ONE_MATIC // 2, deadline, b"\x00" * 32, "", sender=matching_manager
    )
    qf_matching_pool.claim(round_id, *claim_args(tree, matched_projects[0]), sender=matched_projects[0])

    with reverts_with(
        qf_matching_pool.MatchingPoolAllocationExhausted, roundId=round_id, amount=ONE_MATIC, remaining=ONE_MATIC // 2
    ):
        qf_matching_pool.claim(round_id, *claim_args(tree, matched_projects[1]), sender=matched_projects[1])


def test_recover_errors(
    qf_matching_pool: Any, matching_manager: Any, matching_treasury: Any, committed_round: tuple[int, ClaimTree]
) -> None:
    round_id, _ = committed_round
    deadline = qf_matching_pool.getRound(round_id).claimDeadline
    with reverts_with(qf_matching_pool.MatchingPoolClaimWindowOpen, roundId=round_id, claimDeadline=deadline):
        qf_matching_pool.recoverUnclaimed(round_id, matching_treasury, sender=matching_manager)
    with reverts_with(qf_matching_pool.MatchingPoolZeroAddress):
        qf_matching_pool.recoverUnclaimed(round_id, NATIVE, sender=matching_manager)


def test_constructor_rejects_zero_admin(project: Any, matching_manager: Any) -> None:
    with reverts_with(project.MatchingPool.MatchingPoolZeroAddress):
        matching_manager.deploy(project.MatchingPool, NATIVE)


# ----- property: any computed allocation pays out exactly once, within the pool -----

contribution_lists = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=len(DONORS) - 1),
        st.integers(min_value=0, max_value=2),
        st.integers(1, 10**20),
    ),
    min_size=1,
    max_size=15,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    gifts=contribution_lists,
    pool_size=st.integers(min_value=1, max_value=10**21),
    multiplier=st.integers(min_value=1, max_value=4),
    cap=st.none() | st.integers(min_value=1, max_value=10**21),
)
def test_every_allocation_is_claimable_once_and_within_the_pool(
    chain: Any,
    qf_matching_pool: Any,
    matching_manager: Any,
    matching_sponsors: list[Any],
    matched_projects: list[Any],
    matching_treasury: Any,
    gifts: list[tuple[int, int, int]],
    pool_size: int,
    multiplier: int,
    cap: int | None,
) -> None:
    snapshot = chain.snapshot()
    try:
        contributions = [Contribution(DONORS[d], matched_projects[p].address, amount) for d, p, amount in gifts]
        allocation = quadratic_matches(contributions, pool_size, multiplier=multiplier, cap=cap)
        round_id = open_funded_round(qf_matching_pool, matching_manager, matching_sponsors[:1], NATIVE, [pool_size])
        tree = claim_tree(chain, qf_matching_pool, round_id, allocation.matches)
        commit(chain, qf_matching_pool, matching_manager, round_id, tree)

        for leaf in tree.claims:
            before = chain.provider.get_balance(leaf.account)
            qf_matching_pool.claim(
                round_id, leaf.index, leaf.account, leaf.amount, tree.proofs[leaf.index], sender=matching_treasury
            )
            assert chain.provider.get_balance(leaf.account) == before + leaf.amount
            with reverts_with(qf_matching_pool.MatchingPoolAlreadyClaimed, roundId=round_id, index=leaf.index):
                qf_matching_pool.claim(
                    round_id, leaf.index, leaf.account, leaf.amount, tree.proofs[leaf.index], sender=matching_treasury
                )
        assert qf_matching_pool.balance == pool_size - tree.total >= 0
    finally:
        chain.restore(snapshot)
