"""Dependency providers for the donations area."""

from litestar.di import NamedDependency, Provide

from api.donations.repository import DonationRepository
from api.donations.service import DonationService
from api.kit.database import Database


def provide_donation_service(database: NamedDependency[Database]) -> DonationService:
    return DonationService(DonationRepository(database))


DONATION_DEPENDENCIES = {"donation_service": Provide(provide_donation_service, sync_to_thread=False)}
