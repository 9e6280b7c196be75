"""All ORM models, kept together; importing this package registers every table."""

from impactchain.models.donation import Donation
from impactchain.models.events import ContractEvent, EventKind
from impactchain.models.funding import FundingRoundRecord, RoundDonation, RoundDonor, RoundEvent, RoundTotal
from impactchain.models.indexer_state import DeferredIndex, IndexedBlock, IndexerCheckpoint, IndexerProjection
from impactchain.models.notification import Notification
from impactchain.models.outbox import OutboxJob

__all__ = [
    "ContractEvent",
    "DeferredIndex",
    "Donation",
    "EventKind",
    "FundingRoundRecord",
    "IndexedBlock",
    "IndexerCheckpoint",
    "IndexerProjection",
    "Notification",
    "OutboxJob",
    "RoundDonation",
    "RoundDonor",
    "RoundEvent",
    "RoundTotal",
]
