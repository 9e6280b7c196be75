"""The backfill progress line: blocks, events/s and an ETA while far behind; silent at the head."""

import pytest
from structlog.testing import capture_logs

from indexer.service import BackfillProgress, StepResult


def test_a_backfill_reports_its_rate_and_eta(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([0.0, 10.0, 10.0])
    monkeypatch.setattr("indexer.service.time.monotonic", lambda: next(clock))
    progress = BackfillProgress("platform:x")
    with capture_logs() as logs:
        progress.stepped(StepResult(1, 1000, 50_000), head=11_000)  # 1,000 blocks in 10 s: 10,000 to go
    (line,) = logs
    assert line["event"] == "backfill progress"
    assert (line["block"], line["head"], line["events_per_s"], line["blocks_per_s"]) == (1000, 11_000, 5000, 100.0)
    assert line["eta"] == "1m40s"


def test_tailing_the_head_logs_no_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([0.0, 10.0, 10.0])
    monkeypatch.setattr("indexer.service.time.monotonic", lambda: next(clock))
    progress = BackfillProgress("platform:x")
    with capture_logs() as logs:
        progress.stepped(StepResult(500, 501, 3), head=501)
    assert logs == []
