"""Tenants (机关工委 / 租户) and the rules for creating them.

A tenant's code is its 6-digit administrative division code (GB/T 2260): `PPCCXX` with the
province in `PP`, the prefecture-level unit in `CC` and the county-level unit in `XX`.

Choices, each a simplification that stays true to GB/T 2260:
- Only the 31 mainland province-level units may be roots (no 71/81/82: there is no 机关工委
  of ours there).
- Municipalities (北京 11, 天津 12, 上海 31, 重庆 50) have no real city level: their `PP01xx`
  (市辖区) and `PP02xx` (县) units are counties directly under the province, and a city tenant
  under a municipality is refused.
- `PP90xx` is the group of county-level units the province governs directly (e.g. 仙桃
  429004, 济源 419001): such a county is created directly under its province, and `PP9000` is
  refused as a city because it is a statistical grouping, not a unit with a 机关工委.
- Cities without counties (东莞 441900) simply have no child tenants; nothing forces children.
"""

from __future__ import annotations

import re
from enum import StrEnum

from domain.shared.errors import DomainError, FieldError
from domain.tenancy.messages import MESSAGES
from domain.tenancy.paths import append_label


class TenantLevel(StrEnum):
    """Tenant level: 省 (province) > 市 (city) > 县/区 (county)."""

    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"

    @property
    def zh(self) -> str:
        return _LEVEL_ZH[self]


# The platform root above the provinces: its code and ltree path (seeded once).
PLATFORM_CODE = "000000"
PLATFORM_PATH = "zb"

_LEVEL_ZH = {TenantLevel.PROVINCE: "省级", TenantLevel.CITY: "市级", TenantLevel.COUNTY: "县级"}

_REGIONS = (
    range(11, 16),
    range(21, 24),
    range(31, 38),
    range(41, 47),
    range(50, 55),
    range(61, 66),
)
"""The mainland's province-level codes by region: 华北, 东北, 华东, 中南, 西南, 西北."""
PROVINCE_PREFIXES = frozenset(str(n) for region in _REGIONS for n in region)
MUNICIPALITY_PREFIXES = frozenset({"11", "12", "31", "50"})
PROVINCE_DIRECT_GROUP = "90"

_CODE = re.compile(r"[0-9]{6}")


def level_of_code(code: str) -> TenantLevel | None:
    """The level a well-formed code denotes, or None if it is not six digits."""
    if not _CODE.fullmatch(code):
        return None
    if code.endswith("0000"):
        return TenantLevel.PROVINCE
    if code.endswith("00"):
        return TenantLevel.CITY
    return TenantLevel.COUNTY


def _level_of_new_tenant(code: str, level: str | None) -> TenantLevel:
    """The level asked for, else the one the division code implies."""
    found = TenantLevel(level) if level else level_of_code(code)
    if found is None:
        raise MESSAGES.error(
            "tenant_code_not_six_digits",
            code="validation_failed",
            errors=[MESSAGES.field("code", "tenant_code_format")],
        )
    return found


def is_province_direct_county(code: str) -> bool:
    """A county-level unit with no prefecture between it and its province."""
    return level_of_code(code) is TenantLevel.COUNTY and (
        code[:2] in MUNICIPALITY_PREFIXES or code[2:4] == PROVINCE_DIRECT_GROUP
    )


def _refuse(errors: list[FieldError]) -> DomainError:
    return MESSAGES.error("tenant_invalid", errors=errors)


def _code_errors(level: TenantLevel, code: str) -> list[FieldError]:
    """Format and level checks every tenant code must pass, wherever it sits."""
    actual = level_of_code(code)
    if actual is None:
        return [MESSAGES.field("code", "tenant_code_format")]
    if code[:2] not in PROVINCE_PREFIXES:
        return [MESSAGES.field("code", "tenant_code_unknown_province", prefix=code[:2])]
    if actual is not level:
        return [
            MESSAGES.field(
                "code",
                f"tenant_code_level_mismatch_{level.value}",
                code="tenant_code_level_mismatch",
            )
        ]
    if level is TenantLevel.CITY and code[2:4] == PROVINCE_DIRECT_GROUP:
        return [MESSAGES.field("code", "tenant_code_not_a_city", division=code)]
    return []


def check_root_tenant(level: TenantLevel, code: str) -> None:
    """A platform administrator creates provinces only; everything else has a parent."""
    if level is not TenantLevel.PROVINCE:
        raise _refuse([MESSAGES.field("level", "tenant_root_must_be_province")])
    errors = _code_errors(level, code)
    if errors:
        raise _refuse(errors)


def _allowed_child_level(
    parent_level: TenantLevel, parent_code: str, child_code: str
) -> TenantLevel:
    if parent_level is TenantLevel.CITY:
        return TenantLevel.COUNTY
    if parent_code[:2] in MUNICIPALITY_PREFIXES or child_code[2:4] == PROVINCE_DIRECT_GROUP:
        return TenantLevel.COUNTY
    return TenantLevel.CITY


def check_child_tenant(
    parent_level: TenantLevel, parent_code: str, child_level: TenantLevel, child_code: str
) -> None:
    """A tenant administrator creates children exactly one level below their own tenant.

    Province-direct counties (see the module docstring) count as one level below a province.
    """
    if parent_level is TenantLevel.COUNTY:
        raise _refuse([MESSAGES.field("level", "tenant_county_has_no_children")])
    errors = _code_errors(child_level, child_code)
    if errors:
        raise _refuse(errors)
    expected = _allowed_child_level(parent_level, parent_code, child_code)
    if child_level is not expected:
        raise _refuse(
            [
                MESSAGES.field(
                    "level",
                    "tenant_child_level_invalid",
                    parent_code=parent_code,
                    level_zh=expected.zh,
                    level=expected.value,
                )
            ]
        )
    shared = 2 if parent_level is TenantLevel.PROVINCE else 4
    if child_code[:shared] != parent_code[:shared]:
        raise _refuse(
            [MESSAGES.field("code", "tenant_code_prefix_mismatch", prefix=parent_code[:shared])]
        )


def check_new_tenant(
    parent_level: str, parent_code: str, code: str, level: str | None
) -> TenantLevel:
    """The level of a new tenant under its parent (the platform root or a tenant)."""
    child = _level_of_new_tenant(code, level)
    if parent_level == "platform":
        check_root_tenant(child, code)
    else:
        check_child_tenant(TenantLevel(parent_level), parent_code, child, code)
    return child


def child_path(parent_path: str | None, code: str) -> str:
    """A tenant's ltree path: its ancestors' codes and its own, e.g. `440000.440300.440305`.

    Codes are unique and readable in SQL; a code change (区划调整) is a subtree move.
    """
    if not _CODE.fullmatch(code):
        raise ValueError(f"not a tenant code: {code!r}")
    return append_label(parent_path, code)
