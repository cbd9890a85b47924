"""Who calls is checked before what they sent: every protected operation in the served
document answers 401 to an anonymous or badly signed caller, whatever the body and query."""

from __future__ import annotations

import uuid

import httpx

GARBAGE_BODY = b'{"is_active": 1, "title": "   ", '
GARBAGE_QUERY = {"limit": "abc", "starts_from": "0.5", "cursor": "%%%", "kind": "picnic"}
METHODS = ("get", "post", "put", "patch", "delete")


async def _operations(http: httpx.AsyncClient) -> list[tuple[str, str, bool]]:
    document = (await http.get("/docs/openapi.json")).json()
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                security = operation.get("security", document.get("security", []))
                public = security == [] or {} in security
                concrete = path
                for parameter in operation.get("parameters", []):
                    if parameter["in"] == "path":
                        concrete = concrete.replace(
                            "{" + parameter["name"] + "}", str(uuid.uuid4())
                        )
                found.append((method.upper(), concrete, public))
    return found


async def test_every_protected_operation_answers_401_before_reading_input(
    http: httpx.AsyncClient,
) -> None:
    operations = await _operations(http)
    assert len([op for op in operations if not op[2]]) > 60
    wrong = []
    for method, path, public in operations:
        for headers in ({}, {"Authorization": "Bearer not.a.token"}):
            r = await http.request(
                method,
                path,
                params=GARBAGE_QUERY,
                content=GARBAGE_BODY if method != "GET" else None,
                headers={"Content-Type": "application/json", **headers},
            )
            expected = "unauthenticated" if not headers else "token_invalid"
            if public:
                if r.status_code >= 500:
                    wrong.append(f"{method} {path}: {r.status_code}")
            elif r.status_code != 401 or r.json().get("code") != expected:
                wrong.append(f"{method} {path} {headers}: {r.status_code} {r.text[:120]}")
    assert not wrong, "\n".join(wrong)


async def test_the_401_names_the_scheme(http: httpx.AsyncClient) -> None:
    r = await http.post(
        "/api/v1/organizations", content=b"[", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_public_operations_stay_public(http: httpx.AsyncClient) -> None:
    assert (await http.get("/health")).status_code == 200
    assert (await http.get("/docs/openapi.json")).status_code == 200
    assert (await http.options("/api/v1/activities")).status_code == 204
    r = await http.post("/api/v1/auth/login", json={"username": "nobody"})
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "password"
