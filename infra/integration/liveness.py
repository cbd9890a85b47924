"""Whether an API client is still registered: its tokens die the moment it is revoked.

The sessions' per-worker cache, asked about clients: each worker remembers the answer for
the session cache's second or so and forgets it when a revocation NOTIFYs `CHANNEL`.
"""

from __future__ import annotations

import uuid

from infra.db.session import Database, Scope
from infra.security import ClientClaims
from infra.tenancy import SessionLiveness, SessionState

CHANNEL = "zhibu_api_clients"
_ALIVE = (
    "SELECT 1 FROM api_client"
    " WHERE tenant_id = %(tenant)s AND id = %(client)s AND revoked_at IS NULL"
)


class ClientLiveness(SessionLiveness):
    channel = CHANNEL

    def __init__(self, db: Database, *, ttl: float) -> None:
        super().__init__(db, ttl=ttl)
        self._paths: dict[uuid.UUID, str] = {}  # tenant id → path, from verified tokens

    async def alive(self, claims: ClientClaims) -> bool:
        self._paths[claims.tenant_id] = claims.tenant_path
        state = await self.state(claims.tenant_id, claims.client_id, claims.client_id)
        return state is SessionState.ALIVE

    async def _fetch(
        self, tenant_id: uuid.UUID, user_id: uuid.UUID, session_id: uuid.UUID
    ) -> SessionState:
        async with self._db.lean_transaction(Scope(self._paths[tenant_id])) as tx:
            found = await tx.send([(_ALIVE, {"tenant": tenant_id, "client": user_id})], commit=True)
        return SessionState.ALIVE if found[0] else SessionState.ENDED
