"""Quadratic-funding matching, computed off-chain, and the Merkle tree `MatchingPool` claims against.

The allocation follows Gitcoin's linear QF (the `linearQF` of gitcoinco's `pluralistic`, used by
Grants Stack), in integers only:

1. Contributions below `minimum` are dropped one by one (as Gitcoin does, before summing, so a
   donation split into dust does not count); zero amounts are ignored. The rest are summed per
   (project, contributor).
2. Per project, the raw match is (Σ√cᵢ)² − Σcᵢ over its contributors' sums. A project with a
   single contributor gets no match.
3. Saturation: with M the round's community multiplier (1–4, 1 is Gitcoin's rule) and R the sum
   of raw matches, a round is saturated when M·R > pool. Saturated rounds are scaled to the
   pool: match = raw · pool / R (the multiplier cancels out). Unsaturated rounds are "scaled
   down" to the raw amounts: match = M · raw, and the rest of the pool stays unallocated (the
   contract lets governance recover it after the claim deadline). This is Gitcoin's rule: the
   issue's "scaled down when total donations are below the pool" is read as "when the total raw
   QF match is below the pool", which is Gitcoin's saturation test.
4. Optional per-project cap (an amount): every project above the cap is cut to it and the
   overflow is shared among the projects below the cap, pro rata to their current match; the
   step repeats until no project exceeds the cap, or none is left below it (then the overflow
   stays unallocated).

Integer rounding, documented once:
- √c is taken as isqrt(c · 10¹⁸), i.e. √c with nine extra decimal digits, floored. Gitcoin floors
  √c on the raw integer, which makes tiny amounts lose their match or even go negative
  (c = 2 and 3: (1 + 1)² − 5 = −1). For perfect squares both give the same result; raw matches
  are clamped at 0.
- Every division floors, so each project gets at most its exact share and the total allocated
  never exceeds the pool; what the floors leave over stays unallocated.

Claims: each project with a positive match becomes a leaf (index, account, amount), indexes
given in ascending order of the checksummed address, bound to where it may be claimed: the chain,
the MatchingPool's address and the pool's round id (`ClaimScope`), so the same root never pays
twice across rounds, pools or chains. The tree is OpenZeppelin's StandardMerkleTree for
("uint256", "address", "uint256", "uint256", "address", "uint256"): leaves double-hashed
keccak256(keccak256(abi.encode(chainId, pool, roundId, index, account, amount))) — exactly
`MatchingPool.leafHash` —, sorted by hash, a complete binary tree stored as an array, sorted-pair
hashing, so its root and proofs are those of `StandardMerkleTree.of(values, types)` and verify
with OpenZeppelin's `MerkleProof`.
"""

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from math import isqrt

from eth_utils import keccak, to_checksum_address

SQRT_DIGITS = 9
"""Extra decimal digits kept when taking square roots."""
_SCALE = 10**SQRT_DIGITS
_SCALE_SQUARED = _SCALE * _SCALE
MIN_MULTIPLIER = 1
MAX_MULTIPLIER = 4


class MatchingInputError(ValueError):
    """The inputs of a matching computation are invalid."""


@dataclass(frozen=True, slots=True)
class Contribution:
    """One donation of `amount` (smallest token units) by `contributor` to `project`."""

    contributor: str
    project: str
    amount: int


@dataclass(frozen=True, slots=True)
class ProjectMatch:
    """How one project's match came about."""

    project: str
    contributors: int
    total_received: int
    raw_match: int
    """(Σ√cᵢ)² − Σcᵢ in token units (floored), before multiplier, saturation and cap."""
    match: int


@dataclass(frozen=True, slots=True)
class Allocation:
    """The matching of one round: per project, plus the rule that applied."""

    pool: int
    multiplier: int
    saturated: bool
    projects: dict[str, ProjectMatch]

    @property
    def matches(self) -> dict[str, int]:
        return {project: result.match for project, result in self.projects.items()}

    @property
    def total(self) -> int:
        return sum(result.match for result in self.projects.values())


