"""Quadratic-funding matching and the claim Merkle tree, against hand-computed figures."""

import pytest
from eth_utils import keccak
from hypothesis import example, given, settings
from hypothesis import strategies as st

from impactchain.matching import (
    ClaimScope,
    Contribution,
    MatchingInputError,
    MerkleTree,
    build_claim_tree,
    inputs_document,
    inputs_hash,
    leaf_hash,
    process_proof,
    quadratic_matches,
)


def gifts(project: str, *pairs: tuple[str, int]) -> list[Contribution]:
    return [Contribution(contributor=who, project=project, amount=amount) for who, amount in pairs]


# X: √1 + √4 = 3   → 3² − (1 + 4) = 4
# Y: √9 + √16 + √25 = 12 → 12² − 50 = 94
# Z: a single contributor → 0
# Raw total R = 98.
ROUND = [
    *gifts("X", ("a", 1), ("b", 4)),
    *gifts("Y", ("a", 9), ("b", 16), ("c", 25)),
    *gifts("Z", ("d", 100)),
]


def test_unsaturated_round_pays_the_raw_qf_match() -> None:
    # M·R = 98 ≤ 1000: not saturated, each project gets its raw match; 902 stay unallocated.
    allocation = quadratic_matches(ROUND, 1000)

    assert not allocation.saturated
    assert allocation.matches == {"X": 4, "Y": 94, "Z": 0}
    assert allocation.total == 98
    assert allocation.projects["Y"].contributors == 3
    assert allocation.projects["Y"].total_received == 50
    assert allocation.projects["Y"].raw_match == 94


def test_saturated_round_is_scaled_to_the_pool() -> None:
    # 98 > 49: X = 4·49/98 = 2, Y = 94·49/98 = 47 → exactly the pool.
    allocation = quadratic_matches(ROUND, 49)

    assert allocation.saturated
    assert allocation.matches == {"X": 2, "Y": 47, "Z": 0}
    assert allocation.total == 49


def test_multiplier_scales_an_unsaturated_round() -> None:
    # 4·98 = 392 ≤ 1000: X = 4·4 = 16, Y = 4·94 = 376.
    assert quadratic_matches(ROUND, 1000, multiplier=4).matches == {"X": 16, "Y": 376, "Z": 0}


def test_multiplier_that_saturates_the_round_scales_to_the_pool() -> None:
    # 4·98 = 392 > 200: X = ⌊4·200/98⌋ = ⌊8.16⌋ = 8, Y = ⌊94·200/98⌋ = ⌊191.8⌋ = 191; 1 unit of dust left.
    allocation = quadratic_matches(ROUND, 200, multiplier=4)

    assert allocation.saturated
    assert allocation.matches == {"X": 8, "Y": 191, "Z": 0}
    assert allocation.total == 199


def test_contributions_are_summed_per_contributor_first() -> None:
    # a gives 1 + 3 = 4, b gives 4: (√4 + √4)² − 8 = 16 − 8 = 8.
    # Counted as three contributors (1, 3, 4) it would be (1 + 1.732… + 2)² − 8 ≈ 14.4.
    contributions = gifts("X", ("a", 1), ("a", 3), ("b", 4))

    assert quadratic_matches(contributions, 1000).matches == {"X": 8}


def test_contributions_below_the_minimum_are_dropped_one_by_one() -> None:
    # minimum 2: a's 1 is dropped (Gitcoin drops single contributions, not per-contributor sums),
    # a's 3 stays: (√3 + √4)² − 7 = 4√3 = 6.93 → 6. With a's 1 counted it would be 8.
    contributions = gifts("X", ("a", 1), ("a", 3), ("b", 4))

    assert quadratic_matches(contributions, 1000, minimum=2).matches == {"X": 6}


def test_minimum_can_leave_a_single_contributor_with_no_match() -> None:
    # minimum 2 drops the 1: X keeps only b → single contributor → 0.
    assert quadratic_matches(gifts("X", ("a", 1), ("b", 4)), 1000, minimum=2).matches == {"X": 0}


def test_single_contributor_gets_no_match_however_large() -> None:
    assert quadratic_matches(gifts("Z", ("d", 10**24), ("d", 10**24)), 10**30).matches == {"Z": 0}


