"""On Citus, the relay passes over no event of a transaction the coordinator has committed
while a worker still holds its part prepared, and no event gets a worker's transaction id.

Citus commits a transaction that wrote on several nodes in two phases: each worker
prepares its part, the coordinator commits, then each worker commits its prepared part.
Between the last two, the coordinator's snapshot counts the transaction as ended though
its events on the worker cannot be read yet. That moment is too short to catch, so the
test makes it: a transaction commits by two-phase commit (it touches the tenant directory,
a reference table on every node), and on the worker holding the tenant's outbox shard a
part under the name Citus recorded for it stays prepared, with an event of that
transaction. A later transaction's event commits meanwhile. The relay must hand on both,
the prepared one first, once the worker commits it. The coordinator's
`pg_dist_transaction` is locked against Citus's recovery of prepared parts for the test,
which would otherwise commit the part itself or forget its record.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb
from sqlalchemy import make_url

from infra.db.bootstrap import DatabaseUrls, conninfo_of
from infra.db.session import Database, Scope
from infra.settings import Settings
from tests.integration.test_outbox_relay import (
    Seen,
    _commit,
    _recorder,
    _relay,
    db,
    eventually,
    futian_scope,
    running,
)

__all__ = ["db", "futian_scope"]


@pytest.fixture
def coordinator(database: DatabaseUrls) -> Iterator[psycopg.Connection]:
    with psycopg.connect(conninfo_of(database.admin), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'").fetchone() is None:
            pytest.skip("Citus only: two-phase commit across nodes, writes run on workers")
        yield conn


def _committed_in_two_phases(coordinator: psycopg.Connection, tenant_id: uuid.UUID) -> int:
    """A transaction that commits on every node; its coordinator transaction id."""
    with coordinator.transaction():
        row = coordinator.execute("SELECT pg_current_xact_id()::text::bigint").fetchone()
        coordinator.execute("UPDATE tenant SET name = name WHERE id = %s", (tenant_id,))
    assert row is not None
    return int(row[0])


async def test_an_event_whose_worker_has_not_committed_yet_is_not_skipped(
    db: Database,
    settings: Settings,
    database: DatabaseUrls,
    coordinator: psycopg.Connection,
    futian_scope: tuple[uuid.UUID, Scope],
) -> None:
    tenant_id = futian_scope[0]
    aggregate = uuid.uuid4().hex
    seen = Seen()
    relay = _relay(db, settings)
    relay.register(f"prepared-{aggregate}", _recorder(seen, {aggregate}))
    xid = _committed_in_two_phases(coordinator, tenant_id)
    with psycopg.connect(conninfo_of(database.admin)) as recovery_held:
        recovery_held.execute("LOCK TABLE pg_dist_transaction IN SHARE MODE")
        shard = coordinator.execute(
            "SELECT n.groupid, n.nodename, n.nodeport, shard_name('outbox_event', s.shardid)"
            " FROM citus_shards s JOIN pg_dist_node n"
            "  ON n.nodename = s.nodename AND n.nodeport = s.nodeport"
            " WHERE s.shardid = get_shard_id_for_distribution_column('outbox_event', %s)",
            (tenant_id,),
        ).fetchone()
        assert shard is not None
        group, host, port, shard_table = shard
        name = coordinator.execute(
            "SELECT gid FROM pg_dist_transaction WHERE groupid = %s AND xmin::text = %s",
            (group, str(xid % 2**32)),
        ).fetchone()
        assert name is not None, "the transaction committed in two phases"
        seq = coordinator.execute("SELECT nextval('outbox_event_seq')").fetchone()
        assert seq is not None
        worker_url = make_url(database.admin).set(host=host, port=port)
        gid = sql.Literal(name[0])
        with psycopg.connect(
            conninfo_of(worker_url.render_as_string(hide_password=False)), autocommit=True
        ) as worker:
            worker.execute("BEGIN")
            worker.execute("SET LOCAL citus.enable_manual_changes_to_shards = on")
            worker.execute(
                sql.SQL(
                    "INSERT INTO {} (tenant_id, id, topic, aggregate_type, aggregate_id,"
                    " payload, xid, seq) VALUES (%s, %s, 'test.relayed', 'test', %s, %s,"
                    " %s::text::xid8, %s)"
                ).format(sql.Identifier(shard_table)),
                (tenant_id, uuid.uuid4(), aggregate, Jsonb({"n": "prepared"}), xid, seq[0]),
            )
            worker.execute(sql.SQL("PREPARE TRANSACTION {}").format(gid))
            try:
                await _commit(db, futian_scope, aggregate, "later")
                async with running(relay):
                    rounds = relay.rounds
                    await eventually(lambda: relay.rounds >= rounds + 5, "the relay looked")
                    assert seen.ids() == [], "nothing passes a part still prepared"
                    worker.execute(sql.SQL("COMMIT PREPARED {}").format(gid))
                    await eventually(lambda: len(seen.events) == 2, "both events arrive")
            finally:
                held = worker.execute("SELECT 1 FROM pg_prepared_xacts WHERE gid = %s", name)
                if held.fetchone() is not None:
                    worker.execute(sql.SQL("ROLLBACK PREPARED {}").format(gid))
    assert seen.ids() == ["prepared", "later"]


def test_an_outbox_insert_run_on_the_shards_is_refused(
    coordinator: psycopg.Connection, futian_scope: tuple[uuid.UUID, Scope]
) -> None:
    """Such an insert would record a worker's transaction id, which the relay misplaces;
    an INSERT … VALUES has its defaults evaluated on the coordinator."""
    tenant_id = futian_scope[0]
    coordinator.execute(
        "INSERT INTO outbox_event (tenant_id, id, topic, aggregate_type, aggregate_id, payload)"
        " VALUES (%s, gen_random_uuid(), 'test.written', 'test', 'x', '{}')",
        (tenant_id,),
    )
    with pytest.raises(psycopg.errors.RaiseException, match="through the coordinator"):
        coordinator.execute(
            "INSERT INTO outbox_event (tenant_id, id, topic, aggregate_type, aggregate_id,"
            " payload) SELECT tenant_id, gen_random_uuid(), 'test.copied', aggregate_type,"
            " aggregate_id, payload FROM outbox_event WHERE tenant_id = %s",
            (tenant_id,),
        )
