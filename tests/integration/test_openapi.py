"""The checked-in OpenAPI contract: in step with the app, and complete for third parties.

Third parties code against `openapi/openapi.json`, so it must match what the app serves,
and every operation must say what it does (summary, tags, operationId), show what to send
(examples wherever a value's shape is not evident from its type) and document its errors
as `application/problem+json` with a stable `code`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator, FormatChecker

from api.export_openapi import openapi_document, render
from tests.conftest import ROOT

CHECKED_IN = ROOT / "openapi" / "openapi.json"
METHODS = {"get", "put", "post", "patch", "delete"}
PROBLEM = "application/problem+json"
PROBES = {"/health", "/ready"}
# RFC 6749 §5.2 fixes the token endpoint's error bodies: client libraries read `error`.
OAUTH_ERRORS = {("POST", "/api/v1/auth/token", "400"), ("POST", "/api/v1/auth/token", "401")}
FORMATS = FormatChecker()


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi_document()


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield method.upper(), path, op


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def needs_example(document: dict[str, Any], schema: dict[str, Any]) -> bool:
    """A value needs an example unless its type already says what to send."""
    schema = resolve(document, schema)
    variants = schema.get("oneOf") or schema.get("anyOf") or schema.get("allOf")
    if variants:
        return any(needs_example(document, v) for v in variants if v.get("type") != "null")
    if "enum" in schema or "const" in schema:
        return False
    if schema.get("type") in {"boolean", "integer", "number", "null"}:
        return False
    return not (
        schema.get("type") == "string"
        and schema.get("format") in {"uuid", "date", "date-time", "binary"}
    )


def test_checked_in_document_matches_the_app(document: dict[str, Any]) -> None:
    assert CHECKED_IN.exists(), "openapi/openapi.json is missing: run `make openapi`"
    assert CHECKED_IN.read_text(encoding="utf-8") == render(document), (
        "openapi/openapi.json has drifted from the app: run `make openapi` and commit it"
    )


def test_export_is_deterministic(document: dict[str, Any]) -> None:
    assert render(openapi_document()) == render(document)


async def test_served_document_is_the_exported_one(http: httpx.AsyncClient) -> None:
    r = await http.get("/docs/openapi.json")
    assert r.status_code == 200
    assert json.loads(render(r.json())) == json.loads(CHECKED_IN.read_text(encoding="utf-8"))


def test_every_operation_has_summary_tags_and_unique_operation_id(
    document: dict[str, Any],
) -> None:
    declared_tags = {t["name"] for t in document.get("tags", [])}
    seen: dict[str, str] = {}
    problems = []
    for method, path, op in operations(document):
        where = f"{method} {path}"
        if not op.get("summary"):
            problems.append(f"{where}: no summary")
        if not op.get("tags"):
            problems.append(f"{where}: no tags")
        problems += [
            f"{where}: undeclared tag {t}" for t in op.get("tags", []) if t not in declared_tags
        ]
        op_id = op.get("operationId")
        if not op_id:
            problems.append(f"{where}: no operationId")
        elif op_id in seen:
            problems.append(f"{where}: operationId {op_id} also used by {seen[op_id]}")
        else:
            seen[op_id] = where
    assert not problems, "\n".join(problems)


def test_request_bodies_and_parameters_carry_examples(document: dict[str, Any]) -> None:
    problems = []
    for method, path, op in operations(document):
        where = f"{method} {path}"
        for param in op.get("parameters", []):
            has = "examples" in param or "example" in param or "examples" in param["schema"]
            if needs_example(document, param["schema"]) and not has:
                problems.append(f"{where}: parameter {param['name']} has no example")
        body = op.get("requestBody")
        if not body:
            continue
        for media, content in body["content"].items():
            schema = resolve(document, content["schema"])
            if "examples" in content or "examples" in schema:
                continue
            for name, prop in schema.get("properties", {}).items():
                if needs_example(document, prop) and "examples" not in prop:
                    problems.append(f"{where}: body ({media}) field {name} has no example")
    assert not problems, "\n".join(problems)


def test_error_responses_are_problem_json_with_coded_examples(document: dict[str, Any]) -> None:
    problems = []
    for method, path, op in operations(document):
        where = f"{method} {path}"
        for status, response in op["responses"].items():
            # A probe's 503 carries the same checks as its 200, for the orchestrator.
            if not status.startswith(("4", "5")) or path in PROBES:
                continue
            content = response.get("content", {})
            if (method, path, status) in OAUTH_ERRORS:
                assert set(content) == {"application/json"}, where
                continue
            if set(content) != {PROBLEM}:
                problems.append(f"{where} {status}: documented as {sorted(content)}, not {PROBLEM}")
                continue
            if resolve(document, content[PROBLEM]["schema"]).get("required", []) and not {
                "code",
                "status",
            } <= set(resolve(document, content[PROBLEM]["schema"])["properties"]):
                problems.append(f"{where} {status}: problem schema lacks code/status")
            examples = list(content[PROBLEM].get("examples", {}).values())
            if not examples:
                problems.append(f"{where} {status}: no example")
            for example in examples:
                value = example.get("value", {})
                if not isinstance(value.get("code"), str) or value.get("status") != int(status):
                    problems.append(f"{where} {status}: example lacks a code or the right status")
    assert not problems, "\n".join(problems)


def test_operations_document_the_errors_they_can_produce(document: dict[str, Any]) -> None:
    problems = []
    for method, path, op in operations(document):
        where = f"{method} {path}"
        statuses = set(op["responses"])
        # `[{}]` is OpenAPI's "no credentials needed" (login, health probes).
        secured = op.get("security", document.get("security")) not in ([], [{}], None)
        params = op.get("parameters", [])
        if secured and "401" not in statuses:
            problems.append(f"{where}: secured but 401 is not documented")
        if (params or op.get("requestBody")) and "400" not in statuses:
            problems.append(f"{where}: takes input but 400 is not documented")
        if any(p["in"] == "path" for p in params) and "404" not in statuses:
            problems.append(f"{where}: addresses a resource but 404 is not documented")
        if secured and method != "GET" and "403" not in statuses:
            problems.append(f"{where}: a secured write but 403 is not documented")
    assert not problems, "\n".join(problems)


def test_title_and_tags_are_ascii_with_chinese_alongside(document: dict[str, Any]) -> None:
    """Generators make package and module names from these (`zhibu_api_client.api.members`)."""
    assert document["info"]["title"].isascii()
    for tag in document["tags"]:
        assert tag["name"].isascii(), tag
        assert not tag["x-displayName"].isascii(), tag


def test_json_request_bodies_refuse_unknown_fields(document: dict[str, Any]) -> None:
    """The server refuses unknown fields, so the document says so: clients and fuzzers agree."""
    problems = []
    for method, path, op in operations(document):
        content = op.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            schema = content["application/json"]["schema"]
            variants = schema.get("allOf") or schema.get("oneOf") or [schema]
            for variant in variants:
                body = resolve(document, variant)
                if body.get("type") != "null" and body.get("additionalProperties") is not False:
                    problems.append(f"{method} {path}")
    assert not problems, "bodies without additionalProperties: false:\n" + "\n".join(problems)


def test_every_enum_is_a_named_component(document: dict[str, Any]) -> None:
    """One class per enum in a generated client, not one per inline (nullable) copy."""
    inline = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if "enum" in node:
                inline.append(where)
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    walk(document["paths"], "paths")
    for name, schema in document["components"]["schemas"].items():
        if "enum" in schema:
            assert schema["type"] == "string", name
            assert None not in schema["enum"], name
        else:
            walk(schema, f"components/{name}")
    assert not inline, "\n".join(inline)


def test_etag_and_if_match_are_documented_where_used(document: dict[str, Any]) -> None:
    problems = []
    for method, path, op in operations(document):
        ok = op["responses"].get("200", {})
        json_get = method == "GET" and "application/json" in ok.get("content", {})
        if json_get and "ETag" not in ok.get("headers", {}):
            problems.append(f"{method} {path}: 200 without the ETag header")
        if json_get and "304" not in op["responses"]:
            problems.append(f"{method} {path}: If-None-Match's 304 is not documented")
        if "412" in op["responses"]:
            names = {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}
            if "If-Match" not in names:
                problems.append(f"{method} {path}: 412 without an If-Match parameter")
    assert not problems, "\n".join(problems)


def test_member_export_documents_both_formats(document: dict[str, Any]) -> None:
    content = document["paths"]["/api/v1/members/export"]["get"]["responses"]["200"]["content"]
    assert set(content) == {
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }


def test_examples_are_valid_requests(document: dict[str, Any]) -> None:
    """A third party copies examples: each must satisfy the schema it illustrates."""
    problems = []

    def check(where: str, schema: dict[str, Any], value: Any) -> None:
        validator = Draft202012Validator(
            {**schema, "components": document["components"]}, format_checker=FORMATS
        )
        problems.extend(f"{where}: {e.message}" for e in validator.iter_errors(value))

    for method, path, op in operations(document):
        for param in op.get("parameters", []):
            for example in param.get("examples", {}).values():
                check(f"{method} {path} {param['name']}", param["schema"], example["value"])
        for media, content in op.get("requestBody", {}).get("content", {}).items():
            schema = content["schema"]
            for value in resolve(document, schema).get("examples", []) + schema.get("examples", []):
                check(f"{method} {path} body ({media})", schema, value)
    assert not problems, "\n".join(problems)