def test_square_roots_keep_nine_decimal_digits() -> None:
    # (√2 + √3)² − 5 = 2√6 = 4.898… → 4. Gitcoin's integer √ would give (1 + 1)² − 5 = −1.
    # isqrt(2·10¹⁸) + isqrt(3·10¹⁸) = 1414213562 + 1732050807 = 3146264369;
    # 3146264369² − 5·10¹⁸ = 4898979478… ·10⁹ → ⌊/10¹⁸⌋ = 4.
    assert quadratic_matches(gifts("X", ("a", 2), ("b", 3)), 1000).matches == {"X": 4}


def test_cap_overflow_is_redistributed_pro_rata_until_stable() -> None:
    # Raw: P1 (√9 + √100)² − 109 = 169 − 109 = 60; P2 (√9 + √25)² − 34 = 30; P3 (√1 + √25)² − 26 = 10.
    # Pool 50 (saturated, R = 100): 30, 15, 5.
    # Cap 20, pass 1: P1 → 20, overflow 10 over uncapped 15 + 5 = 20:
    #   P2 += ⌊15·10/20⌋ = 7 → 22; P3 += ⌊5·10/20⌋ = 2 → 7.
    # Pass 2: P2 → 20, overflow 2 over uncapped 7: P3 += ⌊7·2/7⌋ = 2 → 9.
    # Pass 3: nothing above the cap. Total 49 (1 of rounding left over).
    contributions = [
        *gifts("P1", ("a", 9), ("b", 100)),
        *gifts("P2", ("a", 9), ("c", 25)),
        *gifts("P3", ("d", 1), ("e", 25)),
    ]

    allocation = quadratic_matches(contributions, 50, cap=20)

    assert allocation.matches == {"P1": 20, "P2": 20, "P3": 9}


def test_cap_with_every_project_capped_leaves_the_overflow_unallocated() -> None:
    # Saturated 50 → X = 2, Y = 47 (see above) with cap 1: both cut to 1, nobody below the cap.
    assert quadratic_matches(ROUND, 49, cap=1).matches == {"X": 1, "Y": 1, "Z": 0}


def test_empty_round_allocates_nothing() -> None:
    allocation = quadratic_matches([], 100)

    assert allocation.matches == {}
    assert not allocation.saturated


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"pool": -1}, "pool"),
        ({"pool": 1, "minimum": -1}, "minimum"),
        ({"pool": 1, "multiplier": 0}, "multiplier"),
        ({"pool": 1, "multiplier": 5}, "multiplier"),
        ({"pool": 1, "cap": -1}, "cap"),
    ],
)
def test_invalid_inputs_are_rejected(kwargs: dict[str, int], message: str) -> None:
    pool = kwargs.pop("pool")
    with pytest.raises(MatchingInputError, match=message):
        quadratic_matches(ROUND, pool, **kwargs)


def test_negative_contribution_is_rejected() -> None:
    with pytest.raises(MatchingInputError, match="negative"):
        quadratic_matches(gifts("X", ("a", -1)), 10)


def test_inputs_document_is_canonical_and_hashed_with_keccak() -> None:
    forward = inputs_document(ROUND, 100, multiplier=2, cap=50)
    backward = inputs_document(list(reversed(ROUND)), 100, multiplier=2, cap=50)

    assert forward == backward
    assert inputs_hash(forward) == keccak(forward)
    assert inputs_document(ROUND, 101) != inputs_document(ROUND, 100)


# ----- properties -----

project_names = st.sampled_from(["P1", "P2", "P3", "P4"])
contributor_names = st.sampled_from(["a", "b", "c", "d", "e", "f"])
amounts = st.integers(min_value=0, max_value=10**24)
contribution_lists = st.lists(
    st.builds(Contribution, contributor=contributor_names, project=project_names, amount=amounts),
    max_size=25,
)
pools = st.integers(min_value=0, max_value=10**25)
multipliers = st.integers(min_value=1, max_value=4)


