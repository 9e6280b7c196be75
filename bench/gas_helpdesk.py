"""Gas used by HelpDesk's money paths, next to plain transfers measured in the same run.

    python -m bench.gas_helpdesk

Deploys HelpDesk (bare, and wired to GovernanceToken + ReputationBadge rewards) on ape's
in-process EthTester chain and measures: opening a help request, a native donation (first and
repeat donor), a USDC donation, a DAO approval, the requester's withdrawal, a donor's refund, a
general-fund donation with rewards (the only donation rewarded at once), and a donor's
`claimReward` for the approved part of a closed request (mint + reputation points). A donation
to a request mints nothing since issue 10, rewarded or not. The baselines are a plain native
transfer and a plain ERC-20 transfer. Figures are single transactions on warm storage unless the
row says "first".
"""

from typing import Any

from ape import accounts, chain, project

from bench._ape import deploy_governance_token, on_test_chain

ONE = 10**18
USDC = 10**6
NATIVE = "0x0000000000000000000000000000000000000000"
GENERAL_FUND = 0
DAY = 24 * 3600
CID = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"


def open_request(help_desk: Any, requester: Any, currency: str = NATIVE) -> tuple[int, Any]:
    deadline = chain.pending_timestamp + 7 * DAY
    receipt = help_desk.openRequest(currency, 5 * ONE, "flood", "u4pruyd", CID, False, deadline, sender=requester)
    return int(receipt.events[0].requestId), receipt


def rewarded(owner: Any) -> Any:
    token = deploy_governance_token(owner)
    badges = owner.deploy(project.ReputationBadge, owner)
    help_desk = owner.deploy(project.HelpDesk, owner, owner)
    token.grantRole(token.DONATION_RECORDER_ROLE(), help_desk, sender=owner)
    badges.grantRole(badges.ACTIVITY_RECORDER_ROLE(), help_desk, sender=owner)
    help_desk.setRewards(token, badges, sender=owner)
    return help_desk


def measure() -> list[tuple[str, int]]:
    owner, donor, other, requester = accounts.test_accounts[:4]
    help_desk = owner.deploy(project.HelpDesk, owner, owner)
    usdc = owner.deploy(project.TestMintableToken, "USD Coin", "USDC", 6)
    help_desk.setCurrencyAllowed(usdc, True, sender=owner)
    usdc.mint(donor, 1_000 * USDC, sender=owner)
    usdc.approve(help_desk, 2**256 - 1, sender=donor)

    rows: list[tuple[str, int]] = []
    rows.append(("baseline: native transfer", donor.transfer(other, ONE).gas_used))
    usdc.transfer(other, USDC, sender=donor)
    rows.append(("baseline: ERC-20 transfer (warm)", usdc.transfer(other, USDC, sender=donor).gas_used))

    request_id, opened = open_request(help_desk, requester)
    rows.append(("openRequest", opened.gas_used))
    rows.append(("donate native, first donor", help_desk.donate(request_id, sender=donor, value=ONE).gas_used))
    rows.append(("donate native, repeat donor", help_desk.donate(request_id, sender=donor, value=ONE).gas_used))
    rows.append(("donateToken USDC, first", help_desk.donateToken(request_id, usdc, USDC, sender=donor).gas_used))
    rows.append(("donateToken USDC, repeat", help_desk.donateToken(request_id, usdc, USDC, sender=donor).gas_used))
    approval = help_desk.approveWithdrawal(request_id, NATIVE, ONE, sender=owner)
    rows.append(("approveWithdrawal (timelock call)", approval.gas_used))
    rows.append(("withdraw approved native", help_desk.withdraw(request_id, NATIVE, ONE, sender=requester).gas_used))

    refund_id, _ = open_request(help_desk, requester)
    help_desk.donate(refund_id, sender=donor, value=ONE)
    help_desk.rejectRequest(refund_id, sender=owner)
    rows.append(("claimRefund native", help_desk.claimRefund(refund_id, NATIVE, sender=donor).gas_used))

    with_rewards = rewarded(owner)
    with_rewards.donate(GENERAL_FUND, sender=other, value=ONE)
    general = with_rewards.donate(GENERAL_FUND, sender=donor, value=ONE)
    rows.append(("donate general fund + token & badge rewards", general.gas_used))
    rewarded_id, _ = open_request(with_rewards, requester)
    rows.append(
        (
            "donate native, rewards on (none at donation)",
            with_rewards.donate(rewarded_id, sender=other, value=2 * ONE).gas_used,
        )
    )
    with_rewards.approveWithdrawal(rewarded_id, NATIVE, ONE, sender=owner)
    with_rewards.rejectRequest(rewarded_id, sender=owner)
    rows.append(
        ("claimReward native (mint + points)", with_rewards.claimReward(rewarded_id, NATIVE, sender=other).gas_used)
    )
    return rows


def main() -> None:
    rows = on_test_chain(measure)
    baseline = dict(rows)["baseline: native transfer"]
    print(f"\n| {'HelpDesk operation':<46} | {'gas':>8} | {'× native transfer':>17} |")
    print(f"|{'-' * 48}|{'-' * 10}|{'-' * 19}|")
    for name, gas in rows:
        print(f"| {name:<46} | {gas:>8,} | {gas / baseline:>16.2f}x |")


if __name__ == "__main__":
    main()
