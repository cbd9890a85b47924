"""Evidence registers its outbox handler with the relay: the bytes of deleted evidence go
after the deletion commits, even when the request that deleted it never removed them.

The deletion is the real use case in a unit of work that commits, with the request's own
removal left out (its worker died just after the commit). A relay of its own, with the
handlers the evidence context registers (the composition root registers the same), then
removes the bytes.
"""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest

from domain.shared import Guard
from infra.activities import Caller
from infra.db.bootstrap import DatabaseUrls, conninfo_of
from infra.db.session import Database, Scope
from infra.evidence import open_storage, register_relay_handlers
from infra.evidence.removal import delete
from infra.platform.relay import Subscription
from infra.settings import Settings
from tests.conftest import Api
from tests.integration.activities.test_evidence import (
    PHOTO,
    Backend,
    Scene,
    backend,
    confirm,
    member_api,
    moto_endpoint,
    scene,
    uploaded,
)
from tests.integration.test_outbox_relay import CountingRelay, eventually, running

__all__ = ["backend", "moto_endpoint", "scene"]


class OwnRelay(CountingRelay):
    """A relay beside the app's on the same database, with handler names of its own."""

    def register(self, name: str, subscription: Subscription) -> None:
        super().register(f"{self.name}/{name}", subscription)


class Allowed:
    """A guard that admits everything: the deletion's rights are tested over HTTP."""

    def require(self, obj: str, act: str, domain: str | None = None) -> None:
        return None

    def can(self, obj: str, act: str, domain: str | None = None) -> bool:
        return True

    def scopes(self, obj: str, act: str) -> list[tuple[str, str | None]]:
        return [("*", None)]


def _admin(database: DatabaseUrls, sql: str, *params: Any) -> Any:
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        return conn.execute(sql, params).fetchone()


@pytest.fixture
async def db(settings: Settings) -> Any:
    database = Database(settings.app_database_url or "", pool_size=2)
    yield database
    await database.dispose()


async def test_deleted_evidence_loses_its_bytes_though_its_request_did_not_remove_them(
    backend: Backend,
    scene: Scene,
    futian: Api,
    db: Database,
    database: DatabaseUrls,
) -> None:
    member = member_api(backend, scene.branch)
    slot = await uploaded(backend, member, scene.activity_id, PHOTO)
    evidence_id = uuid.UUID(slot["evidence"]["id"])
    assert (await confirm(member, str(evidence_id))).status_code == 200
    key, tenant_id, path = _admin(
        database,
        "SELECT e.object_key, e.tenant_id, t.path::text FROM evidence e"
        " JOIN tenant t ON t.id = e.tenant_id WHERE e.id = %s",
        evidence_id,
    )
    admin_id = uuid.UUID((await backend.as_(futian).get("/api/v1/me")).json()["id"])
    storage = await open_storage(backend.settings)
    relay = OwnRelay(
        db,
        conninfo_of(backend.settings.app_database_url or ""),
        name=f"test-{uuid.uuid4().hex[:8]}",
        poll_seconds=0.02,
        retry_base_seconds=0.05,
        retry_cap_seconds=0.2,
    )
    register_relay_handlers(relay, storage=storage)
    guard: Guard = Allowed()

    async with db.unit_of_work(Scope(path, admin_id)) as uow:
        await delete(uow, guard, evidence_id, caller=Caller(admin_id, tenant_id))
    assert await storage.stat(key) is not None  # committed; nothing removed the bytes

    handler = f"{relay.name}/evidence.remove_deleted_bytes"
    async with running(relay):
        await eventually(
            lambda: (
                _admin(
                    database,
                    "SELECT 1 FROM outbox_processed p"
                    " JOIN outbox_event e ON e.tenant_id = p.tenant_id AND e.id = p.event_id"
                    " WHERE p.tenant_id = %s AND p.handler = %s"
                    " AND e.topic = 'evidence.deleted' AND e.payload->>'evidence_id' = %s",
                    tenant_id,
                    handler,
                    str(evidence_id),
                )
                is not None
            ),
            "the evidence context's handler took the event",
        )
    assert await storage.stat(key) is None
