"""A Citus cluster on loopback for development and `make test-citus`.

A coordinator and two workers, each its own PostgreSQL 15 data directory under
`var/citus/`, trusting connections from 127.0.0.1 only. The `postgres` database of every
node carries the citus extension and the coordinator knows its workers, so roles created
there reach every node; `infra.db.bootstrap` adds each new database to the cluster.

    python -m infra.db.citus start   # prints the coordinator's administrator URL
    python -m infra.db.citus url
    python -m infra.db.citus stop
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg

PG_BIN = Path(os.environ.get("CITUS_PG_BIN", "/usr/lib/postgresql/15/bin"))
HOST = "127.0.0.1"
# PostgreSQL refuses to run as root: the data directories belong to this OS user then.
ROOT_RUNS_AS = "postgres"
SETTINGS = {
    "listen_addresses": f"'{HOST}'",
    "shared_preload_libraries": "'citus'",
    "max_prepared_transactions": "200",
    "wal_level": "logical",
    "max_connections": "300",
    # Citus runs a maintenance worker per database; tests create one database per worker.
    "max_worker_processes": "64",
    # Fewer shards than the default 32 keep DDL and fan-out quick in a test cluster.
    "citus.shard_count": "8",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


@dataclass(frozen=True)
class Node:
    name: str
    port: int
    data: Path


def nodes(base: Path, port: int) -> list[Node]:
    names = ("coordinator", "worker1", "worker2")
    return [Node(name, port + i, base / name) for i, name in enumerate(names)]


def admin_url(node: Node, database: str = "postgres") -> str:
    return f"postgresql://postgres@{HOST}:{node.port}/{database}"


def _run(args: Sequence[str | Path], *, check: bool = True) -> int:
    command = [str(a) for a in args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", ROOT_RUNS_AS, "--", *command]
    done = subprocess.run(command, check=check, stdout=subprocess.DEVNULL)  # noqa: S603
    return done.returncode


def _initdb(node: Node) -> None:
    node.data.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(node.data, ROOT_RUNS_AS, ROOT_RUNS_AS)
    _run(
        [
            PG_BIN / "initdb",
            "-D",
            node.data,
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale",
            "C.UTF-8",
        ]
    )
    settings = {**SETTINGS, "port": str(node.port), "unix_socket_directories": f"'{node.data}'"}
    with (node.data / "postgresql.conf").open("a") as conf:
        conf.write("\n# infra.db.citus\n")
        conf.writelines(f"{key} = {value}\n" for key, value in settings.items())


def _running(node: Node) -> bool:
    return _run([PG_BIN / "pg_ctl", "status", "-D", node.data], check=False) == 0


def start(base: Path, port: int) -> str:
    """Initialise (first time), start and join the nodes; return the coordinator's URL."""
    cluster = nodes(base, port)
    for node in cluster:
        if not (node.data / "PG_VERSION").exists():
            _initdb(node)
        if not _running(node):
            _run([PG_BIN / "pg_ctl", "start", "-w", "-D", node.data, "-l", node.data / "log"])
    for node in cluster:
        with psycopg.connect(admin_url(node), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS citus")
    coordinator, *workers = cluster
    with psycopg.connect(admin_url(coordinator), autocommit=True) as conn:
        conn.execute("SELECT citus_set_coordinator_host(%s, %s)", (HOST, coordinator.port))
        for worker in workers:
            conn.execute("SELECT citus_add_node(%s, %s)", (HOST, worker.port))
    return admin_url(coordinator)


def stop(base: Path, port: int) -> None:
    for node in reversed(nodes(base, port)):
        if (node.data / "PG_VERSION").exists() and _running(node):
            _run([PG_BIN / "pg_ctl", "stop", "-w", "-m", "fast", "-D", node.data])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("start", "stop", "url"))
    parser.add_argument("--dir", type=Path, default=Path("var/citus"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("CITUS_PORT", "15432")))
    args = parser.parse_args(argv)
    base = args.dir.resolve()
    if args.action == "start":
        print(start(base, args.port))
    elif args.action == "stop":
        stop(base, args.port)
    else:
        print(admin_url(nodes(base, args.port)[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
