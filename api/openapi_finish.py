"""The finishing pass over the OpenAPI document Litestar generates.

Litestar renders what the handlers declare; a few things third parties code against
cannot be declared there, so they are set here, once, on the rendered dict:

- every string enum is a named component, so a generated client has one class per enum
  and not one per inline copy (three for each nullable one);
- tags carry their Chinese names as `x-displayName`, keeping the names themselves ASCII;
- public operations say `security: []`;
- every JSON 200 of a GET documents the `ETag` header the middleware adds, and the 304
  it answers to a matching `If-None-Match`;
- the members export documents its CSV form beside the xlsx one;
- parameters carry the constraints their parsers apply (`PARAMETER_CONSTRAINTS`), and none
  is "nullable": a query string or header cannot carry a null, only leave the value out;
- a list filtered by another resource documents the 404 it answers when that resource is
  missing or out of sight;
- the event payloads' personal fields say so (`x-personal: true`).
"""

from __future__ import annotations

import copy
import re
from typing import Any, Literal, get_args

from api.activities import schemas as activity_schemas
from api.evidence import schemas as evidence_schemas
from api.integration import schemas as integration_schemas
from api.members import schemas as member_schemas
from api.tenancy import schemas as tenancy_schemas
from domain.integration import CATALOGUE, EventTypeName

# Named enums by their values. A new enum without a name here still becomes a
# component, named after where it was first met.
ENUM_NAMES: dict[tuple[str, ...], str] = {
    get_args(literal): name
    for literal, name in (
        (activity_schemas.KindName, "ActivityKind"),
        (activity_schemas.StatusName, "ActivityStatus"),
        (tenancy_schemas.PostName, "CommitteePost"),
        (evidence_schemas.KindName, "EvidenceKind"),
        (Literal["all", "partial"], "ImportMode"),
        (Literal["create", "update", "unchanged", "refused"], "ImportRowAction"),
        (member_schemas.EducationName, "Education"),
        (member_schemas.GenderName, "Gender"),
        (member_schemas.ClassName, "MemberClass"),
        (member_schemas.ActiveStatus, "AdmissionStatus"),
        (member_schemas.StatusName, "MemberStatus"),
        (tenancy_schemas.OrgKindName, "OrganizationKind"),
        (tenancy_schemas.Level, "TenantLevel"),
        (member_schemas.SortName, "MemberSort"),
        (Literal["xlsx", "csv"], "ExportFormat"),
        (integration_schemas.ScopeName, "ApiScope"),
        (EventTypeName, "EventType"),
    )
}

TAG_NAMES_ZH: dict[str, str] = {
    "Auth": "认证",
    "Tenants": "租户",
    "Organizations": "党组织",
    "Users": "用户",
    "Members": "党员",
    "Statistics": "统计",
    "Activities": "活动",
    "Check-in": "签到",
    "Compliance": "组织生活落实",
    "Roles": "角色",
    "Audit": "审计",
    "Jobs": "后台任务",
    "Evidence": "佐证材料",
    "Storage": "对象存储",
    "API clients": "接口客户端",
    "Points": "积分",
    "Webhooks": "Webhook 推送",
    "Development": "发展党员",
    "Dues": "党费",
    "Transfers": "组织关系转接",
    "Events": "事件",
    "Operations": "运维",
}

ETAG_HEADER = {
    "description": "表示的实体标签；GET 带 If-None-Match 时未变更返回 304 "
    "Entity tag of the representation; If-None-Match answers 304 when unchanged",
    "schema": {"type": "string", "pattern": '^(W/)?"[^"]*"$'},
}
NOT_MODIFIED = {
    "description": "If-None-Match 与当前 ETag 相同：未变更，无正文 "
    "Not modified: If-None-Match names the current ETag; no body",
    "headers": {"ETag": ETAG_HEADER},
}
# What the handlers check by hand, by parameter name; an empty cursor or If-Match reads as
# absent.
PARAMETER_CONSTRAINTS: dict[str, dict[str, Any]] = {
    "cursor": {"pattern": "^[A-Za-z0-9_-]*$"},
    "after": {"pattern": "^[A-Za-z0-9_-]*$"},
    "period": {"pattern": "^(20[0-9]{2}|2100)(-(0[1-9]|1[0-2])|-Q[1-4]|-H[12])?$"},
    "Idempotency-Key": {"pattern": "^[\\x21-\\x7e]{1,200}$"},
    "If-Match": {"pattern": '^(|\\*|(W/)?"[^"]*"(, *(W/)?"[^"]*")*)$'},
}
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
_METHODS = ("get", "put", "post", "patch", "delete")


def finish(document: dict[str, Any]) -> dict[str, Any]:
    """The published document: Litestar's, with the additions above. The input is left as is."""
    doc = copy.deepcopy(document)
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    _name_enums(doc, components)
    _mark_personal(components)
    for tag in doc.get("tags", []):
        if tag["name"] in TAG_NAMES_ZH:
            tag["x-displayName"] = f"{TAG_NAMES_ZH[tag['name']]} {tag['name']}"
    for item in doc.get("paths", {}).values():
        for method in _METHODS:
            if method in item:
                _finish_operation(method, item[method])
    return doc


