"""The event feed (issue 13 item 4): a cursor that never skips an event committed late, a
client's subtree only, the types its scopes read, personal fields only with the sensitive
scope, and payloads that are what the OpenAPI document says, type by type."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import psycopg
import pytest

from infra.db.bootstrap import DatabaseUrls, conninfo_of
from tests.conftest import Api, unique
from tests.integration.api_clients import V1, client_api, register
from tests.integration.members.helpers import create_member, new_branch
from tests.integration.test_api_client_limits import ongoing_meeting

EVENTS = f"{V1}/events"
DOCUMENT = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
READERS = ["events:read", "members:read", "activities:read"]


@pytest.fixture(scope="module")
async def branch(futian: Api) -> str:
    r = await futian.post(
        f"{V1}/organizations", json={"kind": "party_committee", "name": unique("事件党委")}
    )
    assert r.status_code == 201, r.text
    return await new_branch(futian, r.json()["id"])


async def page(api: Api, after: str | None = None, **params: Any) -> dict[str, Any]:
    query = {**params, **({"after": after} if after else {})}
    r = await api.get(EVENTS, params=query)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def drain(
    api: Api, after: str | None = None, **params: Any
) -> tuple[list[dict[str, Any]], str]:
    """Every event readable now after `after`, and the cursor to poll on with."""
    events: list[dict[str, Any]] = []
    while True:
        body = await page(api, after, limit=200, **params)
        events += body["items"]
        after = body["next_cursor"]
        if not body["items"]:
            return events, after


async def until(
    api: Api, after: str, wanted: set[str], **params: Any
) -> tuple[list[dict[str, Any]], str]:
    """Poll from `after` until every event of `wanted` aggregates has come (another test
    worker's open transaction may hold the bound back a moment)."""
    seen: list[dict[str, Any]] = []
    for _ in range(300):
        events, after = await drain(api, after, **params)
        seen += events
        if wanted <= {e["aggregate"]["id"] for e in seen}:
            return seen, after
        await asyncio.sleep(0.1)
    raise AssertionError(f"events of {wanted} never came: {seen}")


async def test_an_event_committed_late_is_not_skipped(
    http: httpx.AsyncClient,
    futian: Api,
    branch: str,
    database: DatabaseUrls,
    tenant_ids: dict[str, str],
) -> None:
    client = await client_api(http, await register(futian, READERS))
    slow_member = await create_member(futian, branch)
    _, cursor = await until(client, "", {slow_member["id"]})
    async with await psycopg.AsyncConnection.connect(conninfo_of(database.admin)) as slow:
        # A transaction that began first (a long import, say) writes its event ...
        await slow.execute(
            "INSERT INTO outbox_event (tenant_id, id, topic, aggregate_type, aggregate_id,"
            " payload) VALUES (%s, %s, 'member.updated', 'member', %s, %s)",
            (
                tenant_ids["440304"],
                uuid.uuid4(),
                slow_member["id"],
                json.dumps(
                    {
                        "member_id": slow_member["id"],
                        "organization_id": branch,
                        "version": 2,
                        "fields": ["phone"],
                    }
                ),
            ),
        )
        # ... while a later one commits first.
        quick = await create_member(futian, branch)
        for _ in range(5):
            events, cursor = await drain(client, cursor)
            assert quick["id"] not in {e["aggregate"]["id"] for e in events}, (
                "an event was given before an older transaction had ended"
            )
        await slow.commit()
    events, _ = await until(client, cursor, {slow_member["id"], quick["id"]})
    mine = [e for e in events if e["aggregate"]["id"] in (slow_member["id"], quick["id"])]
    assert [(e["type"], e["aggregate"]["id"]) for e in mine] == [
        ("member.updated", slow_member["id"]),
        ("member.created", quick["id"]),
    ]


async def test_a_sibling_countys_client_sees_none_of_futians_events(
    http: httpx.AsyncClient,
    futian: Api,
    nanshan: Api,
    province: Api,
    branch: str,
    tenant_ids: dict[str, str],
) -> None:
    member = await create_member(futian, branch)
    own = await client_api(http, await register(futian, READERS))
    events, _ = await until(own, "", {member["id"]})
    assert {e["tenant_id"] for e in events} == {tenant_ids["440304"]}
    sibling = await client_api(http, await register(nanshan, READERS))
    theirs, _ = await drain(sibling)
    assert member["id"] not in json.dumps(theirs)
    assert {e["tenant_id"] for e in theirs} <= {tenant_ids["440305"]}
    for e in theirs:
        assert e["payload"].get("organization_id") != branch
    above, _ = await until(province, "", {member["id"]}, types="member.created")
    assert {e["tenant_id"] for e in above} >= {tenant_ids["440304"]}


async def tenant_level_event(database: DatabaseUrls, tenant_id: str) -> str:
    """An event placed in no organization (as one written before 0047 that could not be
    placed): its aggregate id."""
    aggregate = str(uuid.uuid4())
    async with await psycopg.AsyncConnection.connect(conninfo_of(database.admin)) as conn:
        await conn.execute(
            "INSERT INTO outbox_event (tenant_id, id, topic, aggregate_type, aggregate_id,"
            " payload) VALUES (%s, %s, 'member.updated', 'member', %s, %s)",
            (
                tenant_id,
                uuid.uuid4(),
                aggregate,
                json.dumps(
                    {
                        "member_id": aggregate,
                        "organization_id": str(uuid.uuid4()),
                        "version": 2,
                        "fields": ["phone"],
                    }
                ),
            ),
        )
    return aggregate


async def test_a_client_confined_to_an_organization_reads_its_subtree_only(
    http: httpx.AsyncClient,
    futian: Api,
    database: DatabaseUrls,
    tenant_ids: dict[str, str],
) -> None:
    committees = []
    for _ in range(2):
        r = await futian.post(
            f"{V1}/organizations", json={"kind": "party_committee", "name": unique("子树党委")}
        )
        assert r.status_code == 201, r.text
        committees.append(r.json()["id"])
    inside, sibling = [await new_branch(futian, c) for c in committees]
    ours = await create_member(futian, inside)
    meeting = await ongoing_meeting(futian, inside)
    r = await futian.post(f"{V1}/activities/{meeting}/checkins", json={"member_id": ours["id"]})
    assert r.status_code == 201, r.text
    theirs = await create_member(futian, sibling)
    tenant_level = await tenant_level_event(database, tenant_ids["440304"])

    confined = await client_api(
        http, await register(futian, READERS, organization_id=committees[0])
    )
    wide = await client_api(http, await register(futian, READERS))
    everything, _ = await until(wide, "", {ours["id"], meeting, theirs["id"], tenant_level})
    seen, cursor = await until(confined, "", {ours["id"], meeting})
    assert {(e["type"], e["aggregate"]["id"]) for e in seen} >= {
        ("member.created", ours["id"]),
        ("checkin.recorded", meeting),
    }
    assert {e["payload"].get("organization_id") for e in seen} <= {inside, None}
    assert {theirs["id"], tenant_level}.isdisjoint(e["aggregate"]["id"] for e in seen)
    later, _ = await drain(confined, cursor)
    assert {theirs["id"], tenant_level}.isdisjoint(e["aggregate"]["id"] for e in later)
    # Its feed is the wide one's, less what happened outside its organization.
    mine = {e["id"] for e in seen}
    assert mine <= {e["id"] for e in everything}
    narrowed, _ = await until(confined, "", {ours["id"]}, types="member.created")
    assert {e["type"] for e in narrowed} == {"member.created"}
    outside = await client_api(
        http, await register(futian, ["events:read", "dues:read"], organization_id=sibling)
    )
    refused = await outside.get(EVENTS, params={"types": "member.created"})
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "event_types_not_readable"


async def test_types_choose_what_is_read_and_scopes_what_may_be(
    http: httpx.AsyncClient, futian: Api, branch: str
) -> None:
    member = await create_member(futian, branch)
    r = await futian.post(
        f"{V1}/members/{member['id']}/status",
        json={"status": "suspended", "reason": "测试停止党籍"},
    )
    assert r.status_code in (200, 201), r.text
    client = await client_api(http, await register(futian, READERS))
    events, _ = await until(client, "", {member["id"]}, types="member.status_changed")
    assert {e["type"] for e in events} == {"member.status_changed"}
    both, _ = await until(
        client, "", {member["id"]}, types=["member.created", "member.status_changed"]
    )
    assert [e["type"] for e in both if e["aggregate"]["id"] == member["id"]] == [
        "member.created",
        "member.status_changed",
    ]

    members_only = await client_api(http, await register(futian, ["events:read", "members:read"]))
    refused = await members_only.get(EVENTS, params={"types": "checkin.recorded"})
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "event_types_not_readable"
    assert "checkin:read" in refused.json()["errors"][0]["message"]
    mixed, _ = await drain(members_only)
    assert {e["type"].partition(".")[0] for e in mixed} <= {"member"}

    nothing = await client_api(http, await register(futian, ["events:read"]))
    r = await nothing.get(EVENTS)
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "event_types_none_readable"
    no_feed = await client_api(http, await register(futian, ["members:read"]))
    assert (await no_feed.get(EVENTS)).status_code == 403
    unknown = await client.get(EVENTS, params={"types": "member.deleted"})
    assert unknown.status_code == 400, unknown.text
    bad = await client.get(EVENTS, params={"after": "bm90IGEgY3Vyc29y"})
    assert bad.status_code == 400, bad.text


async def test_the_member_in_a_checkin_needs_the_sensitive_scope(
    http: httpx.AsyncClient, futian: Api, branch: str
) -> None:
    member = await create_member(futian, branch)
    meeting = await ongoing_meeting(futian, branch)
    r = await futian.post(f"{V1}/activities/{meeting}/checkins", json={"member_id": member["id"]})
    assert r.status_code == 201, r.text
    plain_made = await register(futian, READERS)
    plain = await client_api(http, plain_made)
    events, _ = await until(plain, "", {meeting}, types="checkin.recorded")
    (checkin,) = [e for e in events if e["aggregate"]["id"] == meeting]
    assert checkin["payload"]["member_id"] is None
    assert checkin["payload"]["activity_id"] == meeting
    made = await register(futian, [*READERS, "members:sensitive:read"])
    sensitive = await client_api(http, made)
    events, _ = await until(sensitive, "", {meeting}, types="checkin.recorded")
    (checkin,) = [e for e in events if e["aggregate"]["id"] == meeting]
    assert checkin["payload"]["member_id"] == member["id"]
    audit = await futian.get(
        f"{V1}/audit-events", params={"action": "event.read_sensitive", "limit": 200}
    )
    assert audit.status_code == 200, audit.text
    reads = [e for e in audit.json()["items"] if e["actor_name"] == f"api_client:{made['name']}"]
    assert reads, audit.text
    plain_reads = [
        e for e in audit.json()["items"] if e["actor_name"] == f"api_client:{plain_made['name']}"
    ]
    assert not plain_reads


def _validator(document: dict[str, Any], component: str) -> jsonschema.Draft202012Validator:
    schema = {"$ref": f"#/components/schemas/{component}", "components": document["components"]}
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


async def test_every_type_emitted_is_what_the_document_says(
    http: httpx.AsyncClient, futian: Api, branch: str
) -> None:
    """Real payloads, from the contexts that write them, against the exported schemas."""
    from tests.integration.activities.test_evidence import PHOTO, ask

    member = await create_member(futian, branch)
    r = await futian.patch(f"{V1}/members/{member['id']}", json={"phone": "13900001111"})
    assert r.status_code == 200, r.text
    r = await futian.post(
        f"{V1}/members/{member['id']}/status",
        json={"status": "suspended", "reason": "测试停止党籍"},
    )
    assert r.status_code in (200, 201), r.text
    other = await create_member(futian, branch)
    meeting = await ongoing_meeting(futian, branch)
    r = await futian.post(f"{V1}/activities/{meeting}/checkins", json={"member_id": other["id"]})
    assert r.status_code == 201, r.text
    slot = (await ask(futian, meeting, PHOTO)).json()
    put = await http.request(
        slot["upload"]["method"],
        slot["upload"]["url"],
        headers=slot["upload"]["headers"],
        content=PHOTO,
    )
    assert put.status_code == 200, put.text
    confirmed = await futian.post(f"{V1}/evidence/{slot['evidence']['id']}/confirm")
    assert confirmed.status_code == 200, confirmed.text
    assert (await futian.delete(f"{V1}/evidence/{slot['evidence']['id']}")).status_code == 204

    document = json.loads(DOCUMENT.read_text())
    types = await futian.get(f"{V1}/event-types")
    assert types.status_code == 200, types.text
    catalogue = {t["type"]: t for t in types.json()}
    # The other contexts' types are made by their own tests; their writers' payload shapes
    # are held to the structs in tests/unit/integration/test_event_catalogue.py.
    made_elsewhere = {
        "checkin.withdrawn",
        "leave.approved",
        "attendance.absence_recorded",
        "attendance.leave_recorded",
        "attendance.volunteer_hours_recorded",
        "points.awarded",
        "points.reversed",
        "star_rating.published",
        "star_rating.appealed",
        "applicant.created",
        "applicant.step_recorded",
        "applicant.stage_changed",
        "applicant.form_recorded",
        "applicant.step_due",
        "applicant.step_overdue",
        "dues.bills_generated",
        "dues.payment_settled",
        "dues.payment_refunded",
        "dues.voluntary_recorded",
        "dues.arrears_warning",
        "dues.arrears_flagged",
        *(name for name in catalogue if name.startswith("transfer.")),
        "webhook.disabled",
    }
    expected = set(catalogue) - made_elsewhere
    # `until` has each aggregate's first events; another worker's open transaction may
    # still hold the later ones (the evidence's deletion, the last written) behind the bound.
    events, after = await until(futian, "", {member["id"], meeting})
    for _ in range(300):
        mine = [e for e in events if e["aggregate"]["id"] in (member["id"], meeting)]
        if {e["type"] for e in mine} >= expected:
            break
        more, after = await drain(futian, after)
        events += more
        await asyncio.sleep(0.1)
    assert {e["type"] for e in mine} == expected
    envelopes = document["components"]["schemas"]["EventPage"]["properties"]["items"]["items"]
    assert len(envelopes["oneOf"]) == len(catalogue)
    for event in mine:
        kind = catalogue[event["type"]]
        component = kind["schema_ref"].rpartition("/")[2]
        _validator(document, f"{component}Event").validate(event)
        _validator(document, component).validate(event["payload"])
        jsonschema.validate(event["payload"], kind["payload_schema"])
        declared = document["components"]["schemas"][component]["properties"]
        assert set(event["payload"]) == set(declared), event["type"]
    evidence = next(e for e in mine if e["type"] == "evidence.attached")
    assert evidence["payload"]["uploaded_by"] is not None  # 福田's admin holds the sensitive read


async def test_the_catalogues_first_name_is_a_deprecated_alias(futian: Api) -> None:
    current = await futian.get(f"{V1}/event-types")
    alias = await futian.get(f"{V1}/events/types")
    assert alias.status_code == 200, alias.text
    assert alias.json() == current.json()
    assert alias.headers["deprecation"].startswith("@")
    assert alias.headers["sunset"].endswith(" GMT")
    assert alias.headers["link"] == '</api/v1/event-types>; rel="successor-version"'
    assert "deprecation" not in current.headers
    document = json.loads(DOCUMENT.read_text())
    assert document["paths"][f"{V1}/events/types"]["get"]["deprecated"] is True
    assert document["paths"][f"{V1}/event-types"]["get"].get("deprecated") is not True
