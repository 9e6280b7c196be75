"""Rules for reading funding rounds: addresses, filters, page size and cursors."""

import re
from dataclasses import dataclass

import asyncpg

from api.kit.addresses import address_key
from api.kit.cursor import Page, page_of, position_before
from api.kit.problems import InvalidFieldError, NotFoundError
from api.rounds.repository import Raised, RoundRepository
from impactchain.funding import ROUND_STATUSES

_EVENT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]{0,63}")
EVENT_NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9]{0,63}$"


@dataclass(frozen=True, slots=True)
class RoundDetail:
    round: asyncpg.Record
    status: str
    raised: list[Raised]
    donors: int


class RoundService:
    def __init__(self, repository: RoundRepository) -> None:
        self._repository = repository

    async def list_rounds(self, *, founder: str | None, cursor: str | None, limit: int) -> Page[asyncpg.Record]:
        """One page of rounds, newest first; `next_cursor` is set only when more rounds follow."""
        founder_key = address_key("founder", founder)
        before = position_before(cursor)
        return page_of(
            await self._repository.list_newest_first(founder=founder_key, before=before, limit=limit + 1), limit
        )

    async def get_round(self, address: str) -> RoundDetail:
        row = await self._repository.detail(address_key("address", address))
        if row is None:
            raise NotFoundError(f"no funding round at {address} has been indexed")
        return RoundDetail(
            round=row,
            status=_status(row["status_event"]),
            raised=[Raised(*raised) for raised in row["raised"]],
            donors=row["donors"],
        )

    async def list_donations(
        self, address: str, *, donor: str | None, cursor: str | None, limit: int
    ) -> Page[asyncpg.Record]:
        """One page of the round's donations, newest first."""
        # Every input is checked before the lookup: a malformed request is 400 even for an unknown round.
        donor_key = address_key("donor", donor)
        before = position_before(cursor)
        round_ = await self._known_round(address)
        rows = await self._repository.donations_newest_first(
            round_address=round_["address"], donor=donor_key, before=before, limit=limit + 1
        )
        return page_of(rows, limit)

    async def list_events(
        self, address: str, *, event: str | None, cursor: str | None, limit: int
    ) -> Page[asyncpg.Record]:
        """One page of the round's other events (all but donations), newest first."""
        if event is not None and not _EVENT_NAME.fullmatch(event):
            raise InvalidFieldError("event", event, f"must be an event name such as MilestoneApproved, got {event!r}")
        before = position_before(cursor)
        round_ = await self._known_round(address)
        rows = await self._repository.events_newest_first(
            round_address=round_["address"], event=event, before=before, limit=limit + 1
        )
        return page_of(rows, limit)

    async def _known_round(self, address: str) -> asyncpg.Record:
        key = address_key("address", address)
        round_ = await self._repository.by_address(key)
        if round_ is None:
            raise NotFoundError(f"no funding round at {address} has been indexed")
        return round_


def _status(latest: tuple[str, str | None] | None) -> str:
    """The round's status as its latest status event set it (Funding until the first)."""
    if latest is None:
        return ROUND_STATUSES[0]
    event, status = latest
    if event == "RoundCancelled":
        return "Cancelled"
    if event == "RoundSettled":
        return "Settled"
    if status is not None and status.isdigit() and int(status) < len(ROUND_STATUSES):
        return ROUND_STATUSES[int(status)]
    return ROUND_STATUSES[0]
