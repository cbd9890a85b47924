"""Point rule sets over HTTP: field-level refusals, versions, inheritance, isolation."""

from __future__ import annotations

from tests.conftest import Api
from tests.integration.points.conftest import V1, Place, meeting_rules


def field_codes(body: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {e["field"]: e["code"] for e in body.get("errors") or []}


async def test_a_scheme_is_refused_field_by_field(place: Place) -> None:
    county = await place.county()
    body = meeting_rules()
    body["items"] += [
        {"code": "nosource", "name": "无来源", "points": 1},
        {"code": "tea", "name": "茶话会", "points": 1, "source": "attendance",
         "activity_kind": "tea_party"},
        {"code": "lecture", "name": "党课", "points": 5, "source": "attendance",
         "activity_kind": "party_lecture", "cap_per_period": 4},
    ]  # fmt: skip
    r = await county.rules(**body)
    assert r.status_code == 422, r.text
    assert field_codes(r.json()) == {
        "items[1].source": "point_item_source_missing",
        "items[2].activity_kind": "point_item_kind_unknown",
        "items[3].cap_per_period": "point_item_cap_below_award",
    }
    assert "来源" in r.json()["errors"][0]["message"]
    # nothing was written
    listed = await county.admin.get(f"{V1}/point-rules", params={"tenant_id": county.id})
    assert [v for v in listed.json()["items"] if v["tenant_id"] == county.id] == []


async def test_versions_follow_one_another_and_never_overlap(place: Place) -> None:
    county = await place.county()
    first = await county.rules(**meeting_rules("2026-01-01"))
    assert first.status_code == 201, first.text
    assert (first.json()["version"], first.json()["tenant_id"]) == (1, county.id)
    r = await county.rules(**meeting_rules("2026-01-01"))
    assert r.status_code == 422, r.text
    assert field_codes(r.json()) == {"effective_from": "point_version_overlaps"}
    second = await county.rules(**meeting_rules("2026-07-01", points=4))
    assert second.status_code == 201, second.text
    assert second.json()["version"] == 2
    listed = (await county.admin.get(f"{V1}/point-rules")).json()["items"]
    assert [(v["version"], v["items"][0]["points"]) for v in listed] == [(1, 3), (2, 4)]


async def test_a_county_without_rules_earns_under_its_citys(place: Place) -> None:
    county = await place.county()
    city_id, city_admin = await place.city()
    before = (await county.admin.get(f"{V1}/point-rules")).json()["items"]
    if not before:  # the city's scheme is written once per test database
        r = await county.rules(city_admin, tenant_id=city_id, **meeting_rules("2000-01-01"))
        assert r.status_code == 201, r.text
    inherited = (await county.admin.get(f"{V1}/point-rules")).json()["items"]
    assert inherited
    assert {v["tenant_id"] for v in inherited} == {city_id}
    # a county administrator cannot change the city's scheme
    r = await county.rules(tenant_id=city_id, **meeting_rules("2030-01-01"))
    assert r.status_code == 404, r.text
    # its own scheme replaces the inherited one
    r = await county.rules(**meeting_rules("2026-01-01"))
    assert r.status_code == 201, r.text
    own = (await county.admin.get(f"{V1}/point-rules")).json()["items"]
    assert [(v["tenant_id"], v["version"]) for v in own] == [(county.id, 1)]


async def test_a_sibling_county_sees_nothing_of_the_scheme(place: Place, nanshan: Api) -> None:
    county = await place.county()
    sibling = await place.county()
    made = (await county.rules(**meeting_rules())).json()
    r = await sibling.admin.get(f"{V1}/point-rules/{made['id']}")
    assert r.status_code == 404, r.text
    r = await nanshan.get(f"{V1}/point-rules", params={"tenant_id": county.id})
    assert r.status_code == 404, r.text
    r = await county.admin.get(f"{V1}/point-rules/{made['id']}")
    assert r.status_code == 200, r.text
