"""The probes' reports on the wire."""

from typing import Literal

from api.health.service import HealthReport, ReadinessReport
from api.kit.schemas import CamelStruct

PartStatus = Literal["ok", "unavailable"]


class HealthRead(CamelStruct):
    """`ok` when every part answers; otherwise the parts that did not say `unavailable`."""

    status: PartStatus
    database: PartStatus
    chain: PartStatus

    @classmethod
    def from_report(cls, report: HealthReport) -> "HealthRead":
        return cls(status=_word(report.ok), database=_word(report.database_ok), chain=_word(report.chain_ok))


class LiveRead(CamelStruct):
    """The process answers HTTP; says nothing about its dependencies."""

    status: Literal["ok"] = "ok"


class IndexerLagRead(CamelStruct):
    """How many blocks one indexer's checkpoint trails the chain head."""

    name: str
    lag_blocks: int


class ReadyRead(CamelStruct):
    """`ok` when the database and node answer and every indexer is within `allowedLagBlocks` of
    the head; otherwise `reasons` says what is wrong."""

    status: PartStatus
    database: PartStatus
    chain: PartStatus
    head: int | None
    allowed_lag_blocks: int
    indexers: list[IndexerLagRead]
    reasons: list[str]

    @classmethod
    def from_report(cls, report: ReadinessReport) -> "ReadyRead":
        return cls(
            status=_word(report.ok),
            database=_word(report.database_ok),
            chain=_word(report.chain_ok),
            head=report.head,
            allowed_lag_blocks=report.allowed_lag_blocks,
            indexers=[IndexerLagRead(name=i.name, lag_blocks=i.lag_blocks) for i in report.indexers],
            reasons=report.reasons(),
        )


def _word(ok: bool) -> PartStatus:
    return "ok" if ok else "unavailable"
