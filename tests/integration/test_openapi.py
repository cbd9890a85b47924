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

from api.export_openapi import openapi_document, render
from tests.conftest import ROOT

CHECKED_IN = ROOT / "openapi" / "openapi.json"
METHODS = {"get", "put", "post", "patch", "delete"}
PROBLEM = "application/problem+json"


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
    variants = schema.get("oneOf") or schema.get("anyOf")
    if variants:
        return any(needs_example(document, v) for v in variants if v.get("type") != "null")
    if "enum" in schema or "const" in schema:
        return False
    if schema.get("type") in {"boolean", "integer", "number", "null"}:
        return False
    return not (
        schema.get("type") == "string" and schema.get("format") in {"uuid", "date", "date-time"}
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
            if not status.startswith(("4", "5")):
                continue
            content = response.get("content", {})
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
