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


def test_on_a_terminal_a_bar_follows_the_backfill_and_closes_at_the_head() -> None:
    progress = BackfillProgress("platform:x", bar=True)
    with capture_logs() as logs:
        progress.stepped(StepResult(1, 1000, 50_000), head=10_000)
        bar = progress._bar
        assert bar is not None
        task = bar.progress.tasks[0]
        assert (task.completed, task.total, task.fields["head"], bar.events) == (1000, 10_000, 10_000, 50_000)
        progress.stepped(StepResult(1001, 10_000, 7), head=10_000)
    assert progress._bar is None  # caught up: the bar is closed
    assert task.completed == task.total == 10_000
    assert logs == []  # the bar replaces the log lines


def test_without_a_terminal_there_is_no_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr.isatty", lambda: False)
    progress = BackfillProgress("platform:x")
    progress.stepped(StepResult(1, 1000, 50_000), head=10_000)
    assert progress._bar is None