@settings(max_examples=300, deadline=None)
@given(contribution_lists, pools, multipliers, st.none() | st.integers(min_value=0, max_value=10**25))
def test_allocation_never_exceeds_pool_and_respects_cap(
    contributions: list[Contribution], pool: int, multiplier: int, cap: int | None
) -> None:
    allocation = quadratic_matches(contributions, pool, multiplier=multiplier, cap=cap)

    assert allocation.total <= pool
    assert all(match >= 0 for match in allocation.matches.values())
    if cap is not None:
        assert all(match <= cap for match in allocation.matches.values())


@settings(max_examples=200, deadline=None)
@given(contribution_lists, pools, multipliers)
def test_single_contributor_projects_get_nothing(contributions: list[Contribution], pool: int, multiplier: int) -> None:
    allocation = quadratic_matches(contributions, pool, multiplier=multiplier)

    for result in allocation.projects.values():
        if result.contributors < 2:
            assert result.match == 0


# Monotonicity holds exactly when the new contribution's square root is exact (a perfect square
# from a new contributor: the project's sum of roots grows by exactly that root) and no cap
# redistributes. A top-up by an existing contributor changes that contributor's root, which is
# kept to SQRT_DIGITS digits, and can lower the match by a unit.
square_amounts = st.integers(min_value=1, max_value=10**12).map(lambda root: root * root)
square_contributions = st.lists(
    st.builds(Contribution, contributor=contributor_names, project=project_names, amount=square_amounts),
    max_size=20,
)
newcomers = st.builds(Contribution, contributor=st.just("newcomer"), project=project_names, amount=square_amounts)


@settings(max_examples=200, deadline=None)
@given(square_contributions, pools, multipliers, newcomers)
@example(
    [Contribution("a", "P2", 1), Contribution("b", "P2", 1167110569)],
    1_999_999_999_998,
    1,
    Contribution("newcomer", "P2", 1),
)
def test_a_new_contribution_never_lowers_its_projects_match(
    contributions: list[Contribution], pool: int, multiplier: int, extra: Contribution
) -> None:
    before = quadratic_matches(contributions, pool, multiplier=multiplier).matches.get(extra.project, 0)
    after = quadratic_matches([*contributions, extra], pool, multiplier=multiplier).matches[extra.project]

    assert after >= before


@settings(max_examples=200, deadline=None)
@given(square_contributions, pools, pools, multipliers, multipliers)
def test_larger_pool_or_multiplier_never_lowers_a_match(
    contributions: list[Contribution], pool_a: int, pool_b: int, mult_a: int, mult_b: int
) -> None:
    small = quadratic_matches(contributions, min(pool_a, pool_b), multiplier=min(mult_a, mult_b)).matches
    large = quadratic_matches(contributions, max(pool_a, pool_b), multiplier=max(mult_a, mult_b)).matches

    assert all(large[project] >= match for project, match in small.items())


# ----- Merkle tree -----

# Computed with @openzeppelin/merkle-tree 1.x (npm), MatchingPool's leaf layout:
#   StandardMerkleTree.of(VALUES.map(v => [137, POOL, 7, ...v]),
#       ["uint256", "address", "uint256", "uint256", "address", "uint256"]).root / .getProof(i)
SCOPE = ClaimScope(chain_id=137, pool="0x9999999999999999999999999999999999999999", round_id=7)
VALUES = [
    (0, "0x1111111111111111111111111111111111111111", 5 * 10**18),
    (1, "0x2222222222222222222222222222222222222222", 25 * 10**17),
    (2, "0x3333333333333333333333333333333333333333", 1),
    (3, "0x4444444444444444444444444444444444444444", 123456789),
    (4, "0x5555555555555555555555555555555555555555", 42),
]
OZ_ROOT = "68479ebe8d340593e8476b758570a67be8d182ee70856e3e4261661b42a66164"
OZ_PROOF_0 = [
    "9d29bb3de15c2d8ccc73dc757679fbca4452f80047723fba7d19cc6aaaaa2583",
    "689a848af029aad341d49e9a5bbf3fde7f197d05a0d24abbf237acd6766cf47e",
]
OZ_PROOF_2 = [
    "99d08ebee51728b620f65753a0d3148e76f005ba83e6afe9418278ac59a2848f",
    "689a848af029aad341d49e9a5bbf3fde7f197d05a0d24abbf237acd6766cf47e",
]
OZ_SINGLE_ROOT = "99d08ebee51728b620f65753a0d3148e76f005ba83e6afe9418278ac59a2848f"


