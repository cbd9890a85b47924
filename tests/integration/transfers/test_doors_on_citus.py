"""On Citus the doors across tenants stay shut for now: sending is refused with a reason,
and nothing of the refused step is kept."""

from __future__ import annotations

import pytest

from tests.conftest import Api
from tests.integration.transfers.helpers import V1, act, ok, place, start


async def test_sending_is_refused_with_a_reason_and_nothing_is_kept(
    futian: Api, citus: bool
) -> None:
    if not citus:
        pytest.skip("PostgreSQL opens the doors: the other transfer tests go through them")
    here = await place(futian, "440304")
    member = await here.member()
    started = await start(futian, member, here, kind="within_tenant")
    r = await act(futian, started["id"], "approve")
    assert r.status_code == 503, r.text
    assert r.json()["code"] == "transfer_doors_closed"
    after = ok(await futian.get(f"{V1}/transfers/{started['id']}"))
    assert after["state"] == "pending_approval"
    assert after["letter_number"] is None
