"""Member history through HTTP: seeded records, cursors that were never issued."""

from __future__ import annotations

from domain.members import id_check_character
from domain.shared import encode_cursor
from infra.seed import DEMO_MEMBERS
from tests.conftest import Api


async def test_every_seeded_member_has_a_readable_history(province: Api) -> None:
    for name, _branch, _tenant, birth, sequence, *_ in DEMO_MEMBERS:
        first17 = f"440303{birth}{sequence}"
        r = await province.get(
            "/api/v1/members", params={"q": first17 + id_check_character(first17)}
        )
        assert r.status_code == 200, r.text
        (member,) = r.json()["items"]
        assert member["name"] == name
        r = await province.get(f"/api/v1/members/{member['id']}/history")
        assert r.status_code == 200, (name, r.text)
        first = r.json()["items"][-1]
        assert first["version"] == 1
        assert first["changes"]["name"] == {"old": None, "new": name}
        assert first["changes"]["id_number"]["new"] == member["id_number"]


async def test_history_cursor_beyond_any_version_is_refused(province: Api) -> None:
    r = await province.get("/api/v1/members", params={"limit": 1})
    url = f"/api/v1/members/{r.json()['items'][0]['id']}/history"
    for forged in (10**40, -1, 0, "7", True):
        r = await province.get(url, params={"cursor": encode_cursor(v=forged)})
        assert r.status_code == 400, (forged, r.text)
        assert r.json()["code"] == "invalid_cursor"
