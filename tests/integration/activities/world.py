"""Test data for the activity tests: branches with members linked to login accounts.

Organizations and users are made through the API. Member rows are written through the
owner connection (`SET ROLE zhibu_owner`) with the encrypted columns filled by
infra.members, so these tests do not depend on the member registry's endpoints.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date

import httpx
import psycopg

from infra.db.bootstrap import DatabaseUrls, conninfo_of
from infra.protection import FieldProtector
from tests.conftest import Api, login, unique

PASSWORD = "Member-Pass-2026"


@dataclass
class Person:
    member_id: str
    user_id: str | None
    username: str | None
    api: Api | None = None


@dataclass
class Branch:
    id: str
    name: str
    members: list[Person] = field(default_factory=list)


class World:
    """Creates organizations, users and members in one tenant."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        admin_api: Api,
        tenant_id: str,
        database: DatabaseUrls,
        protector: FieldProtector,
    ) -> None:
        self.http = http
        self.admin = admin_api
        self.tenant_id = tenant_id
        self.database = database
        self.protector = protector

    async def org(
        self,
        kind: str,
        parent_id: str | None = None,
        name: str | None = None,
        established_on: date | None = None,
    ) -> str:
        body: dict[str, object] = {"kind": kind, "name": name or unique("组织")}
        if established_on is not None:
            body["established_on"] = established_on.isoformat()
        if parent_id:
            body["parent_id"] = parent_id
        else:
            body["tenant_id"] = self.tenant_id
        r = await self.admin.post("/api/v1/organizations", json=body)
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    async def user(self) -> tuple[str, str]:
        username = unique("m")
        r = await self.admin.post(
            "/api/v1/users",
            json={
                "username": username,
                "display_name": "党员" + username[-4:],
                "password": PASSWORD,
                "tenant_id": self.tenant_id,
            },
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"]), username

    def insert_member(
        self, org_id: str, *, user_id: str | None, status: str = "full", name: str | None = None
    ) -> str:
        member_id = uuid.uuid4()
        digits = "".join(random.choice("0123456789") for _ in range(17))
        protected = self.protector.id_number(digits + "X")
        with psycopg.connect(conninfo_of(self.database.admin), autocommit=True) as conn:
            conn.execute("SET ROLE zhibu_owner")
            conn.execute(
                "INSERT INTO member (tenant_id, id, organization_id, user_id, name, gender,"
                " birth_date, id_number_enc, id_number_bidx, id_number_masked, status,"
                " admitted_on, full_member_on)"
                " VALUES (%s, %s, %s, %s, %s, 'male', %s, %s, %s, %s, %s, %s, %s)",
                (
                    self.tenant_id,
                    member_id,
                    org_id,
                    user_id,
                    name or unique("党员"),
                    date(1980, 1, 1),
                    protected.ciphertext,
                    protected.blind_index,
                    protected.masked,
                    status,
                    date(2010, 7, 1),
                    date(2011, 7, 1) if status == "full" else None,
                ),
            )
        return str(member_id)

    def committee_post(self, org_id: str, member_id: str, post: str = "secretary") -> None:
        with psycopg.connect(conninfo_of(self.database.admin), autocommit=True) as conn:
            conn.execute("SET ROLE zhibu_owner")
            conn.execute(
                "INSERT INTO committee_post (tenant_id, id, organization_id, post, holder_name,"
                " term_start, member_id) VALUES (%s, %s, %s, %s, '支委', %s, %s)",
                (self.tenant_id, uuid.uuid4(), org_id, post, date(2020, 1, 1), member_id),
            )

    async def person(self, org_id: str, status: str = "full", with_login: bool = True) -> Person:
        if not with_login:
            return Person(self.insert_member(org_id, user_id=None, status=status), None, None)
        user_id, username = await self.user()
        member_id = self.insert_member(org_id, user_id=user_id, status=status)
        return Person(member_id, user_id, username, await login(self.http, username, PASSWORD))

    async def branch(
        self,
        n_full: int = 3,
        n_probationary: int = 0,
        parent_id: str | None = None,
        established_on: date | None = None,
    ) -> Branch:
        parent = parent_id or await self.org("party_committee")
        branch_id = await self.org("branch", parent, established_on=established_on)
        b = Branch(branch_id, "")
        for _ in range(n_full):
            b.members.append(await self.person(branch_id))
        for _ in range(n_probationary):
            b.members.append(await self.person(branch_id, status="probationary"))
        return b
