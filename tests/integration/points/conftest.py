"""Fixtures for the points tests: counties of their own under a city of their own.

Rule versions of one tenant must not overlap, and every check-in of a tenant accrues
under its rules, so these tests do not write rules into the shared demo counties: each
test that needs a scheme makes a county (445201, 445202 …) under the city 445200, which
no other test creates.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import pytest

from infra.db.bootstrap import DatabaseUrls
from infra.protection import FieldProtector
from infra.settings import Settings
from tests.conftest import Api, login, unique
from tests.integration.activities.world import PASSWORD, World

V1 = "/api/v1"
CITY = "445200"
T = TypeVar("T")


@dataclass
class County:
    id: str
    code: str
    admin: Api
    world: World

    async def activity(self, org_id: str, kind: str = "branch_congress") -> str:
        """An activity under way, so that check-ins can be marked."""
        now = datetime.now(UTC)
        r = await self.admin.post(
            f"{V1}/activities",
            json={
                "kind": kind,
                "organization_id": org_id,
                "title": unique("积分活动"),
                "starts_at": (now - timedelta(minutes=10)).isoformat(),
                "ends_at": (now + timedelta(hours=1)).isoformat(),
            },
        )
        assert r.status_code == 201, r.text
        activity_id = str(r.json()["id"])
        r = await self.admin.post(f"{V1}/activities/{activity_id}/start")
        assert r.status_code == 200, r.text
        return activity_id

    async def mark(self, activity_id: str, member_id: str) -> str:
        r = await self.admin.post(
            f"{V1}/activities/{activity_id}/checkins", json={"member_id": member_id}
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    async def rules(self, api: Api | None = None, **body: Any) -> httpx.Response:
        return await (api or self.admin).post(f"{V1}/point-rules", json=body)


class Place:
    """Makes counties under the test city, each with its own administrator."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        province: Api,
        database: DatabaseUrls,
        protector: FieldProtector,
    ) -> None:
        self.http = http
        self.province = province
        self.database = database
        self.protector = protector
        self.city_id: str | None = None
        self._numbers = itertools.count(1)

    async def tenant(self, code: str, name: str, parent_id: str | None = None) -> tuple[str, Api]:
        """A tenant of the province's (under `parent_id` if given) and its administrator."""
        body = {"code": code, "name": name, **({"parent_id": parent_id} if parent_id else {})}
        r = await self.province.post(f"{V1}/tenants", json=body)
        assert r.status_code == 201, r.text
        tenant_id = str(r.json()["id"])
        return tenant_id, await self._admin_of(tenant_id)

    async def _admin_of(self, tenant_id: str) -> Api:
        username = unique("pa")
        r = await self.province.post(
            f"{V1}/users",
            json={
                "username": username,
                "display_name": "积分管理员",
                "password": PASSWORD,
                "tenant_id": tenant_id,
            },
        )
        assert r.status_code == 201, r.text
        r = await self.province.post(
            f"{V1}/role-assignments",
            json={"user_id": r.json()["id"], "role": "tenant_admin", "tenant_id": tenant_id},
        )
        assert r.status_code == 201, r.text
        return await login(self.http, username, PASSWORD)

    async def city(self) -> tuple[str, Api]:
        if self.city_id is None:
            r = await self.province.post(f"{V1}/tenants", json={"code": CITY, "name": "揭阳测试"})
            assert r.status_code == 201, r.text
            self.city_id = str(r.json()["id"])
            self.city_admin = await self._admin_of(self.city_id)
        return self.city_id, self.city_admin

    async def county(self) -> County:
        city_id, _ = await self.city()
        code = f"{CITY[:4]}{next(self._numbers):02d}"
        r = await self.province.post(
            f"{V1}/tenants", json={"code": code, "name": f"测试县{code}", "parent_id": city_id}
        )
        assert r.status_code == 201, r.text
        county_id = str(r.json()["id"])
        admin = await self._admin_of(county_id)
        world = World(self.http, admin, county_id, self.database, self.protector)
        return County(county_id, code, admin, world)


@pytest.fixture(scope="session")
async def place(
    http: httpx.AsyncClient, province: Api, database: DatabaseUrls, settings: Settings
) -> Place:
    return Place(http, province, database, FieldProtector.from_settings(settings))


async def eventually(probe: Callable[[], Awaitable[T]], done: Callable[[T], bool]) -> T:
    """Poll until `done` (the relay works in the background); 60 s at most."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while True:
        value = await probe()
        if done(value):
            return value
        assert loop.time() < deadline, f"timed out; last seen {value!r}"
        await asyncio.sleep(0.1)


def meeting_rules(start: str = "2020-01-01", **item: Any) -> dict[str, Any]:
    """三会一课 +3 each, at most 12 a year (domain-rules §6)."""
    return {
        "effective_from": start,
        "base_score": 60,
        "period": "yearly",
        "items": [
            {
                "code": "congress",
                "name": "参加支部党员大会",
                "points": 3,
                "source": "attendance",
                "activity_kind": "branch_congress",
                "cap_per_period": 12,
                **item,
            }
        ],
    }