def _mark_personal(components: dict[str, Any]) -> None:
    for kind in CATALOGUE.values():
        properties = components.get(kind.payload.__name__, {}).get("properties", {})
        for name in kind.personal:
            properties[name]["x-personal"] = True


def _finish_operation(method: str, op: dict[str, Any]) -> None:
    if op.get("security") == [{}]:
        op["security"] = []  # public: `[{}]` reads as "optional" to generators
    responses = op.setdefault("responses", {})
    params = op.get("parameters", [])
    for param in params:
        param["schema"] = _not_null(param["schema"])
        param["schema"].update(PARAMETER_CONSTRAINTS.get(param["name"], {}))
    filters = [p for p in params if p["in"] == "query" and _names_a_resource(p["name"])]
    if method == "get" and filters and "404" not in responses and "400" in responses:
        responses["404"] = _not_found_like(responses["400"])
    ok = responses.get("200", {})
    content = ok.get("content", {})
    if method == "get" and "application/json" in content:
        ok.setdefault("headers", {})["ETag"] = ETAG_HEADER
        responses["304"] = NOT_MODIFIED
    if PDF in content:
        content[PDF] = {"schema": {"type": "string", "format": "binary"}}
    if XLSX in content and CSV not in content:
        content[XLSX] = {"schema": {"type": "string", "format": "binary"}}
        content[CSV] = {
            "schema": {
                "type": "string",
                "description": "UTF-8（带 BOM）CSV，表头同导入模板 "
                "UTF-8 CSV with a BOM, headers as in the import template",
            }
        }


def _names_a_resource(name: str) -> bool:
    return name.endswith("_id") or name == "under"


def _not_found_like(bad_request: dict[str, Any]) -> dict[str, Any]:
    """The 404 of a filter that names a missing or invisible resource, in the 400's form."""
    response = copy.deepcopy(bad_request)
    response["description"] = (
        "筛选条件所指的资源不存在或不可见 A resource named by a filter is not found"
    )
    for media in response.get("content", {}).values():
        for example in media.get("examples", {}).values():
            value = example["value"]
            value.update(
                type="https://zhibu.example/problems/not_found",
                title="not found",
                status=404,
                code="not_found",
                detail="不存在或不可见",
            )
    return response


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A parameter's schema without its null alternative."""
    variants = schema.get("oneOf")
    if variants and {"type": "null"} in variants:
        rest = [v for v in variants if v != {"type": "null"}]
        others = {k: v for k, v in schema.items() if k != "oneOf"}
        if len(rest) == 1:
            return {**others, **rest[0]} if "$ref" not in rest[0] else {**others, "allOf": rest}
        return {**others, "oneOf": rest}
    if isinstance(schema.get("type"), list) and "null" in schema["type"]:
        kinds = [t for t in schema["type"] if t != "null"]
        schema = {**schema, "type": kinds[0] if len(kinds) == 1 else kinds}
        if "enum" in schema:
            schema["enum"] = [v for v in schema["enum"] if v is not None]
    return schema


def _pascal(*parts: str) -> str:
    words = re.split(r"[^A-Za-z0-9]+", " ".join(parts))
    return "".join(w[:1].upper() + w[1:] for w in words if w)


def _enum_values(schema: dict[str, Any]) -> tuple[str, ...] | None:
    values = schema.get("enum")
    if not isinstance(values, list):
        return None
    strings = tuple(v for v in values if v is not None)
    if not strings or not all(isinstance(v, str) for v in strings):
        return None
    return strings


def _name_enums(doc: dict[str, Any], components: dict[str, Any]) -> None:
    names: dict[tuple[str, ...], str] = {}

    def ref_for(values: tuple[str, ...], *context: str) -> dict[str, Any]:
        name = names.get(values) or ENUM_NAMES.get(values) or _pascal(*context)
        names[values] = name
        components.setdefault(name, {"type": "string", "enum": list(values)})
        return {"$ref": f"#/components/schemas/{name}"}

    def hoist(schema: dict[str, Any], *context: str) -> dict[str, Any]:
        """The schema with any inline string enum replaced by a reference."""
        values = _enum_values(schema)
        if values is None:
            for key in ("oneOf", "anyOf"):
                if key in schema:
                    schema[key] = [hoist(s, *context) for s in schema[key]]
            if isinstance(schema.get("items"), dict):
                schema["items"] = hoist(schema["items"], *context)
            return schema
        nullable = None in schema["enum"]
        rest = {k: v for k, v in schema.items() if k not in {"enum", "type"}}
        ref = ref_for(values, *context)
        if nullable:
            return {**rest, "oneOf": [ref, {"type": "null"}]}
        return {**rest, "allOf": [ref]} if rest else ref

    for schema_name, schema in list(components.items()):
        for prop, prop_schema in schema.get("properties", {}).items():
            schema["properties"][prop] = hoist(prop_schema, schema_name, prop)
    for item in doc.get("paths", {}).values():
        for method in _METHODS:
            for param in item.get(method, {}).get("parameters", []):
                param["schema"] = hoist(param["schema"], param["name"])
