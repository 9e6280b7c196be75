"""HelpDesk: native donations into per-request escrow, DAO-approved withdrawals.

These cover the escrow basics (donations, refusals, approvals, withdrawals, reentrancy);
request life cycle, ERC-20s, emergencies and refunds belong with HelpDesk's own suite.
"""

from typing import Any

import pytest
from eth_utils import keccak

from tests.contracts.reverts import reverts_with

ONE_MATIC = 10**18
NATIVE = "0x0000000000000000000000000000000000000000"
GENERAL_FUND = 0
WEEK = 7 * 24 * 3600


def open_request(chain: Any, help_desk: Any, requester: Any) -> int:
    deadline = chain.pending_timestamp + WEEK
    help_desk.openRequest(NATIVE, 5 * ONE_MATIC, "flood", "u4pruyd", "bafyevidence", False, deadline, sender=requester)
    return int(help_desk.requestCount()) - 1


def test_donate_emits_donated_with_running_total(help_desk: Any, donor: Any) -> None:
    receipt = help_desk.donate(GENERAL_FUND, sender=donor, value=3 * ONE_MATIC)

    assert receipt.events == [help_desk.Donated(GENERAL_FUND, donor, NATIVE, 3 * ONE_MATIC, 3 * ONE_MATIC)]
    assert help_desk.contributionOf(GENERAL_FUND, NATIVE, donor) == 3 * ONE_MATIC


def test_donations_accumulate_per_donor_and_per_request(
    chain: Any, help_desk: Any, donor: Any, other_donor: Any, stranger: Any
) -> None:
    request_id = open_request(chain, help_desk, stranger)
    help_desk.donate(request_id, sender=donor, value=ONE_MATIC)
    help_desk.donate(request_id, sender=other_donor, value=5)
    help_desk.donate(GENERAL_FUND, sender=donor, value=7)
    receipt = help_desk.donate(request_id, sender=donor, value=2 * ONE_MATIC)

    assert receipt.events == [help_desk.Donated(request_id, donor, NATIVE, 2 * ONE_MATIC, 3 * ONE_MATIC)]
    assert help_desk.contributionOf(request_id, NATIVE, donor) == 3 * ONE_MATIC
    assert help_desk.contributionOf(request_id, NATIVE, other_donor) == 5
    assert help_desk.contributionOf(GENERAL_FUND, NATIVE, donor) == 7
    assert help_desk.ledger(request_id, NATIVE).donated == 3 * ONE_MATIC + 5
    assert help_desk.balance == 3 * ONE_MATIC + 12


def test_zero_donation_reverts(help_desk: Any, donor: Any) -> None:
    with reverts_with(help_desk.HelpDeskZeroAmount):
        help_desk.donate(GENERAL_FUND, sender=donor, value=0)


def test_donation_to_unknown_request_reverts(help_desk: Any, donor: Any) -> None:
    with reverts_with(help_desk.HelpDeskUnknownRequest, requestId=99):
        help_desk.donate(99, sender=donor, value=ONE_MATIC)


def test_plain_transfer_reverts(help_desk: Any, donor: Any) -> None:
    with reverts_with(help_desk.HelpDeskUseDonate):
        donor.transfer(help_desk, ONE_MATIC)
    assert help_desk.balance == 0


def test_approval_only_by_approver(chain: Any, help_desk: Any, donor: Any, stranger: Any) -> None:
    request_id = open_request(chain, help_desk, stranger)
    help_desk.donate(request_id, sender=donor, value=ONE_MATIC)

    with reverts_with(
        help_desk.AccessControlUnauthorizedAccount, account=stranger.address, neededRole=keccak(text="APPROVER_ROLE")
    ):
        help_desk.approveWithdrawal(request_id, NATIVE, ONE_MATIC, sender=stranger)


