"""Gas used by ImpactChain's governance contracts next to a plain OpenZeppelin composition.

    python -m bench.gas

Deploys GovernanceToken (behind its UUPS proxy), ReputationBadge, GuardianCouncil, DAOTimelock
and DAOCore, and beside them MockReferenceVotesToken + MockReferenceGovernor (plain OZ
ERC20Votes + Governor from the same library), on ape's in-process EthTester chain, then runs
the same operations on both and prints one table. castVote is shown for the first voter on a
proposal, for the later voters (mean of two), and as the mean over all three, voting in the same
order on each side. The first vote differs most: OZ's first vote creates the proposal's tally
slot (a zero-to-non-zero write), while DAOCore's proposal record is created by `propose` (it
carries the snapshot and deadline a vote reads), so its propose costs more and its first vote
less. "Later voters" is the like-for-like steady state.

A third column runs the same plain MockReferenceGovernor over the IMPACT token itself: governor
operations read votes through the token's UUPS proxy (~5k gas per castVote), so that column
isolates what DAOCore adds to a Governor from what the upgradeable token adds. Targets from
issue 3 are checked against both.
"""

import statistics
from collections.abc import Callable
from typing import Any

from ape import accounts, chain, project
from eth_account import Account
from eth_utils import keccak

from bench._ape import deploy_governance_token, on_test_chain

TOKEN = 10**18
VOTING_DELAY = 1
VOTING_PERIOD = 10
MIN_DELAY = 60
HELP_REQUEST, FOUNDER_IDEA = 0, 1
FOR = 1
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


def fresh_addresses(count: int) -> list[str]:
    return [Account.create().address for _ in range(count)]


def mean_gas(receipts: list[Any]) -> float:
    return statistics.fmean(r.gas_used for r in receipts)


def deploy_impactchain(owner: Any) -> dict[str, Any]:
    token = deploy_governance_token(owner)
    badges = owner.deploy(project.ReputationBadge, owner)
    badges.grantRole(badges.ISSUER_ROLE(), owner, sender=owner)
    timelock = owner.deploy(project.DAOTimelock, MIN_DELAY, [], [], owner)
    council = owner.deploy(project.GuardianCouncil, owner, [owner], 1)
    # The benchmark's proposals call token.name(): allowlisted for both restricted types.
    name = keccak(text="name()")[:4]
    policy = [(HELP_REQUEST, token.address, name, False), (FOUNDER_IDEA, token.address, name, False)]
    dao = owner.deploy(
        project.DAOCore,
        token,
        timelock,
        badges,
        council,
        VOTING_DELAY,
        VOTING_PERIOD,
        0,
        4,
        MIN_DELAY,
        policy,
        ZERO_ADDRESS,
    )
    council.setDAO(dao, sender=owner)
    return {"token": token, "governor": dao, "timelock": timelock, "badges": badges}


def deploy_reference(owner: Any) -> dict[str, Any]:
    token = owner.deploy(project.MockReferenceVotesToken, owner)
    timelock = owner.deploy(project.DAOTimelock, MIN_DELAY, [], [], owner)
    governor = owner.deploy(project.MockReferenceGovernor, token, timelock, VOTING_DELAY, VOTING_PERIOD, 4)
    return {"token": token, "governor": governor, "timelock": timelock}


def wire_timelock(stack: dict[str, Any], owner: Any) -> None:
    timelock, governor = stack["timelock"], stack["governor"]
    for role in (timelock.PROPOSER_ROLE(), timelock.CANCELLER_ROLE(), timelock.EXECUTOR_ROLE()):
        timelock.grantRole(role, governor, sender=owner)


def mine_past(block_number: int) -> None:
    gap = block_number - chain.blocks.head.number
    if gap >= 0:
        chain.mine(gap + 1)


def deploy_reference_governor_over(token: Any, owner: Any) -> dict[str, Any]:
    timelock = owner.deploy(project.DAOTimelock, MIN_DELAY, [], [], owner)
    governor = owner.deploy(project.MockReferenceGovernor, token, timelock, VOTING_DELAY, VOTING_PERIOD, 4)
    return {"token": token, "governor": governor, "timelock": timelock}


def run_proposal(
    stack: dict[str, Any], proposer: Any, voters: list[Any], title: str, propose: Callable[..., Any]
) -> dict[str, float]:
    token, governor = stack["token"], stack["governor"]
    targets, values, calldatas = [token.address], [0], [bytes(token.name.encode_input())]
    proposed = propose(targets, values, calldatas, title)
    proposal_id = governor.getProposalId(targets, values, calldatas, keccak(text=title))
    mine_past(governor.proposalSnapshot(proposal_id))
    votes = [governor.castVote(proposal_id, FOR, sender=voter) for voter in voters]
    mine_past(governor.proposalDeadline(proposal_id))
    queued = governor.queue(targets, values, calldatas, keccak(text=title), sender=proposer)
    chain.pending_timestamp += MIN_DELAY
    chain.mine()
    executed = governor.execute(targets, values, calldatas, keccak(text=title), sender=proposer)
    return {
        "propose": proposed.gas_used,
        "castVote first": votes[0].gas_used,
        "castVote later": mean_gas(votes[1:]),
        "castVote": mean_gas(votes),
        "queue": queued.gas_used,
        "execute": executed.gas_used,
    }


