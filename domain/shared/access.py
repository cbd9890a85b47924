"""What a use case asks of its caller, whatever adapter (HTTP, CLI, job) made the call."""

from __future__ import annotations

from typing import Protocol

from domain.shared.catalogue import Catalogue
from domain.shared.errors import DomainError, ErrorKind, FieldError, Message
from domain.shared.messages import MESSAGES


class Guard(Protocol):
    """The caller's permissions, as the policy answers them."""

    def require(self, obj: str, act: str, domain: str | None = None) -> None: ...

    def can(self, obj: str, act: str, domain: str | None = None) -> bool: ...

    def scopes(self, obj: str, act: str) -> list[tuple[str, str | None]]: ...


def require_scopes(guard: Guard, obj: str, act: str) -> list[tuple[str, str | None]]:
    """Where the caller may `act` on `obj`; refused when nowhere."""
    scopes = guard.scopes(obj, act)
    if not scopes:
        guard.require(obj, act)
    return scopes


def not_found(what: str) -> DomainError:
    """One answer for "absent" and "not yours", so probing learns nothing."""
    return MESSAGES.error("not_found", ErrorKind.NOT_FOUND, code=f"{what}_not_found")


def conflict(
    catalogue: Catalogue, key: str, field: str | None = None, **params: object
) -> DomainError:
    """A clash with existing data, shown on `field` as well when one input caused it."""
    message: Message = catalogue.message(key, **params)
    errors = [FieldError(field, key, message)] if field else []
    return DomainError(key, message, kind=ErrorKind.CONFLICT, errors=errors)
