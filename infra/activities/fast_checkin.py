"""A member checking themselves in: the most frequent write, on a lean path.

The general path (`service.check_in`) goes through the ORM with about seven statements.
This one runs on a raw transaction: the tenant scope, the Idempotency-Key reservation and
one query for the member and the activity; then one statement writing the check-in, its
outbox event, its audit event and the stored response; then COMMIT. The other writes hang
on the check-in row existing, so a lost race leaves nothing behind. The rules, row-level
security and results are the same as on the general path.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from domain.activities import CheckinDecision, CheckinMethod, CheckinOutcome, evaluate_checkin
from domain.shared import new_id
from infra.activities.service import (
    _CONTEXT_COLUMNS,
    CheckinInput,
    CheckinView,
    _not_a_member,
    _reject,
    _rules,
    _source,
    checkin_attempt,
    not_found,
)
from infra.db.session import Actor, Database, Scope
from infra.platform.idempotency import RESERVE_SQL, STORED_SQL, StoredResponse, stored_response

_CONTEXT_SQL = (
    "SELECT m.id AS member_id, mo.path::text AS member_path, "  # noqa: S608 - fixed fragments
    + _CONTEXT_COLUMNS.format(m="m.id", mpath="mo.path")
    + " FROM member m"
    " JOIN organization mo ON mo.tenant_id = m.tenant_id AND mo.id = m.organization_id"
    " LEFT JOIN activity a ON a.tenant_id = m.tenant_id AND a.id = %(activity_id)s"
    " WHERE m.tenant_id = %(tenant_id)s AND m.user_id = %(user_id)s"
    "   AND m.status IN ('probationary', 'full')"
)
# The check-in and everything that must commit with it, in one statement: the outbox
# event, the audit event and the stored response exist only if the check-in row does, and
# a reservation whose check-in lost a race is released.
_WRITE_SQL = """
WITH c AS (
    INSERT INTO checkin (tenant_id, id, activity_id, member_id, source, occurred_at,
        recorded_at, recorded_by, latitude, longitude, accuracy_m, distance_m)
    VALUES (%(tenant_id)s, %(checkin_id)s, %(activity_id)s, %(member_id)s, %(source)s,
        %(occurred_at)s, %(recorded_at)s, %(user_id)s, %(latitude)s, %(longitude)s,
        %(accuracy_m)s, %(distance_m)s)
    ON CONFLICT DO NOTHING RETURNING id
), o AS (
    INSERT INTO outbox_event (tenant_id, id, topic, aggregate_type, aggregate_id, payload)
    SELECT %(tenant_id)s, %(event_id)s, 'checkin.recorded', 'activity',
        %(activity_id)s::text, %(payload)s::jsonb FROM c
), a AS (
    INSERT INTO audit_event (tenant_id, id, actor_id, actor_name, action, resource_type,
        resource_id, outcome, client_addr, request_id, detail)
    SELECT %(tenant_id)s, %(audit_id)s, %(user_id)s, %(actor_name)s, 'checkin.create',
        'checkin', c.id::text, 'success', %(client_addr)s, %(request_id)s, %(detail)s::jsonb
    FROM c
), k AS (
    UPDATE idempotency_key SET status_code = 201, body = %(body)s
    WHERE tenant_id = %(caller_tenant_id)s AND user_id = %(user_id)s AND key = %(key)s
      AND EXISTS (SELECT 1 FROM c)
), d AS (
    DELETE FROM idempotency_key
    WHERE tenant_id = %(caller_tenant_id)s AND user_id = %(user_id)s AND key = %(key)s
      AND NOT EXISTS (SELECT 1 FROM c)
)
SELECT id FROM c
"""


@dataclass(frozen=True, slots=True)
class IdempotencyRequest:
    key: str
    fingerprint: bytes


async def self_check_in(
    db: Database,
    actor: Actor,
    scope: Scope,
    activity_id: uuid.UUID,
    data: CheckinInput,
    *,
    secret: bytes,
    now: datetime,
    idempotency: IdempotencyRequest | None,
    render: Callable[[CheckinView], bytes],
) -> tuple[StoredResponse, bool]:
    """Check the calling member in: the 201 response, or (replayed) the stored one."""
    assert actor.user_id is not None
    assert actor.tenant_id is not None
    caller = {"tenant_id": actor.tenant_id, "user_id": actor.user_id}
    async with db.raw_transaction(scope) as tx:
        first = []
        if idempotency is not None:
            first.append(
                (
                    RESERVE_SQL,
                    {**caller, "key": idempotency.key, "fingerprint": idempotency.fingerprint},
                )
            )
        first.append((_CONTEXT_SQL, {**caller, "activity_id": activity_id}))
        results = await tx.batch(first)
        if idempotency is not None and not results[0]:
            ((stored,),) = await tx.batch([(STORED_SQL, {**caller, "key": idempotency.key})])
            response = stored_response(
                stored.fingerprint, stored.status_code, stored.body, idempotency.fingerprint
            )
            return response, True
        found = results[-1][0] if results[-1] else None
        if found is None:
            raise _not_a_member()
        ctx = None if found.id is None else _rules(found, found.member_id, secret)
        if ctx is None or not ctx.visible:
            raise not_found()
        decision = evaluate_checkin(
            ctx.rules, checkin_attempt(data, found.member_id, CheckinMethod.SELF), now=now
        )
        if not decision.accepted:
            raise _reject(decision)
        view = CheckinView(
            id=new_id(),
            activity_id=activity_id,
            member_id=found.member_id,
            source=_source(CheckinMethod.SELF, ctx.rules, offline=False),
            occurred_at=decision.effective_at,
            recorded_at=now,
            client_id=None,
            distance_m=decision.distance_m,
        )
        body = render(view)
        params = {
            "tenant_id": ctx.tenant_id,
            "caller_tenant_id": actor.tenant_id,
            "checkin_id": view.id,
            "activity_id": activity_id,
            "member_id": view.member_id,
            "source": view.source,
            "occurred_at": view.occurred_at,
            "recorded_at": now,
            "user_id": actor.user_id,
            "latitude": data.latitude,
            "longitude": data.longitude,
            "accuracy_m": data.accuracy_m,
            "distance_m": view.distance_m,
            "event_id": new_id(),
            "payload": json.dumps(
                {
                    "checkin_id": str(view.id),
                    "activity_id": str(activity_id),
                    "member_id": str(view.member_id),
                    "source": view.source,
                    "occurred_at": view.occurred_at.isoformat(),
                }
            ),
            "audit_id": new_id(),
            "actor_name": actor.name,
            "client_addr": actor.client_addr,
            "request_id": actor.request_id,
            "detail": json.dumps(
                {
                    "activity_id": str(activity_id),
                    "member_id": str(view.member_id),
                    "source": view.source,
                }
            ),
            "key": idempotency.key if idempotency else None,
            "body": body,
        }
        (inserted,) = await tx.batch([(_WRITE_SQL, params)], commit=True)
        if not inserted:  # a concurrent request of the same member won the race
            raise _reject(CheckinDecision(CheckinOutcome.DUPLICATE, now))
        return StoredResponse(201, body), False
