"""Handlers get their dependencies resolved one after another, in the request's own task."""

from __future__ import annotations

from collections.abc import Iterator
from contextvars import ContextVar

from litestar import get
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException
from litestar.testing import create_test_client

from api.deps import resolve_dependencies_in_order

_caller: ContextVar[str] = ContextVar("caller", default="nobody")
_closed: list[str] = []


def _who() -> str:
    _caller.set("secretary")
    return "secretary"


def _service() -> Iterator[str]:
    yield "db"
    _closed.append("db")


def _refuse() -> str:
    raise NotAuthorizedException("no session")


@get("/two", sync_to_thread=False)
def two(who: str, service: str) -> dict[str, str]:
    return {"who": who, "service": service, "seen": _caller.get()}


@get("/refused", sync_to_thread=False)
def refused(who: str, refusal: str) -> str:
    return refusal


def test_two_dependencies_resolve_in_the_request_task_and_clean_up() -> None:
    resolve_dependencies_in_order()
    with create_test_client(
        [two],
        dependencies={
            "who": Provide(_who, sync_to_thread=False),
            "service": Provide(_service, sync_to_thread=False),
        },
    ) as client:
        answer = client.get("/two")
    assert answer.json() == {"who": "secretary", "service": "db", "seen": "secretary"}
    assert _closed == ["db"]


def test_a_dependency_that_refuses_answers_with_its_own_error() -> None:
    resolve_dependencies_in_order()
    with create_test_client(
        [refused],
        dependencies={
            "who": Provide(_who, sync_to_thread=False),
            "refusal": Provide(_refuse, sync_to_thread=False),
        },
    ) as client:
        answer = client.get("/refused")
    assert answer.status_code == 401
