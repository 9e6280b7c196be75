"""How far a backfill is: a progress bar on a terminal, a log line otherwise."""

import sys
import time
from typing import TYPE_CHECKING

import structlog
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

if TYPE_CHECKING:
    from indexer.service import StepResult

log = structlog.get_logger(__name__)


class BackfillProgress:
    """While an indexer is far behind the head: on a terminal, a progress bar (blocks, events/s,
    ETA); otherwise (a service, a test) a log line every ten seconds with the same figures."""

    EVERY_SECONDS = 10.0
    FAR_BEHIND = 100  # blocks: tailing the head is not a backfill

    def __init__(self, name: str, *, bar: bool | None = None) -> None:
        self.name = name
        self._since = time.monotonic()
        self._events = 0
        self._blocks = 0
        self._bar: BackfillBar | None = None
        self._use_bar = sys.stderr.isatty() if bar is None else bar

    def stepped(self, result: "StepResult", head: int) -> None:
        if result.reorged_to is not None or result.to_block < result.from_block:
            return
        if self._use_bar:
            self._show(result, head)
            return
        self._events += result.events
        self._blocks += result.to_block - result.from_block + 1
        elapsed = time.monotonic() - self._since
        if elapsed < self.EVERY_SECONDS:
            return
        behind = head - result.to_block
        if behind >= self.FAR_BEHIND or self._blocks >= self.FAR_BEHIND:
            blocks_per_s = self._blocks / elapsed
            log.info(
                "backfill progress",
                indexer=self.name,
                block=result.to_block,
                head=head,
                done=f"{100 * result.to_block / max(head, 1):.1f}%",
                events_per_s=round(self._events / elapsed),
                blocks_per_s=round(blocks_per_s, 1),
                eta=_duration(behind / blocks_per_s) if blocks_per_s and behind else "caught up",
            )
        self._since, self._events, self._blocks = time.monotonic(), 0, 0

    def _show(self, result: "StepResult", head: int) -> None:
        behind = head - result.to_block
        if self._bar is None:
            if behind < self.FAR_BEHIND:
                return
            self._bar = BackfillBar(self.name, result.from_block, head)
        self._bar.advance(result.to_block, head, result.events)
        if behind == 0:
            self._bar.close()
            self._bar = None


class BackfillBar:
    """A rich progress bar over blocks `first`..head, with the events/s since it started."""

    def __init__(self, name: str, first: int, head: int) -> None:
        self.first = first
        self.started = time.monotonic()
        self.events = 0
        self.progress = Progress(
            TextColumn("[bold]backfill[/] {task.description}"),
            BarColumn(),
            TextColumn("block {task.fields[block]:,}/{task.fields[head]:,}"),
            TextColumn("{task.fields[rate]:,.0f} events/s"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        total = max(1, head - first + 1)
        self.task: TaskID = self.progress.add_task(name, total=total, block=first, head=head, rate=0.0)
        self.progress.start()

    def advance(self, block: int, head: int, events: int) -> None:
        self.events += events
        rate = self.events / max(time.monotonic() - self.started, 1e-9)
        self.progress.update(
            self.task, completed=block - self.first + 1, total=head - self.first + 1, block=block, head=head, rate=rate
        )

    def close(self) -> None:
        self.progress.stop()


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"
