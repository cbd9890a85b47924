import pytest

from domain.shared.errors import DomainError
from domain.tenancy import (
    PLATFORM_CODE,
    TenantLevel,
    check_child_tenant,
    check_new_tenant,
    check_root_tenant,
    child_path,
)

P, C, X = TenantLevel.PROVINCE, TenantLevel.CITY, TenantLevel.COUNTY


def field_codes(exc: pytest.ExceptionInfo[DomainError]) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in exc.value.errors]


def test_platform_admin_creates_a_province() -> None:
    check_root_tenant(P, "440000")


@pytest.mark.parametrize(("level", "code"), [(C, "440300"), (X, "440305")])
def test_platform_admin_cannot_create_a_city_or_county(level: TenantLevel, code: str) -> None:
    with pytest.raises(DomainError) as exc:
        check_root_tenant(level, code)
    assert exc.value.code == "tenant_invalid"
    assert field_codes(exc) == [("level", "tenant_root_must_be_province")]


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("44000", "tenant_code_format"),
        ("44000a", "tenant_code_format"),
        ("990000", "tenant_code_unknown_province"),
        ("710000", "tenant_code_unknown_province"),
        ("440300", "tenant_code_level_mismatch"),
    ],
)
def test_province_code_must_be_a_mainland_province(code: str, error: str) -> None:
    with pytest.raises(DomainError) as exc:
        check_root_tenant(P, code)
    assert field_codes(exc) == [("code", error)]


def test_province_creates_city_with_its_prefix() -> None:
    check_child_tenant(P, "440000", C, "440300")


def test_city_creates_county_with_its_prefix() -> None:
    check_child_tenant(C, "440300", X, "440305")


def test_county_has_no_children() -> None:
    with pytest.raises(DomainError) as exc:
        check_child_tenant(X, "440305", X, "440306")
    assert field_codes(exc) == [("level", "tenant_county_has_no_children")]


def test_province_cannot_skip_to_an_ordinary_county() -> None:
    with pytest.raises(DomainError) as exc:
        check_child_tenant(P, "440000", X, "440305")
    assert field_codes(exc) == [("level", "tenant_child_level_invalid")]


def test_city_cannot_create_a_city() -> None:
    with pytest.raises(DomainError) as exc:
        check_child_tenant(C, "440300", C, "440400")
    assert field_codes(exc) == [("level", "tenant_child_level_invalid")]


@pytest.mark.parametrize(
    ("parent_level", "parent", "level", "child"),
    [(P, "440000", C, "450100"), (C, "440300", X, "440105")],
)
def test_child_code_must_share_the_parent_prefix(
    parent_level: TenantLevel, parent: str, level: TenantLevel, child: str
) -> None:
    with pytest.raises(DomainError) as exc:
        check_child_tenant(parent_level, parent, level, child)
    assert field_codes(exc) == [("code", "tenant_code_prefix_mismatch")]


@pytest.mark.parametrize(("level", "code"), [(C, "440000"), (X, "440400")])
def test_code_must_match_the_declared_level(level: TenantLevel, code: str) -> None:
    parent_level, parent = (P, "440000") if level is C else (C, "440300")
    with pytest.raises(DomainError) as exc:
        check_child_tenant(parent_level, parent, level, code)
    assert field_codes(exc) == [("code", "tenant_code_level_mismatch")]


@pytest.mark.parametrize(("province", "county"), [("500000", "500101"), ("110000", "110105")])
def test_municipality_creates_districts_directly(province: str, county: str) -> None:
    check_child_tenant(P, province, X, county)


def test_municipality_has_no_city_tenants() -> None:
    with pytest.raises(DomainError) as exc:
        check_child_tenant(P, "500000", C, "500100")
    assert field_codes(exc) == [("level", "tenant_child_level_invalid")]


def test_province_governed_county_sits_under_its_province() -> None:
    check_child_tenant(P, "420000", X, "429004")


def test_province_governed_county_is_not_under_a_city() -> None:
    with pytest.raises(DomainError) as exc:
        check_child_tenant(C, "420100", X, "429004")
    assert field_codes(exc) == [("code", "tenant_code_prefix_mismatch")]


def test_province_direct_group_is_not_a_city() -> None:
    with pytest.raises(DomainError) as exc:
        check_child_tenant(P, "420000", C, "429000")
    assert field_codes(exc) == [("code", "tenant_code_not_a_city")]


def test_paths_use_the_codes_as_labels() -> None:
    province = child_path(None, "440000")
    city = child_path(province, "440300")
    assert child_path(city, "440305") == "440000.440300.440305"


def test_path_refuses_a_non_code() -> None:
    with pytest.raises(ValueError, match="tenant code"):
        child_path("440000", "44-300")


def test_a_new_tenants_level_comes_from_its_code_unless_given() -> None:
    assert check_new_tenant("platform", PLATFORM_CODE, "440000", None) is P
    assert check_new_tenant("province", "440000", "440300", None) is C
    assert check_new_tenant("city", "440300", "440304", "county") is X


def test_a_new_tenant_needs_a_six_digit_code() -> None:
    with pytest.raises(DomainError) as exc:
        check_new_tenant("province", "440000", "4403", None)
    assert exc.value.code == "validation_failed"
    assert field_codes(exc) == [("code", "tenant_code_format")]


def test_the_platform_creates_provinces_only() -> None:
    with pytest.raises(DomainError) as exc:
        check_new_tenant("platform", PLATFORM_CODE, "440300", None)
    assert field_codes(exc) == [("level", "tenant_root_must_be_province")]
