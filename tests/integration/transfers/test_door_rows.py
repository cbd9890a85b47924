"""A step through a door leaves the rows the unit of work would have.

`zhibu_transfer_advance` writes the sending side's audit entry, event and step itself
(its transaction may hold no write of the app role); they must be the rows the unit of
work writes for the same step. A cancel of a pending transfer is made by the unit of
work, of a sent one by the door: the same person cancelling with the same reason leaves
equal rows, but for ids, times and the state it came from.
"""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
from psycopg.rows import dict_row

from infra.db.bootstrap import DatabaseUrls, conninfo_of
from tests.conftest import Api
from tests.integration.transfers.helpers import V1, act, ok, place, start

_IGNORED = {"id", "xid", "seq", "created_at", "published_at", "occurred_at", "at", "from"}
_IGNORED_STEP = _IGNORED | {"from_state"}


def _rows(database: DatabaseUrls, transfer_id: str) -> dict[str, list[dict[str, Any]]]:
    """The sending side's rows of the cancel, as the database holds them."""
    with psycopg.connect(conninfo_of(database.admin), row_factory=dict_row) as conn:
        conn.execute("SET ROLE zhibu_owner")
        audit = conn.execute(
            "SELECT * FROM audit_event WHERE resource_type = 'transfer' AND resource_id = %s"
            " AND action = 'transfer.cancel'",
            (transfer_id,),
        ).fetchall()
        outbox = conn.execute(
            "SELECT * FROM outbox_event WHERE aggregate_id = %s AND topic = 'transfer.cancelled'",
            (transfer_id,),
        ).fetchall()
        step = conn.execute(
            "SELECT * FROM transfer_step WHERE transfer_id = %s AND side = 'sending'"
            " AND action = 'cancel'",
            (transfer_id,),
        ).fetchall()
    return {"audit": audit, "outbox": outbox, "step": step}


def _comparable(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        ignored = _IGNORED_STEP if "transfer_id" in value and "side" in value else _IGNORED
        return {k: _comparable(v, names) for k, v in value.items() if k not in ignored}
    if isinstance(value, list):
        return [_comparable(v, names) for v in value]
    if isinstance(value, uuid.UUID):
        return names.get(str(value), str(value))
    if isinstance(value, str):
        return names.get(value, value)
    return value


async def test_a_cancel_through_the_door_writes_the_rows_of_the_unit_of_work(
    futian: Api, database: DatabaseUrls
) -> None:
    here = await place(futian, "440304")
    written = {}
    for path in ("unit_of_work", "door"):
        member = await here.member()
        started = await start(futian, member, here, kind="within_tenant")
        if path == "door":
            assert ok(await act(futian, started["id"], "approve"))["state"] == "sent"
        request_id = f"door-{uuid.uuid4().hex[:12]}"
        r = await futian.post(
            f"{V1}/transfers/{started['id']}/cancel",
            json={"reason": "工作调动取消"},
            headers={"X-Request-ID": request_id},
        )
        assert ok(r)["state"] == "cancelled"
        rows = _rows(database, started["id"])
        assert [len(rows[k]) for k in ("audit", "outbox", "step")] == [1, 1, 1], rows
        assert rows["audit"][0]["request_id"] == request_id
        assert rows["audit"][0]["client_addr"] is not None
        names = {started["id"]: "<transfer>", request_id: "<request>", member: "<member>"}
        written[path] = _comparable(rows, names)
    assert written["door"] == written["unit_of_work"]
