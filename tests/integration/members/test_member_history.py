"""Member history through HTTP: seeded records, cursors that were never issued."""

from __future__ import annotations

import base64

from infra.seed import DEMO_MEMBERS
from tests.conftest import Api


async def test_every_seeded_member_has_a_readable_history(province: Api) -> None:
    r = await province.get("/api/v1/members", params={"limit": 200})
    assert r.status_code == 200, r.text
    seeded = {m["name"]: m for m in r.json()["items"] if m["name"] in {d[0] for d in DEMO_MEMBERS}}
    assert set(seeded) == {d[0] for d in DEMO_MEMBERS}
    for name, member in seeded.items():
        r = await province.get(f"/api/v1/members/{member['id']}/history")
        assert r.status_code == 200, (name, r.text)
        first = r.json()["items"][-1]
        assert first["version"] == 1
        assert first["changes"]["name"] == {"old": None, "new": name}
        assert first["changes"]["id_number"]["new"] == member["id_number"]


async def test_history_cursor_beyond_any_version_is_refused(province: Api) -> None:
    r = await province.get("/api/v1/members", params={"limit": 1})
    url = f"/api/v1/members/{r.json()['items'][0]['id']}/history"
    for forged in ("9" * 40, "-1", "0"):
        cursor = base64.urlsafe_b64encode(forged.encode()).decode().rstrip("=")
        r = await province.get(url, params={"cursor": cursor})
        assert r.status_code == 400, (forged, r.text)
        assert r.json()["code"] == "invalid_cursor"