def test_tree_matches_openzeppelin_standard_merkle_tree() -> None:
    leaves = [leaf_hash(SCOPE, *value) for value in VALUES]
    tree = MerkleTree(leaves)

    assert tree.root.hex() == OZ_ROOT
    assert [node.hex() for node in tree.proof(leaves[0])] == OZ_PROOF_0
    assert [node.hex() for node in tree.proof(leaves[2])] == OZ_PROOF_2
    assert MerkleTree([leaves[0]]).root.hex() == OZ_SINGLE_ROOT


def test_a_leaf_binds_the_chain_the_pool_and_the_round() -> None:
    leaf = leaf_hash(SCOPE, *VALUES[0])
    elsewhere = [
        ClaimScope(chain_id=80002, pool=SCOPE.pool, round_id=SCOPE.round_id),
        ClaimScope(chain_id=SCOPE.chain_id, pool="0x8888888888888888888888888888888888888888", round_id=SCOPE.round_id),
        ClaimScope(chain_id=SCOPE.chain_id, pool=SCOPE.pool, round_id=SCOPE.round_id + 1),
    ]
    assert all(leaf_hash(scope, *VALUES[0]) != leaf for scope in elsewhere)


def test_claim_tree_indexes_accounts_in_address_order_and_skips_zero() -> None:
    amounts = {
        "0x3333333333333333333333333333333333333333": 7,
        "0x1111111111111111111111111111111111111111": 5,
        "0x2222222222222222222222222222222222222222": 0,
    }

    tree = build_claim_tree(amounts, SCOPE)

    assert [(c.index, c.account[-4:], c.amount) for c in tree.claims] == [(0, "1111", 5), (1, "3333", 7)]
    assert tree.total == 12
    assert tree.claim_of("0x3333333333333333333333333333333333333333").index == 1
    for claim in tree.claims:
        leaf = leaf_hash(SCOPE, claim.index, claim.account, claim.amount)
        assert process_proof(tree.proofs[claim.index], leaf) == tree.root


def test_claim_tree_of_nothing_has_a_zero_root() -> None:
    tree = build_claim_tree({"0x1111111111111111111111111111111111111111": 0}, SCOPE)

    assert tree.root == bytes(32)
    assert tree.claims == []


def test_claim_tree_rejects_bad_inputs() -> None:
    with pytest.raises(MatchingInputError, match="twice"):
        build_claim_tree(
            {"0xabcdefabcdefabcdefabcdefabcdefabcdefabcd": 1, "0xABCDEFABCDEFABCDEFABCDEFABCDEFABCDEFABCD": 2}, SCOPE
        )
    with pytest.raises(MatchingInputError, match="negative"):
        build_claim_tree({"0x1111111111111111111111111111111111111111": -1}, SCOPE)
    with pytest.raises(MatchingInputError, match="no claim"):
        build_claim_tree({"0x1111111111111111111111111111111111111111": 1}, SCOPE).claim_of(
            "0x2222222222222222222222222222222222222222"
        )
    with pytest.raises(MatchingInputError, match="at least one leaf"):
        MerkleTree([])
    with pytest.raises(MatchingInputError, match="not in the tree"):
        MerkleTree([bytes(32)]).proof(b"\x01" * 32)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.binary(min_size=20, max_size=20), st.integers(min_value=0, max_value=2**128), max_size=40))
def test_every_claim_proves_and_no_other_leaf_does(raw: dict[bytes, int]) -> None:
    amounts = {"0x" + address.hex(): amount for address, amount in raw.items()}
    tree = build_claim_tree(amounts, SCOPE)

    for claim in tree.claims:
        proof = tree.proofs[claim.index]
        assert process_proof(proof, leaf_hash(SCOPE, claim.index, claim.account, claim.amount)) == tree.root
        assert process_proof(proof, leaf_hash(SCOPE, claim.index, claim.account, claim.amount + 1)) != tree.root
