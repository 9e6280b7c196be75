"""Gas of issue 4's money paths (FundingRound and its factory, Streams, MatchingPool), next to a
baseline measured in the same run.

    python -m bench.gas_funding

Deploys the factory wired to GovernanceToken (behind its proxy), ReputationBadge, Streams and
CarbonPool on ape's in-process EthTester chain (the factory holds the reward roles: it relays its
rounds' rewards), creates a round (3 milestones, USDC accepted) and measures each money path.
The baseline for a donation is what a donation minimally is: a plain ERC-20 transfer plus a
plain OpenZeppelin ERC20Votes mint (MockReferenceVotesToken, already in use), two transactions
whose gas is added — "new holder" to fresh accounts, "repeat holder" to accounts that already
hold a balance — compared with a new donor's and a repeat donor's native donation. Since issue
10 a donation mints nothing (refundable money earns no votes): the donor later pulls the reward
for what was released with `claimReward` (GovernanceToken.recordDonation through the factory,
plus ReputationBadge.recordActivity on the first claim that reaches the minimum), listed as its
own rows. The round's very first donation is listed too, and so is a known donor's first native
donation to the round (here a donor who gave USDC before). The clone deploy (`createRound`:
clone + initialize + registry) is compared with a full deploy of the same round
(MockStandaloneFundingRound creation + the same `initialize`).

The other money paths of issue 4 run in the same chain: the platform's Streams (a native stream
like the one a round opens for its founder: create, then the founder's first and a later
withdrawal) and a MatchingPool round whose root is a real quadratic-funding allocation computed
by `impactchain.matching` over four projects (the first claim under the root, then a later one).

Targets (issue 4): a native donation ≤ 1.3× the baseline; a clone deploy ≤ 15% of a full deploy.
"""

from typing import Any

from ape import accounts, chain, project
from eth_account import Account
from eth_utils import keccak

from bench._ape import deploy_governance_token, on_test_chain
from impactchain.matching import (
    ClaimScope,
    Contribution,
    build_claim_tree,
    inputs_document,
    inputs_hash,
    quadratic_matches,
)

ONE = 10**18
USDC = 10**6
USDC_RATE = 2 * 10**30
NATIVE = "0x0000000000000000000000000000000000000000"
DAY = 24 * 3600
CID = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
EVIDENCE_HASH = keccak(text=CID)
CARBON_BPS = 500
MATCHING_DONORS = [f"0x{n:040x}" for n in range(1, 6)]


def round_params(founder: Any, usdc: Any) -> tuple[Any, ...]:
    deadline = chain.pending_timestamp + 14 * DAY
    milestones = [(3_000, deadline + 30 * DAY, 0, CID), (3_000, deadline + 60 * DAY, 0, CID)]
    milestones.append((4_000, deadline + 90 * DAY, 0, CID))
    return (founder.address, CID, 10 * ONE, deadline, [usdc.address], milestones)