def quadratic_matches(
    contributions: Iterable[Contribution],
    pool: int,
    *,
    minimum: int = 0,
    multiplier: int = 1,
    cap: int | None = None,
) -> Allocation:
    """Allocate `pool` among projects by quadratic funding (see the module docstring for the rules)."""
    _check_inputs(pool, minimum, multiplier, cap)
    per_project = _sum_per_contributor(contributions, minimum)
    scaled_raw = {project: _scaled_raw_match(sums.values()) for project, sums in per_project.items()}
    total_scaled = sum(scaled_raw.values())
    saturated = multiplier * total_scaled > pool * _SCALE_SQUARED
    if saturated:
        matches = {project: raw * pool // total_scaled for project, raw in scaled_raw.items()}
    else:
        matches = {project: multiplier * raw // _SCALE_SQUARED for project, raw in scaled_raw.items()}
    if cap is not None:
        matches = _apply_cap(matches, cap)
    projects = {
        project: ProjectMatch(
            project=project,
            contributors=len(sums),
            total_received=sum(sums.values()),
            raw_match=scaled_raw[project] // _SCALE_SQUARED,
            match=matches[project],
        )
        for project, sums in per_project.items()
    }
    return Allocation(pool=pool, multiplier=multiplier, saturated=saturated, projects=projects)


def _check_inputs(pool: int, minimum: int, multiplier: int, cap: int | None) -> None:
    if pool < 0:
        raise MatchingInputError(f"pool must not be negative, got {pool}")
    if minimum < 0:
        raise MatchingInputError(f"minimum must not be negative, got {minimum}")
    if not MIN_MULTIPLIER <= multiplier <= MAX_MULTIPLIER:
        raise MatchingInputError(f"multiplier must be {MIN_MULTIPLIER}-{MAX_MULTIPLIER}, got {multiplier}")
    if cap is not None and cap < 0:
        raise MatchingInputError(f"cap must not be negative, got {cap}")


def _sum_per_contributor(contributions: Iterable[Contribution], minimum: int) -> dict[str, dict[str, int]]:
    per_project: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for contribution in contributions:
        if contribution.amount < 0:
            raise MatchingInputError(f"contribution amount must not be negative: {contribution}")
        if contribution.amount == 0 or contribution.amount < minimum:
            continue
        per_project[contribution.project][contribution.contributor] += contribution.amount
    return {project: dict(sums) for project, sums in per_project.items()}


def _scaled_raw_match(contributor_sums: Iterable[int]) -> int:
    """(Σ√cᵢ)² − Σcᵢ, in units of 10⁻¹⁸ token units; 0 for fewer than two contributors."""
    amounts = list(contributor_sums)
    if len(amounts) < 2:
        return 0
    sum_of_roots = sum(isqrt(amount * _SCALE_SQUARED) for amount in amounts)
    return max(0, sum_of_roots * sum_of_roots - sum(amounts) * _SCALE_SQUARED)


def _apply_cap(matches: dict[str, int], cap: int) -> dict[str, int]:
    capped = dict(matches)
    while True:
        overflow = 0
        for project, match in capped.items():
            if match > cap:
                overflow += match - cap
                capped[project] = cap
        below_cap = {project: match for project, match in capped.items() if match < cap}
        below_total = sum(below_cap.values())
        if overflow == 0 or below_total == 0:
            return capped
        for project, match in below_cap.items():
            capped[project] = match + match * overflow // below_total


# ----- inputs fingerprint -----


def inputs_document(
    contributions: Iterable[Contribution],
    pool: int,
    *,
    minimum: int = 0,
    multiplier: int = 1,
    cap: int | None = None,
) -> bytes:
    """Canonical JSON of a computation's inputs: what is pinned to IPFS and hashed into `inputsHash`."""
    document = {
        "algorithm": "gitcoin-linear-qf/v1",
        "sqrt_digits": SQRT_DIGITS,
        "pool": str(pool),
        "minimum": str(minimum),
        "multiplier": multiplier,
        "cap": None if cap is None else str(cap),
        "contributions": sorted([c.project, c.contributor, str(c.amount)] for c in contributions),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def inputs_hash(document: bytes) -> bytes:
    """keccak256 of the inputs document, committed on-chain next to the root."""
    return keccak(document)


# ----- Merkle tree (OpenZeppelin StandardMerkleTree over MatchingPool's leaves) -----


@dataclass(frozen=True, slots=True)
class ClaimScope:
    """Where a claim tree pays: MatchingPool `pool`'s round `round_id` on chain `chain_id`."""

    chain_id: int
    pool: str
    round_id: int


@dataclass(frozen=True, slots=True)
class Claim:
    """One leaf: `account` may claim `amount` as leaf `index`."""

    index: int
    account: str
    amount: int


def leaf_hash(scope: ClaimScope, index: int, account: str, amount: int) -> bytes:
    """keccak256(bytes.concat(keccak256(abi.encode(chainId, pool, roundId, index, account, amount)))),
    as `MatchingPool.leafHash` computes it."""
    encoded = b"".join(
        (
            scope.chain_id.to_bytes(32, "big"),
            _address_word(scope.pool),
            scope.round_id.to_bytes(32, "big"),
            index.to_bytes(32, "big"),
            _address_word(account),
            amount.to_bytes(32, "big"),
        )
    )
    return keccak(keccak(encoded))


def _address_word(address: str) -> bytes:
    return bytes(12) + bytes.fromhex(to_checksum_address(address)[2:])


def _hash_pair(a: bytes, b: bytes) -> bytes:
    return keccak(a + b) if a <= b else keccak(b + a)


def process_proof(proof: Sequence[bytes], leaf: bytes) -> bytes:
    """The root a proof leads to, as OpenZeppelin's `MerkleProof.processProof` computes it."""
    node = leaf
    for sibling in proof:
        node = _hash_pair(node, sibling)
    return node


class MerkleTree:
    """A complete binary tree over sorted leaf hashes, laid out as OpenZeppelin's merkle-tree does."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        if not leaves:
            raise MatchingInputError("a Merkle tree needs at least one leaf")
        ordered = sorted(leaves)
        size = 2 * len(ordered) - 1
        nodes: list[bytes] = [b""] * size
        for position, leaf in enumerate(ordered):
            nodes[size - 1 - position] = leaf
        for node in range(size - 1 - len(ordered), -1, -1):
            nodes[node] = _hash_pair(nodes[2 * node + 1], nodes[2 * node + 2])
        self._nodes = nodes
        self._position = {leaf: size - 1 - position for position, leaf in enumerate(ordered)}

    @property
    def root(self) -> bytes:
        return self._nodes[0]

    def proof(self, leaf: bytes) -> list[bytes]:
        """Sibling hashes from `leaf` up to the root."""
        if leaf not in self._position:
            raise MatchingInputError(f"leaf 0x{leaf.hex()} is not in the tree")
        node = self._position[leaf]
        proof = []
        while node > 0:
            sibling = node + 1 if node % 2 == 1 else node - 1
            proof.append(self._nodes[sibling])
            node = (node - 1) // 2
        return proof


@dataclass(frozen=True, slots=True)
class ClaimTree:
    """The claims of a round, their Merkle root and every proof."""

    root: bytes
    claims: list[Claim]
    proofs: dict[int, list[bytes]]

    @property
    def total(self) -> int:
        return sum(claim.amount for claim in self.claims)

    def claim_of(self, account: str) -> Claim:
        wanted = to_checksum_address(account)
        for claim in self.claims:
            if claim.account == wanted:
                return claim
        raise MatchingInputError(f"{account} has no claim")


def build_claim_tree(amounts: Mapping[str, int], scope: ClaimScope) -> ClaimTree:
    """Leaves for every account with a positive amount, indexed in ascending address order, to be
    claimed in `scope`.

    With no positive amount the root is 32 zero bytes, which no proof reaches.
    """
    positive: dict[str, int] = {}
    for account, amount in amounts.items():
        checksummed = to_checksum_address(account)
        if checksummed in positive:
            raise MatchingInputError(f"{checksummed} appears twice")
        if amount < 0:
            raise MatchingInputError(f"negative amount {amount} for {checksummed}")
        if amount > 0:
            positive[checksummed] = amount
    ordered = sorted(positive, key=lambda account: int(account, 16))
    claims = [Claim(index=index, account=account, amount=positive[account]) for index, account in enumerate(ordered)]
    if not claims:
        # Nothing to claim: a zero root no proof can reach, committed with an allocation of 0.
        return ClaimTree(root=bytes(32), claims=[], proofs={})
    leaves = {c.index: leaf_hash(scope, c.index, c.account, c.amount) for c in claims}
    tree = MerkleTree(list(leaves.values()))
    proofs = {index: tree.proof(leaf) for index, leaf in leaves.items()}
    return ClaimTree(root=tree.root, claims=claims, proofs=proofs)
