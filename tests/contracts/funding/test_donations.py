"""FundingRound donations: native MATIC and allowlisted ERC-20s (6-decimal USDC), per-donor and
per-currency records and the MATIC-equivalent goal count. Donations mint nothing: rewards are
claimed for released money (test_reward_farming)."""

from collections.abc import Callable
from typing import Any

from tests.contracts.funding.round_params import NATIVE, ONE, USDC_EQUIVALENT, RoundSpec
from tests.contracts.reverts import reverts_with
from tests.contracts.tokens import USDC


def test_native_donation_is_recorded_and_not_rewarded_yet(
    funding_round: Any, rewards_token: Any, rewards_badges: Any, donor: Any
) -> None:
    receipt = funding_round.donate(sender=donor, value=2 * ONE)

    assert receipt.events == [funding_round.Donated(donor, NATIVE, 2 * ONE, 2 * ONE, 2 * ONE)]
    assert funding_round.contributionOf(donor, NATIVE) == 2 * ONE
    assert funding_round.ledger(NATIVE).raised == 2 * ONE
    assert funding_round.raisedEquivalent() == 2 * ONE
    assert funding_round.balance == 2 * ONE
    assert rewards_token.balanceOf(donor) == 0  # refundable money earns nothing
    assert rewards_badges.reputationOf(donor)[0] == 0
    assert funding_round.claimableReward(donor, NATIVE) == (0, 0)

    funding_round.donate(sender=donor, value=ONE)
    assert funding_round.contributionOf(donor, NATIVE) == 3 * ONE


def test_usdc_donation_counts_six_decimals_at_the_governance_rate(
    funding_round: Any, usdc: Any, rewards_token: Any, donor: Any
) -> None:
    amount = 1_500_000  # 1.5 USDC
    receipt = funding_round.donateToken(usdc, amount, sender=donor)

    equivalent = amount * USDC_EQUIVALENT  # 3 MATIC at 2 MATIC per USDC
    assert equivalent == 3 * ONE
    assert receipt.events.filter(funding_round.Donated) == [
        funding_round.Donated(donor, usdc, amount, equivalent, amount)
    ]
    assert usdc.balanceOf(funding_round) == amount
    assert funding_round.contributionOf(donor, usdc) == amount
    assert funding_round.contributionOf(donor, NATIVE) == 0
    assert funding_round.ledger(usdc).raised == amount
    assert funding_round.raisedEquivalent() == equivalent
    assert rewards_token.balanceOf(donor) == 0


def test_goal_adds_native_and_token_equivalents(funding_round: Any, usdc: Any, donor: Any, other_donor: Any) -> None:
    funding_round.donate(sender=donor, value=4 * ONE)
    funding_round.donateToken(usdc, 3 * USDC, sender=other_donor)
    assert funding_round.raisedEquivalent() == 4 * ONE + 6 * ONE


def test_fee_on_transfer_tokens_count_what_arrived(
    project: Any, owner: Any, make_round: Callable[..., Any], rewards_token: Any, founder: Any, donor: Any
) -> None:
    fee_token = owner.deploy(project.TestFeeOnTransferToken)
    fee_token.mint(donor, 1_000 * ONE, sender=owner)
    rewards_token.setDonationRate(fee_token, ONE, sender=owner)
    round_ = make_round(RoundSpec(founder=founder.address, tokens=(fee_token.address,)))
    fee_token.approve(round_, 2**256 - 1, sender=donor)

    round_.donateToken(fee_token, 100 * ONE, sender=donor)

    arrived = fee_token.balanceOf(round_)
    assert 0 < arrived < 100 * ONE
    assert round_.contributionOf(donor, fee_token) == arrived == round_.ledger(fee_token).raised


def test_bad_donations_revert(
    chain: Any, funding_round: Any, usdc: Any, project: Any, owner: Any, donor: Any, after_deadline: Any
) -> None:
    with reverts_with(funding_round.FundingRoundZeroAmount):
        funding_round.donate(sender=donor, value=0)
    with reverts_with(funding_round.FundingRoundZeroAmount):
        funding_round.donateToken(usdc, 0, sender=donor)
    other = owner.deploy(project.TestMintableToken, "Other", "OTH", 18)
    with reverts_with(funding_round.FundingRoundUnsupportedCurrency, currency=other):
        funding_round.donateToken(other, ONE, sender=donor)
    with reverts_with(funding_round.FundingRoundUnsupportedCurrency, currency=NATIVE):
        funding_round.donateToken(NATIVE, ONE, sender=donor)
    with reverts_with(funding_round.FundingRoundUseDonate):
        donor.transfer(funding_round, ONE)

    after_deadline(funding_round)
    with reverts_with(funding_round.FundingRoundDeadlinePassed, deadline=funding_round.deadline()):
        funding_round.donate(sender=donor, value=ONE)
    with reverts_with(funding_round.FundingRoundDeadlinePassed, deadline=funding_round.deadline()):
        funding_round.donateToken(usdc, USDC, sender=donor)


def test_donations_stop_when_cancelled(funding_round: Any, usdc: Any, dao_account: Any, donor: Any) -> None:
    funding_round.cancel(sender=dao_account)
    with reverts_with(funding_round.FundingRoundNotFunding, status=4):
        funding_round.donate(sender=donor, value=ONE)
    with reverts_with(funding_round.FundingRoundNotFunding, status=4):
        funding_round.donateToken(usdc, USDC, sender=donor)


def test_unpriced_token_is_refused(funding_round: Any, usdc: Any, rewards_token: Any, owner: Any, donor: Any) -> None:
    rewards_token.setDonationRate(usdc, 0, sender=owner)
    with reverts_with(funding_round.FundingRoundUnpricedToken, token=usdc):
        funding_round.donateToken(usdc, USDC, sender=donor)
