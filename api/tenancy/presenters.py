"""Table rows → response bodies: the response schemas name the columns they show."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from api.tenancy import schemas as s
from infra.tenancy.auth import Session

Out = TypeVar("Out", bound=msgspec.Struct)


def _present(row: Any, schema: type[Out]) -> Out:
    return msgspec.convert(row, schema, from_attributes=True)


def tokens_out(session: Session) -> s.TokenOut:
    return s.TokenOut(
        access_token=session.access_token,
        token_type="Bearer",  # noqa: S106 - the scheme name, not a secret
        expires_at=session.access_expires_at,
        refresh_token=session.refresh_token,
        refresh_expires_at=session.refresh_expires_at,
    )


def tenant_out(row: Any) -> s.TenantOut:
    return _present(row, s.TenantOut)


def org_out(row: Any) -> s.OrganizationOut:
    return _present(row, s.OrganizationOut)


def post_out(row: Any) -> s.CommitteePostOut:
    return _present(row, s.CommitteePostOut)


def user_out(row: Any) -> s.UserOut:
    return _present(row, s.UserOut)


def assignment_out(row: Any) -> s.RoleAssignmentOut:
    return _present(row, s.RoleAssignmentOut)


def audit_out(row: Any) -> s.AuditEventOut:
    return _present(row, s.AuditEventOut)