def test_approval_bad_amounts_revert(chain: Any, help_desk: Any, owner: Any, donor: Any, stranger: Any) -> None:
    request_id = open_request(chain, help_desk, stranger)
    help_desk.donate(request_id, sender=donor, value=ONE_MATIC)

    with reverts_with(help_desk.HelpDeskZeroAmount):
        help_desk.approveWithdrawal(request_id, NATIVE, 0, sender=owner)
    with reverts_with(help_desk.HelpDeskExceedsAvailable, requested=ONE_MATIC + 1, available=ONE_MATIC):
        help_desk.approveWithdrawal(request_id, NATIVE, ONE_MATIC + 1, sender=owner)


def test_withdraw_bad_caller_and_amounts_revert(
    chain: Any, help_desk: Any, owner: Any, donor: Any, stranger: Any
) -> None:
    request_id = open_request(chain, help_desk, stranger)
    help_desk.donate(request_id, sender=donor, value=2 * ONE_MATIC)
    help_desk.approveWithdrawal(request_id, NATIVE, ONE_MATIC, sender=owner)

    with reverts_with(help_desk.HelpDeskNotRequester, caller=donor.address, requester=stranger.address):
        help_desk.withdraw(request_id, NATIVE, ONE_MATIC, sender=donor)
    with reverts_with(help_desk.HelpDeskZeroAmount):
        help_desk.withdraw(request_id, NATIVE, 0, sender=stranger)
    with reverts_with(help_desk.HelpDeskExceedsApproved, requested=ONE_MATIC + 1, withdrawable=ONE_MATIC):
        help_desk.withdraw(request_id, NATIVE, ONE_MATIC + 1, sender=stranger)


def test_approved_withdrawal_moves_funds_and_emits(
    chain: Any, help_desk: Any, owner: Any, donor: Any, stranger: Any
) -> None:
    request_id = open_request(chain, help_desk, stranger)
    help_desk.donate(request_id, sender=donor, value=2 * ONE_MATIC)
    approval = help_desk.approveWithdrawal(request_id, NATIVE, ONE_MATIC, sender=owner)
    before = stranger.balance

    receipt = help_desk.withdraw(request_id, NATIVE, ONE_MATIC, sender=stranger)

    assert approval.events == [help_desk.WithdrawalApproved(request_id, NATIVE, ONE_MATIC, ONE_MATIC)]
    assert receipt.events == [help_desk.Withdrawn(request_id, stranger, NATIVE, ONE_MATIC)]
    assert stranger.balance == before + ONE_MATIC - receipt.total_fees_paid
    assert help_desk.balance == ONE_MATIC
    assert help_desk.ledger(request_id, NATIVE).withdrawn == ONE_MATIC


def test_requester_contract_without_reentry_withdraws(
    chain: Any, project: Any, help_desk: Any, owner: Any, donor: Any
) -> None:
    requester = owner.deploy(project.TestReentrantRecipient, help_desk)
    requester.openRequest(chain.pending_timestamp + WEEK, sender=owner)
    request_id = requester.requestId()
    help_desk.donate(request_id, sender=donor, value=ONE_MATIC)
    help_desk.approveWithdrawal(request_id, NATIVE, ONE_MATIC, sender=owner)

    requester.withdraw(ONE_MATIC, 0, sender=owner)

    assert requester.balance == ONE_MATIC


@pytest.mark.parametrize("reentry_amount", [1, ONE_MATIC])
def test_reentrant_withdraw_fails(
    chain: Any, project: Any, help_desk: Any, owner: Any, donor: Any, reentry_amount: int
) -> None:
    attacker = owner.deploy(project.TestReentrantRecipient, help_desk)
    attacker.openRequest(chain.pending_timestamp + WEEK, sender=owner)
    request_id = attacker.requestId()
    help_desk.donate(request_id, sender=donor, value=3 * ONE_MATIC)
    help_desk.approveWithdrawal(request_id, NATIVE, 3 * ONE_MATIC, sender=owner)

    with reverts_with(help_desk.ReentrancyGuardReentrantCall):
        attacker.withdraw(ONE_MATIC, reentry_amount, sender=owner)

    assert help_desk.balance == 3 * ONE_MATIC
    assert help_desk.ledger(request_id, NATIVE).withdrawn == 0
