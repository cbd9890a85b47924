"""Fixtures of the transfer tests: places in Futian, Nanshan and a province of its own."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Api, login, unique
from tests.integration.transfers.helpers import PASSWORD, V1, Place, ok, place

OTHER_PROVINCE = "620000"


@pytest.fixture(scope="session")
async def gansu(http: httpx.AsyncClient, admin: Api) -> Api:
    """The administrator of a second province (甘肃), made by the platform administrator."""
    tenant = ok(
        await admin.post(f"{V1}/tenants", json={"code": OTHER_PROVINCE, "name": "甘肃测试"}), 201
    )
    username = unique("gs")
    user = ok(
        await admin.post(
            f"{V1}/users",
            json={
                "username": username,
                "display_name": "甘肃管理员",
                "password": PASSWORD,
                "tenant_id": tenant["id"],
            },
        ),
        201,
    )
    ok(
        await admin.post(
            f"{V1}/role-assignments",
            json={"user_id": user["id"], "role": "tenant_admin", "tenant_id": tenant["id"]},
        ),
        201,
    )
    return await login(http, username, PASSWORD)


@pytest.fixture
async def futian_place(futian: Api) -> Place:
    return await place(futian, "440304")


@pytest.fixture
async def nanshan_place(nanshan: Api) -> Place:
    return await place(nanshan, "440305")


@pytest.fixture
async def gansu_place(gansu: Api) -> Place:
    return await place(gansu, OTHER_PROVINCE)
