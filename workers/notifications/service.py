"""Thank-you notifications for donations to HelpDesk and to funding rounds."""

from dataclasses import dataclass

import structlog
from web3 import Web3

from impactchain.helpdesk import NATIVE_CURRENCY
from impactchain.models import Donation, Notification, RoundDonation
from workers.notifications.repository import NotificationRepository

log = structlog.get_logger(__name__)

WEI_PER_MATIC = 10**18


@dataclass(frozen=True, slots=True)
class EventIdentity:
    """Which event a job is about, as the chain names it: it survives reorgs and rebuilds, which
    give the event's row a new id."""

    chain_id: int
    tx_hash: str
    log_index: int


@dataclass(frozen=True)
class ThankYouOutcome:
    event: EventIdentity
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


async def send_thank_you(repository: NotificationRepository, event: EventIdentity) -> ThankYouOutcome:
    donation = await repository.donation(event.chain_id, event.tx_hash, event.log_index)
    if donation is None:
        # The donation was rolled back by a reorg after the job was enqueued.
        return ThankYouOutcome(event, "donation-gone")
    notification = Notification(
        chain_id=event.chain_id,
        tx_hash=event.tx_hash,
        log_index=event.log_index,
        donation_id=donation.id,
        kind="thank-you",
        recipient=Web3.to_checksum_address(donation.donor),
        message=thank_you_message(donation),
    )
    return await _record(repository, notification, event)


async def send_round_thank_you(repository: NotificationRepository, event: EventIdentity) -> ThankYouOutcome:
    donation = await repository.round_donation(event.chain_id, event.tx_hash, event.log_index)
    if donation is None:
        return ThankYouOutcome(event, "donation-gone")
    notification = Notification(
        chain_id=event.chain_id,
        tx_hash=event.tx_hash,
        log_index=event.log_index,
        round_donation_id=donation.id,
        kind="round-thank-you",
        recipient=Web3.to_checksum_address(donation.donor),
        message=round_thank_you_message(donation),
    )
    return await _record(repository, notification, event)


async def _record(
    repository: NotificationRepository, notification: Notification, event: EventIdentity
) -> ThankYouOutcome:
    if not await repository.add_once(notification):
        return ThankYouOutcome(event, "already-sent")
    # Delivery channels (e-mail, push) plug in here; the record is the notification for now.
    log.info(
        notification.kind + " sent", tx_hash=event.tx_hash, log_index=event.log_index, recipient=notification.recipient
    )
    return ThankYouOutcome(event, "sent")
