"""Thank-you notifications for donations to HelpDesk and to funding rounds."""

from dataclasses import dataclass

import structlog
from web3 import Web3

from impactchain.helpdesk import NATIVE_CURRENCY
from impactchain.models import Donation, Notification, RoundDonation
from workers.notifications.repository import NotificationRepository

log = structlog.get_logger(__name__)

WEI_PER_MATIC = 10**18


@dataclass(frozen=True)
class ThankYouOutcome:
    donation_id: int
    status: str  # "sent", "already-sent" or "donation-gone"


def format_matic(wei: int) -> str:
    """Exact decimal rendering of a wei amount in MATIC (no float rounding)."""
    whole, fraction = divmod(wei, WEI_PER_MATIC)
    if fraction == 0:
        return f"{whole} MATIC"
    return f"{whole}.{fraction:018d}".rstrip("0") + " MATIC"


def format_amount(amount: int, currency: str) -> str:
    """MATIC in decimals; an ERC-20 in its base units with its address (its decimals live on chain)."""
    if currency == NATIVE_CURRENCY:
        return format_matic(amount)
    return f"{amount} base units of token {Web3.to_checksum_address(currency)}"


def thank_you_message(donation: Donation) -> str:
    donated = format_amount(donation.amount, donation.currency)
    total = format_amount(donation.donor_total, donation.currency)
    return (
        f"Thank you for donating {donated} to ImpactChain's help desk "
        f"(transaction {donation.tx_hash}). Your total so far: {total}."
    )


def round_thank_you_message(donation: RoundDonation) -> str:
    donated = format_amount(donation.amount, donation.currency)
    total = format_matic(donation.donor_total)
    return (
        f"Thank you for donating {donated} to funding round {Web3.to_checksum_address(donation.round)} "
        f"(transaction {donation.tx_hash}). Your total in this round so far: {total} equivalent."
    )


async def send_thank_you(repository: NotificationRepository, donation_id: int) -> ThankYouOutcome:
    donation = await repository.donation(donation_id)
    if donation is None:
        # The donation was rolled back by a reorg after the job was enqueued.
        return ThankYouOutcome(donation_id, "donation-gone")
    notification = Notification(
        donation_id=donation_id,
        kind="thank-you",
        recipient=Web3.to_checksum_address(donation.donor),
        message=thank_you_message(donation),
    )
    return await _record(repository, notification, donation_id)


async def send_round_thank_you(repository: NotificationRepository, round_donation_id: int) -> ThankYouOutcome:
    donation = await repository.round_donation(round_donation_id)
    if donation is None:
        return ThankYouOutcome(round_donation_id, "donation-gone")
    notification = Notification(
        round_donation_id=round_donation_id,
        kind="round-thank-you",
        recipient=Web3.to_checksum_address(donation.donor),
        message=round_thank_you_message(donation),
    )
    return await _record(repository, notification, round_donation_id)


async def _record(repository: NotificationRepository, notification: Notification, donation_id: int) -> ThankYouOutcome:
    if not await repository.add_once(notification):
        return ThankYouOutcome(donation_id, "already-sent")
    # Delivery channels (e-mail, push) plug in here; the record is the notification for now.
    log.info(notification.kind + " sent", donation_id=donation_id, recipient=notification.recipient)
    return ThankYouOutcome(donation_id, "sent")
