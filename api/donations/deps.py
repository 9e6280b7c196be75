"""Dependency providers for the donations area."""

from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from api.donations.repository import DonationRepository
from api.donations.service import DonationService


def provide_donation_service(db_session: NamedDependency[AsyncSession]) -> DonationService:
    return DonationService(DonationRepository(db_session))


DONATION_DEPENDENCIES = {"donation_service": Provide(provide_donation_service, sync_to_thread=False)}
