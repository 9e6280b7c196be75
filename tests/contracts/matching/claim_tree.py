"""Claim trees whose leaves bind the chain, the pool and the round, as MatchingPool verifies them.

`impactchain.matching.build_claim_tree` still builds the old unbound leaves (index, account,
amount); until it follows, the contract tests build the bound leaves here, reusing its tree.
Leaf: keccak256(keccak256(abi.encode(chainId, pool, roundId, index, account, amount))).
"""

from collections.abc import Mapping

from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from impactchain.matching import Claim, ClaimTree, MerkleTree, build_claim_tree

LEAF_TYPES = ["uint256", "address", "uint256", "uint256", "address", "uint256"]


def bound_leaf_hash(chain_id: int, pool: str, round_id: int, index: int, account: str, amount: int) -> bytes:
    """The leaf of `account`'s claim in round `round_id` of `pool` on chain `chain_id`."""
    encoded = encode(
        LEAF_TYPES, [chain_id, to_checksum_address(pool), round_id, index, to_checksum_address(account), amount]
    )
    return keccak(keccak(encoded))


def build_bound_claim_tree(chain_id: int, pool: str, round_id: int, amounts: Mapping[str, int]) -> ClaimTree:
    """The claims of `amounts` (indexed as `build_claim_tree` indexes them) under bound leaves."""
    claims: list[Claim] = build_claim_tree(amounts).claims
    if not claims:
        return ClaimTree(root=bytes(32), claims=[], proofs={})
    leaves = {c.index: bound_leaf_hash(chain_id, pool, round_id, c.index, c.account, c.amount) for c in claims}
    tree = MerkleTree(list(leaves.values()))
    return ClaimTree(root=tree.root, claims=claims, proofs={index: tree.proof(leaf) for index, leaf in leaves.items()})
