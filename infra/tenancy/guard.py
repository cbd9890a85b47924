"""Transitional: the shared kernel as other contexts still import it through tenancy.

Tenancy itself uses `domain.shared`; delete this module once no other context imports
`Guard`, `not_found`, `require_scopes` or the old-style `conflict` from `infra.tenancy`.
"""

from __future__ import annotations

from domain.shared import (
    DomainError,
    ErrorKind,
    FieldError,
    Guard,
    Message,
    not_found,
    require_scopes,
)

__all__ = ["Guard", "conflict", "not_found", "require_scopes"]


def conflict(code: str, zh: str, en: str, field: str | None = None) -> DomainError:
    message = Message(zh, en)
    errors = [FieldError(field, code, message)] if field else []
    return DomainError(code, message, kind=ErrorKind.CONFLICT, errors=errors)
