"""The health report on the wire."""

from typing import Literal

from api.health.service import HealthReport
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


def _word(ok: bool) -> PartStatus:
    return "ok" if ok else "unavailable"
