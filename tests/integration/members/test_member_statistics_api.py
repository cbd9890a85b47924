"""Organization and tenant statistics derived from the registry, for a small known set."""

from __future__ import annotations

from datetime import date

from tests.conftest import Api
from tests.integration.members.helpers import create_member, id_number, new_branch, org_ids


def _age_birth(age: int) -> date:
    """A birth date making someone `age` years old today (born on 1 January)."""
    return date(
        date.today().year - age - (1 if date.today() < date(date.today().year, 1, 2) else 0), 1, 1
    )


async def test_organization_and_tenant_stats(
    futian: Api, nanshan: Api, city: Api, secretary: Api, tenant_ids: dict[str, str]
) -> None:
    orgs = await org_ids(futian, tenant_ids["440304"])
    branch = await new_branch(futian, orgs["福田区直属机关党委"])
    people = [
        ("甲", 25, True, "full", "bachelor", "汉族", "backbone"),
        ("乙", 33, False, "full", "postgraduate", "壮族", "ordinary"),
        ("丙", 45, True, "probationary", "bachelor", "汉族", "ordinary"),
        ("丁", 70, False, "full", None, "汉族", "special"),
    ]
    ids = []
    for name, age, male, status, education, ethnicity, member_class in people:
        born = _age_birth(age)
        body = {
            "name": name + "同志",
            "id_number": id_number(birth=born, male=male),
            "status": status,
            "admitted_on": date(born.year + 20, 7, 1).isoformat(),
            "full_member_on": None
            if status == "probationary"
            else date(born.year + 21, 7, 1).isoformat(),
            "education": education,
            "ethnicity": ethnicity,
            "member_class": member_class,
        }
        if status == "probationary":
            body["admitted_on"] = date.today().replace(month=1, day=1).isoformat()
        ids.append((await create_member(futian, branch, **body))["id"])
    r = await futian.post(
        f"/api/v1/members/{ids[3]}/status", json={"status": "suspended", "reason": "长期失联"}
    )
    assert r.status_code == 200, r.text

    r = await futian.get(f"/api/v1/organizations/{branch}/member-stats")
    assert r.status_code == 200, r.text
    counts = r.json()["counts"]
    assert counts["total"] == 3
    assert counts["by_status"] == {"full": 2, "probationary": 1, "suspended": 1}
    assert counts["by_gender"] == {"female": 1, "male": 2}
    assert counts["by_ethnicity"] == {"壮族": 1, "汉族": 2}
    assert counts["by_education"] == {"bachelor": 2, "postgraduate": 1}
    assert counts["by_class"] == {"backbone": 1, "ordinary": 2}
    assert counts["by_age_band"] == {"31_35": 1, "41_45": 1, "up_to_30": 1}

    # The secretary of another branch may not; a sibling county does not see it at all.
    assert (await secretary.get(f"/api/v1/organizations/{branch}/member-stats")).status_code == 403
    assert (await nanshan.get(f"/api/v1/organizations/{branch}/member-stats")).status_code == 404

    # The city rolls up its counties: Futian holds at least this branch's members.
    r = await city.get("/api/v1/stats/members", params={"tenant_id": tenant_ids["440300"]})
    assert r.status_code == 200, r.text
    body = r.json()
    children = {c["code"]: c["counts"] for c in body["children"]}
    assert set(children) >= {"440304", "440305"}
    assert children["440304"]["total"] >= 3
    assert (
        body["total"]["total"] == sum(c["total"] for c in children.values()) + body["own"]["total"]
    )
    assert body["total"]["by_status"]["suspended"] >= 1
    # A county cannot read its sibling's statistics.
    r = await nanshan.get("/api/v1/stats/members", params={"tenant_id": tenant_ids["440304"]})
    assert r.status_code in (403, 404)
