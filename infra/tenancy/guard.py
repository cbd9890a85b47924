"""The caller's permissions as use cases see them, and the errors every context shares."""

from __future__ import annotations

from typing import Protocol

from domain.shared import DomainError, FieldError, Message


class Guard(Protocol):
    """The caller's permissions, as Casbin answers them."""

    def require(self, obj: str, act: str, domain: str | None = None) -> None: ...

    def can(self, obj: str, act: str, domain: str | None = None) -> bool: ...

    def scopes(self, obj: str, act: str) -> list[tuple[str, str | None]]: ...


def require_scopes(guard: Guard, obj: str, act: str) -> list[tuple[str, str | None]]:
    """Where the caller may `act` on `obj`; 403 when nowhere."""
    scopes = guard.scopes(obj, act)
    if not scopes:
        guard.require(obj, act)
    return scopes


def not_found(what: str) -> DomainError:
    return DomainError(
        f"{what}_not_found",
        Message("未找到该资源，或您无权查看。", "Not found, or not visible to you."),
        status=404,
    )


def conflict(code: str, zh: str, en: str, field: str | None = None) -> DomainError:
    errors = [FieldError(field, code, Message(zh, en))] if field else []
    return DomainError(code, Message(zh, en), status=409, errors=errors)