Row = tuple[str, float, float | None, float | None]


def measure() -> list[Row]:
    owner, *voters = list(accounts.test_accounts)[:4]
    ours, reference = deploy_impactchain(owner), deploy_reference(owner)
    same_token = deploy_reference_governor_over(ours["token"], owner)
    rows: list[Row] = []

    single_ours = mean_gas([ours["token"].mint(a, TOKEN, sender=owner) for a in fresh_addresses(5)])
    single_ref = mean_gas([reference["token"].mint(a, TOKEN, sender=owner) for a in fresh_addresses(5)])
    rows.append(("mint (new holder)", single_ours, single_ref, None))
    for size in (10, 100):
        batch = ours["token"].mintBatch(fresh_addresses(size), [TOKEN] * size, sender=owner)
        rows.append((f"mintBatch {size}, per recipient", batch.gas_used / size, None, None))

    delegations: dict[str, list[Any]] = {"ours": [], "ref": []}
    for voter in voters:
        for side, stack in (("ours", ours), ("ref", reference)):
            stack["token"].mint(voter, 10 * TOKEN, sender=owner)
            delegations[side].append(stack["token"].invoke_transaction("delegate", voter, sender=voter))
        ours["badges"].issue(voter, ours["badges"].DONOR(), sender=owner)
    rows.append(("delegate (self, first time)", mean_gas(delegations["ours"]), mean_gas(delegations["ref"]), None))
    for stack in (ours, reference, same_token):
        wire_timelock(stack, owner)
    chain.mine()

    dao, ref_gov, same_gov = ours["governor"], reference["governor"], same_token["governor"]
    simple = run_proposal(ours, voters[0], voters, "simple", lambda *a: dao.propose(*a, sender=voters[0]))
    quadratic = run_proposal(
        ours,
        voters[0],
        voters,
        "quadratic#type=FOUNDER_IDEA",
        lambda *a: dao.proposeTyped(*a, FOUNDER_IDEA, sender=voters[0]),
    )
    baseline = run_proposal(reference, voters[0], voters, "simple", lambda *a: ref_gov.propose(*a, sender=voters[0]))
    over_impact = run_proposal(
        same_token, voters[0], voters, "simple", lambda *a: same_gov.propose(*a, sender=voters[0])
    )
    for name, key, ours_figures in (
        ("propose", "propose", simple),
        ("castVote (simple), first voter", "castVote first", simple),
        ("castVote (simple), later voters", "castVote later", simple),
        ("castVote (simple), mean of 3", "castVote", simple),
        ("castVote (QV), first voter", "castVote first", quadratic),
        ("castVote (QV), later voters", "castVote later", quadratic),
        ("castVote (QV), mean of 3", "castVote", quadratic),
        ("queue", "queue", simple),
        ("execute", "execute", simple),
    ):
        rows.append((name, ours_figures[key], baseline[key], over_impact[key]))
    return rows


def _ratio(ours: float, other: float | None) -> str:
    return f"{ours / other:>7.1%}" if other else f"{'':>7}"


def _figure(value: float | None) -> str:
    return f"{value:>12,.0f}" if value is not None else f"{'—':>12}"


def print_table(rows: list[Row]) -> None:
    print(
        f"| {'operation':<32} | {'ImpactChain':>11} | {'OZ stack':>12} | {'ratio':>7} "
        f"| {'OZ Gov/IMPACT':>12} | {'ratio':>7} |"
    )
    print(f"|{'-' * 34}|{'-' * 13}|{'-' * 14}|{'-' * 9}|{'-' * 14}|{'-' * 9}|")
    for name, ours, ref, same in rows:
        print(
            f"| {name:<32} | {ours:>11,.0f} | {_figure(ref)} | {_ratio(ours, ref)} "
            f"| {_figure(same)} | {_ratio(ours, same)} |"
        )


def check_targets(rows: list[Row]) -> None:
    by_name = {name: (ours, ref, same) for name, ours, ref, same in rows}
    single = by_name["mint (new holder)"][0]
    print()
    for label, row, limit in (
        ("simple castVote (later voters) <= 105%", "castVote (simple), later voters", 1.05),
        ("simple castVote (mean of 3) <= 105%", "castVote (simple), mean of 3", 1.05),
        ("QV castVote (later voters) <= 125%", "castVote (QV), later voters", 1.25),
        ("QV castVote (mean of 3) <= 125%", "castVote (QV), mean of 3", 1.25),
    ):
        ours, ref, same = by_name[row]
        for against, value in (("OZ stack", ref), ("OZ Governor over IMPACT", same)):
            assert value is not None
            verdict = "PASS" if ours / value <= limit else "FAIL"
            print(f"{verdict}  {label} of {against}: {ours / value:.1%}")
    batch = by_name["mintBatch 100, per recipient"][0] / single
    print(f"{'PASS' if batch <= 0.60 else 'FAIL'}  mintBatch 100 per recipient <= 60% of single mint: {batch:.1%}")


def main() -> None:
    rows = on_test_chain(measure)
    print_table(rows)
    check_targets(rows)


if __name__ == "__main__":
    main()