def platform(owner: Any, usdc: Any) -> tuple[Any, ...]:
    token = deploy_governance_token(owner)
    token.setDonationRate(usdc, USDC_RATE, sender=owner)
    badges = owner.deploy(project.ReputationBadge, owner)
    streams = owner.deploy(project.Streams, owner)
    credits = owner.deploy(project.TestTCO2, owner)
    pool = owner.deploy(project.CarbonPool, owner, credits)
    credits.grantRole(credits.RETIRER_ROLE(), pool, sender=owner)
    credits.mint(pool, 10**9 * ONE, sender=owner)
    pool.setPrice(NATIVE, ONE // 100, sender=owner)
    return token, badges, streams, (owner, token, badges, streams, pool, CARBON_BPS)


def baseline(owner: Any, holder: Any, usdc: Any) -> dict[str, int]:
    votes = owner.deploy(project.MockReferenceVotesToken, owner)
    votes.mint(owner, ONE, sender=owner)  # a token in use: its total supply is not zero
    fresh = [Account.create().address for _ in range(2)]
    first = usdc.transfer(fresh[0], USDC, sender=holder).gas_used + votes.mint(fresh[1], ONE, sender=owner).gas_used
    repeat = usdc.transfer(fresh[0], USDC, sender=holder).gas_used + votes.mint(fresh[1], ONE, sender=owner).gas_used
    return {"first": first, "repeat": repeat}


def measure() -> tuple[list[tuple[str, int]], dict[str, int]]:
    owner, donor, other, founder, oracle, first = accounts.test_accounts[:6]
    usdc = owner.deploy(project.TestMintableToken, "USD Coin", "USDC", 6)
    for account in (donor, other):
        usdc.mint(account, 1_000 * USDC, sender=owner)
    token, badges, streams, wiring = platform(owner, usdc)
    factory = owner.deploy(project.FundingRoundFactory, owner, wiring)
    factory.grantRole(factory.ORACLE_ROLE(), oracle, sender=owner)
    token.grantRole(token.DONATION_RECORDER_ROLE(), factory, sender=owner)
    badges.grantRole(badges.ACTIVITY_RECORDER_ROLE(), factory, sender=owner)
    base = baseline(owner, donor, usdc)

    rows: list[tuple[str, int]] = []
    created = factory.createRound((1).to_bytes(32, "big"), round_params(founder, usdc), sender=owner)
    rows.append(("clone deploy: createRound (3 milestones)", created.gas_used))
    standalone = owner.deploy(project.MockStandaloneFundingRound, owner, wiring)
    full_deploy = standalone.txn_hash and chain.provider.get_receipt(standalone.txn_hash).gas_used
    full_init = standalone.initialize(round_params(founder, usdc), sender=owner).gas_used
    rows.append(("full deploy: creation + initialize", full_deploy + full_init))

    round_ = project.FundingRound.at(created.events.filter(factory.RoundCreated)[0].round)
    for account in (donor, other):
        usdc.approve(round_, 2**256 - 1, sender=account)
    rows.append(("donate native, the round's very first", round_.donate(sender=first, value=ONE).gas_used))
    rows.append(("donate native, new donor", round_.donate(sender=donor, value=3 * ONE).gas_used))
    rows.append(("donate native, repeat donor", round_.donate(sender=donor, value=2 * ONE).gas_used))
    rows.append(("donateToken USDC, new donor", round_.donateToken(usdc, USDC, sender=other).gas_used))
    rows.append(("donateToken USDC, repeat donor", round_.donateToken(usdc, USDC, sender=other).gas_used))
    rows.append(("donate native, first here by a known donor", round_.donate(sender=other, value=ONE).gas_used))

    chain.pending_timestamp = round_.deadline() + 1
    rows.append(("finalize (keeper)", round_.finalize(sender=other).gas_used))
    rows.append(("submitEvidence", round_.submitEvidence(0, CID, sender=founder).gas_used))
    rows.append(
        ("approveMilestone: release in 2 currencies", round_.approveMilestone(0, EVIDENCE_HASH, sender=oracle).gas_used)
    )
    rows.append(("claimReward native, first (mint + points)", round_.claimReward(NATIVE, sender=donor).gas_used))
    rows.append(("claimReward USDC (mint)", round_.claimReward(usdc, sender=other).gas_used))
    submit_and_approve(round_, founder, oracle, 1)
    rows.append(("claimReward native, later release (mint)", round_.claimReward(NATIVE, sender=donor).gas_used))
    rows.append(("withdraw native (founder)", round_.withdraw(NATIVE, sender=founder).gas_used))
    rows.append(("withdraw USDC (founder)", round_.withdraw(usdc, sender=founder).gas_used))
    rows.append(("offsetCarbon native (keeper)", round_.offsetCarbon(NATIVE, sender=other).gas_used))
    round_.cancel(sender=owner)
    rows.append(("claimRefund native", round_.claimRefund(NATIVE, sender=donor).gas_used))
    rows.extend(stream(streams, other, founder))
    rows.extend(matching(owner, accounts.test_accounts[6:10]))
    return rows, base


def submit_and_approve(round_: Any, founder: Any, oracle: Any, milestone_id: int) -> None:
    round_.submitEvidence(milestone_id, CID, sender=founder)
    round_.approveMilestone(milestone_id, EVIDENCE_HASH, sender=oracle)


def stream(streams: Any, funder: Any, founder: Any) -> list[tuple[str, int]]:
    """A native stream to the founder over 30 days, as a round opens it; withdrawn after 10 and 20 days."""
    start = chain.pending_timestamp
    created = streams.createStream(
        funder, founder, NATIVE, 3 * ONE, start, 0, start + 30 * DAY, sender=funder, value=3 * ONE
    )
    stream_id = created.events.filter(streams.StreamCreated)[0].streamId
    chain.pending_timestamp = start + 10 * DAY
    first = streams.withdraw(stream_id, sender=founder)
    chain.pending_timestamp = start + 20 * DAY
    later = streams.withdraw(stream_id, sender=founder)
    return [
        ("stream create (native)", created.gas_used),
        ("stream withdraw, first", first.gas_used),
        ("stream withdraw, later", later.gas_used),
    ]


def matching(owner: Any, projects: list[Any]) -> list[tuple[str, int]]:
    """A native matching round over `projects` (2 to 5 donors each); two of them claim in turn."""
    matching_pool = owner.deploy(project.MatchingPool, owner)
    round_id = matching_pool.openRound(NATIVE, sender=owner).events[0].roundId
    matching_pool.fund(round_id, 10 * ONE, sender=owner, value=10 * ONE)
    contributions = [
        Contribution(donor, recipient.address, (rank + 1) * ONE)
        for count, recipient in enumerate(projects, start=2)
        for rank, donor in enumerate(MATCHING_DONORS[:count])
    ]
    scope = ClaimScope(chain.chain_id, matching_pool.address, round_id)
    tree = build_claim_tree(quadratic_matches(contributions, 10 * ONE).matches, scope)
    document_hash = inputs_hash(inputs_document(contributions, 10 * ONE))
    deadline = chain.pending_timestamp + 7 * DAY
    matching_pool.commitRoot(round_id, tree.root, tree.total, deadline, document_hash, CID, sender=owner)

    def claim(recipient: Any) -> int:
        leaf = tree.claim_of(recipient.address)
        proof = tree.proofs[leaf.index]
        return matching_pool.claim(round_id, leaf.index, leaf.account, leaf.amount, proof, sender=recipient).gas_used

    return [
        (f"matching claim, first under a root ({len(tree.claims)} leaves)", claim(projects[0])),
        (f"matching claim, later under the root ({len(tree.claims)} leaves)", claim(projects[1])),
    ]


def main() -> None:
    rows, base = on_test_chain(measure)
    gas = dict(rows)
    print(f"\n| {'operation (FundingRound, Streams, MatchingPool)':<48} | {'gas':>9} |")
    print(f"|{'-' * 50}|{'-' * 11}|")
    for name, used in rows:
        print(f"| {name:<48} | {used:>9,} |")
    print(f"| {'baseline: transfer + votes mint, new holder':<48} | {base['first']:>9,} |")
    print(f"| {'baseline: transfer + votes mint, repeat holder':<48} | {base['repeat']:>9,} |")
    first = gas["donate native, new donor"] / base["first"]
    repeat = gas["donate native, repeat donor"] / base["repeat"]
    clone = gas["clone deploy: createRound (3 milestones)"] / gas["full deploy: creation + initialize"]
    known = gas["donate native, first here by a known donor"] / base["repeat"]
    print(
        f"\nnative donation / baseline: new donor {first:.3f}x, repeat donor {repeat:.3f}x, "
        f"known donor's first here {known:.3f}x (target ≤ 1.30x)"
    )
    print(f"clone deploy / full deploy: {clone:.1%} (target ≤ 15%)")
    claim = gas["claimReward native, first (mint + points)"]
    both = (gas["donate native, new donor"] + claim) / base["first"]
    print(f"new donor's donation + first claimReward / baseline: {both:.3f}x (two transactions, for information)")


if __name__ == "__main__":
    main()
