"""What a version of a member record says (党员信息变更历史): which fields are tracked, and
how a change or a creation is recorded (each field's old and new value). 身份证号 and phone
are compared and recorded in their masked form only, by the adapter that reads them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TRACKED_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "phone",
    "education",
    "work_unit",
    "post",
    "organization_id",
    "user_id",
    "status",
    "status_reason",
    "admitted_on",
    "full_member_on",
    "member_class",
    "mobile",
    "tags",
)
Changes = dict[str, dict[str, Any]]


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> Changes:
    """Each tracked field whose value differs, as {"old": …, "new": …}."""
    return {
        name: {"old": before[name], "new": after[name]}
        for name in TRACKED_FIELDS
        if before[name] != after[name]
    }


def creation_changes_of(values: Mapping[str, Any]) -> Changes:
    """The first version: every tracked field that is set, from nothing."""
    return {
        name: {"old": None, "new": values[name]}
        for name in TRACKED_FIELDS
        if values[name] not in (None, [])
    }
