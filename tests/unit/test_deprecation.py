"""A deprecated alias answers with its Deprecation, Sunset and Link until the sunset, and
410 `endpoint_sunset` naming its successor from then on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar import Litestar, get
from litestar.testing import TestClient

from api.admission import admission
from api.deprecation import Deprecation, deprecated_alias
from api.errors import EXCEPTION_HANDLERS

NOW = datetime.now(UTC)


async def _answer() -> dict[str, str]:
    return {"ok": "yes"}


def _app(sunset: datetime) -> Litestar:
    deprecation = Deprecation("/api/v1/new", since=datetime(2026, 12, 2, tzinfo=UTC), sunset=sunset)
    old = deprecated_alias(get, "/api/v1/old", deprecation, security=[{}])(_answer)
    return Litestar([old], before_request=admission(), exception_handlers={**EXCEPTION_HANDLERS})


def test_until_its_sunset_an_alias_answers_and_says_when_it_goes() -> None:
    sunset = datetime(2027, 6, 30, 16, tzinfo=UTC)
    with TestClient(_app(sunset)) as client:
        r = client.get("/api/v1/old")
    assert r.status_code == 200, r.text
    assert r.json() == {"ok": "yes"}
    assert r.headers["deprecation"] == f"@{int(datetime(2026, 12, 2, tzinfo=UTC).timestamp())}"
    assert r.headers["sunset"] == "Wed, 30 Jun 2027 16:00:00 GMT"
    assert r.headers["link"] == '</api/v1/new>; rel="successor-version"'


def test_from_its_sunset_an_alias_is_gone() -> None:
    with TestClient(_app(NOW - timedelta(seconds=1))) as client:
        r = client.get("/api/v1/old")
    assert r.status_code == 410, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "endpoint_sunset"
    assert r.json()["successor"] == "/api/v1/new"
    assert r.headers["link"] == '</api/v1/new>; rel="successor-version"'
