"""What the benches read of a process in /proc: its name, parent and CPU time."""

import os
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class ProcStat:
    """A process's name, parent, own CPU seconds and its reaped children's, from /proc/PID/stat."""

    name: str
    parent: int
    cpu: float
    children_cpu: float

    @classmethod
    def read(cls, pid: int | str) -> "ProcStat":
        """Raises OSError (FileNotFoundError) when the process is gone."""
        text = Path(f"/proc/{pid}/stat").read_text()
        name, _, rest = text.partition(" (")[2].rpartition(")")
        fields = rest.split()
        return cls(
            name,
            int(fields[1]),
            (int(fields[11]) + int(fields[12])) / TICK,
            (int(fields[13]) + int(fields[14])) / TICK,
        )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used."""
    return ProcStat.read(pid).cpu


def postgres_cpu_seconds() -> float | None:
    """CPU time of this machine's PostgreSQL server so far: its processes' own, and that of the
    ones that exited (parallel index builders, closed connections: the postmaster reaps them, so
    theirs is its children's time). None when no server runs here."""
    server: dict[int, ProcStat] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = ProcStat.read(entry.name)
        except OSError:  # gone meanwhile
            continue
        if stat.name == "postgres":
            server[int(entry.name)] = stat
    if not server:
        return None
    # The postmaster is the one whose parent is not itself a postgres process.
    return sum(stat.cpu + (stat.children_cpu if stat.parent not in server else 0.0) for stat in server.values())
