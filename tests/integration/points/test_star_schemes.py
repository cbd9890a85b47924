"""A tenant's stored star scheme (versioned, audited, read by a run queued without one)
and the members no run rates: no longer active, excluded by the point rules (aged 70+,
long illness) or of a class the scheme leaves out (issue 14)."""

from __future__ import annotations

from datetime import date
from typing import Any

import psycopg

from infra.db.bootstrap import conninfo_of
from tests.integration.points.conftest import V1, Place, meeting_rules
from tests.integration.points.test_point_awards import problem
from tests.integration.points.test_star_ratings import THIS_YEAR, THRESHOLDS, rated, ratings


async def test_the_stored_scheme_is_versioned_audited_and_used_by_a_run(place: Place) -> None:
    county = await place.county()
    url = f"{V1}/star-schemes"
    r = await county.admin.get(url)
    assert r.status_code == 200, r.text
    assert (r.json()["member"]["version"], r.json()["member"]["scheme"]["method"]) == (0, "shares")
    assert r.json()["branch"]["scheme"]["five_star_requires"] == "innovation"
    r = await county.admin.post(url, json={"subject": "member", "scheme": THRESHOLDS})
    assert r.status_code == 201, r.text
    assert (r.json()["version"], r.json()["tenant_id"]) == (1, county.id)
    second = {**THRESHOLDS, "notice_days": 3, "excluded_classes": ["special"]}
    r = await county.admin.post(url, json={"subject": "member", "scheme": second})
    assert r.json()["version"] == 2
    stored = (await county.admin.get(url)).json()["member"]
    assert (stored["version"], stored["scheme"]["notice_days"]) == (2, 3)
    assert stored["scheme"]["excluded_classes"] == ["special"]
    # branches keep their own scheme; a bad one is refused field by field
    assert (await county.admin.get(url)).json()["branch"]["version"] == 0
    r = await county.admin.post(url, json={"subject": "branch", "scheme": second})
    problem(r, 422, "star_scheme_invalid")
    assert {e["field"] for e in r.json()["errors"]} == {"scheme.excluded_classes"}
    # a member may not read or change it; a sibling county sees its own default only
    branch = await county.world.branch(1)
    member = branch.members[0]
    assert member.api is not None
    problem(await member.api.post(url, json={"subject": "member", "scheme": THRESHOLDS}),
            403, "forbidden")  # fmt: skip
    sibling = await place.county()
    assert (await sibling.admin.get(url)).json()["member"]["version"] == 0
    r = await sibling.admin.get(url, params={"tenant_id": county.id})
    assert r.status_code in (403, 404), r.text
    audit = (
        await county.admin.get(f"{V1}/audit-events", params={"action": "star_scheme.set"})
    ).json()["items"]
    assert len(audit) == 2
    # a run without a scheme takes the stored one and keeps it
    run = await rated(county, subject="member", period=THIS_YEAR)
    assert (run["scheme"]["notice_days"], run["scheme"]["method"]) == (3, "thresholds")


async def test_a_tenant_without_a_scheme_rates_under_its_nearest_ancestors(
    place: Place,
) -> None:
    """Its own city, so no other test's county inherits what this one writes."""
    city_id, city = await place.tenant("445300", "汕尾测试")
    county_id, county = await place.tenant("445301", "汕尾测试县", parent_id=city_id)
    url = f"{V1}/star-schemes"
    r = await city.post(url, json={"subject": "member", "scheme": THRESHOLDS})
    assert r.status_code == 201, r.text
    inherited = (await county.get(url)).json()
    assert (inherited["member"]["tenant_id"], inherited["member"]["version"]) == (city_id, 1)
    assert inherited["member"]["scheme"]["method"] == "thresholds"
    assert (inherited["branch"]["tenant_id"], inherited["branch"]["version"]) == (county_id, 0)
    # its own first version is its own 1, and from then on its own holds
    own = {**THRESHOLDS, "notice_days": 3}
    r = await county.post(url, json={"subject": "member", "scheme": own})
    assert (r.json()["tenant_id"], r.json()["version"]) == (county_id, 1), r.text
    mine = (await county.get(url)).json()["member"]
    assert (mine["tenant_id"], mine["scheme"]["notice_days"]) == (county_id, 3)
    # the city's own is unchanged, and a county under another city does not see it
    assert (await city.get(url)).json()["member"]["tenant_id"] == city_id
    elsewhere = await place.county()
    assert (await elsewhere.admin.get(url)).json()["member"]["version"] == 0


def _set_member(place: Place, tenant_id: str, member_id: str, **columns: Any) -> None:
    sets = ", ".join(f"{c} = %s" for c in columns)
    with psycopg.connect(conninfo_of(place.database.admin), autocommit=True) as conn:
        conn.execute("SET ROLE zhibu_owner")
        conn.execute(
            f"UPDATE member SET {sets} WHERE tenant_id = %s AND id = %s",
            (*columns.values(), tenant_id, member_id),
        )


async def test_members_the_rules_exclude_are_not_rated(place: Place) -> None:
    county = await place.county()
    rules = {
        **meeting_rules(),
        "classes": [{"code": "ordinary", "name": "普通"}, {"code": "special", "name": "特殊"}],
        "exclusions": [{"kind": "age_at_least", "years": 70},
                       {"kind": "condition", "condition": "long_illness"}],
    }  # fmt: skip
    assert (await county.rules(**rules)).status_code == 201
    branch = await county.world.branch(6)
    rated_one, aged, ill, special, suspended, young = branch.members
    # 70 on the last day of the year rated is out; a day short of it is in
    _set_member(place, county.id, aged.member_id, birth_date=date(int(THIS_YEAR) - 70, 12, 31))
    _set_member(place, county.id, young.member_id, birth_date=date(int(THIS_YEAR) - 69, 1, 1))
    _set_member(place, county.id, suspended.member_id, status="suspended")
    profile = f"{V1}/members/{{}}/points/profile"
    for who, body in (
        (ill, {"conditions": ["long_illness"]}),
        (special, {"member_class": "special"}),
    ):
        r = await county.admin.request("PUT", profile.format(who.member_id), json=body)
        assert r.status_code == 200, r.text
    scheme = {**THRESHOLDS, "excluded_classes": ["special"]}
    run = await rated(county, subject="member", period=THIS_YEAR, scheme=scheme)
    assert run["rated"] == 2
    seen = {r["subject_id"] for r in await ratings(county.admin, run_id=run["id"])}
    assert seen == {rated_one.member_id, young.member_id}
