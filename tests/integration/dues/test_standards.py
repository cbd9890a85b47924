"""Dues standards and the calculator over HTTP (issue 15 item 1): the built-in 2008
standard, versions by effective date inherited down the tree, the tenant's rounding."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api

V1 = "/api/v1"

BRACKETS = {
    "employed": [
        {"up_to_fen": 300_000, "rate_bp": 50},
        {"up_to_fen": 500_000, "rate_bp": 100},
        {"up_to_fen": 1_000_000, "rate_bp": 150},
        {"up_to_fen": None, "rate_bp": 200},
    ],
    "retired": [{"up_to_fen": 500_000, "rate_bp": 50}, {"up_to_fen": None, "rate_bp": 100}],
}


def standard(name: str, effective_from: str, farmer: int, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "effective_from": effective_from,
        "brackets": BRACKETS,
        "fixed_fen": {"farmer": farmer, "student": 20, "unemployed": 20, "subsistence": 20},
        **extra,
    }


async def calc(api: Api, category: str, income: int | None = None, **extra: Any) -> Any:
    body: dict[str, Any] = {"category": category, **extra}
    if income is not None:
        body["monthly_income_fen"] = income
    r = await api.post(f"{V1}/dues/calculate", json=body)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize(
    ("category", "income", "dues", "rate"),
    [
        ("employed", 300_000, 1_500, 50),
        ("employed", 300_001, 3_000, 100),
        ("employed", 500_000, 5_000, 100),
        ("employed", 1_000_000, 15_000, 150),
        ("employed", 1_000_001, 20_000, 200),
        ("retired", 500_000, 2_500, 50),
        ("retired", 500_001, 5_000, 100),
    ],
)
async def test_the_calculator_at_the_bracket_edges(
    futian: Api, category: str, income: int, dues: int, rate: int
) -> None:
    got = await calc(futian, category, income)
    assert got["amount_fen"] == dues
    assert got["rule"]["rate_bp"] == rate
    assert got["rounding"] == "half_up"


async def test_fixed_categories_and_the_rule_in_words(futian: Api) -> None:
    student = await calc(futian, "student")
    assert student["amount_fen"] == 20
    assert student["rule"]["fixed_fen"] == 20
    assert student["rule"]["description"] == "学生党员每月交纳 0.20 元"
    employed = await calc(futian, "employed", 400_000)
    assert employed["rule"]["description"] == "月收入 3000 元以上至 5000 元（含）按 1% 交纳"


async def test_an_income_is_needed_for_employed_and_refused_for_fixed(futian: Api) -> None:
    r = await futian.post(f"{V1}/dues/calculate", json={"category": "employed"})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "dues_income_needed"
    r = await futian.post(
        f"{V1}/dues/calculate", json={"category": "farmer", "monthly_income_fen": 100}
    )
    assert r.status_code == 422, r.text
    r = await futian.post(
        f"{V1}/dues/calculate", json={"category": "employed", "monthly_income_fen": "5000"}
    )
    assert r.status_code == 400, r.text


async def test_the_tenants_rounding_rule_applies(
    nanshan: Api, city: Api, tenant_ids: dict[str, str]
) -> None:
    tenant = tenant_ids["440305"]
    # 3001.50 yuan × 1% = 3001.5 fen
    assert (await calc(nanshan, "employed", 300_150))["amount_fen"] == 3_002
    r = await city.patch(f"{V1}/tenants/{tenant}", json={"settings": {"dues_rounding": "down"}})
    assert r.status_code == 200, r.text
    try:
        got = await calc(nanshan, "employed", 300_150)
        assert (got["amount_fen"], got["rounding"]) == (3_001, "down")
    finally:
        r = await city.patch(f"{V1}/tenants/{tenant}", json={"settings": {}})
        assert r.status_code == 200, r.text


async def test_the_built_in_standard_is_listed_in_force(futian: Api, inspector: Api) -> None:
    r = await futian.get(f"{V1}/dues/standards")
    assert r.status_code == 200, r.text
    built_in = r.json()[0]
    assert built_in["tenant_id"] is None
    assert built_in["effective_from"] == "2008-04-01"
    assert built_in["brackets"]["employed"][0] == {"up_to_fen": 300_000, "rate_bp": 50}
    assert built_in["fixed_fen"]["student"] == 20
    assert (await inspector.get(f"{V1}/dues/standards")).status_code == 200


async def test_versions_follow_effective_dates_and_the_nearest_tenant(
    province: Api, futian: Api, nanshan: Api, tenant_ids: dict[str, str]
) -> None:
    # Far in the future, so that today's figures elsewhere are left alone.
    r = await province.post(f"{V1}/dues/standards", json=standard("省标准", "2099-01-01", 50))
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["tenant_id"] == tenant_ids["440000"]
    r = await nanshan.post(f"{V1}/dues/standards", json=standard("南山标准", "2098-01-01", 80))
    assert r.status_code == 201, r.text

    assert (await calc(futian, "farmer", on="2098-12-31"))["amount_fen"] == 20
    inherited = await calc(futian, "farmer", on="2099-02-01")
    assert inherited["amount_fen"] == 50
    assert inherited["rule"]["standard_id"] == made["id"]
    # 南山's own version is nearer than the province's, whatever their dates.
    assert (await calc(nanshan, "farmer", on="2099-02-01"))["amount_fen"] == 80

    listed = (await futian.get(f"{V1}/dues/standards")).json()
    assert [s["name"] for s in listed] == [listed[0]["name"], "省标准"]
    assert [s["in_force"] for s in listed] == [True, False]
    assert "南山标准" not in str((await futian.get(f"{V1}/dues/standards")).json())


async def test_one_version_a_day_and_only_with_dues_configure(futian: Api, secretary: Api) -> None:
    body = standard("福田标准", "2097-03-01", 30)
    assert (await futian.post(f"{V1}/dues/standards", json=body)).status_code == 201
    again = await futian.post(f"{V1}/dues/standards", json=body)
    assert again.status_code == 409, again.text
    assert again.json()["code"] == "dues_standard_exists"
    refused = await secretary.post(f"{V1}/dues/standards", json=standard("书记", "2097-04-01", 30))
    assert refused.status_code == 403, refused.text


async def test_brackets_that_do_not_rise_are_refused(futian: Api) -> None:
    body = standard("乱序", "2097-05-01", 30)
    body["brackets"] = {
        **BRACKETS,
        "employed": [
            {"up_to_fen": 500_000, "rate_bp": 50},
            {"up_to_fen": 300_000, "rate_bp": 100},
            {"up_to_fen": None, "rate_bp": 200},
        ],
    }
    r = await futian.post(f"{V1}/dues/standards", json=body)
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["brackets.employed.1.up_to_fen"]
