"""Table rows → response bodies."""

from __future__ import annotations

from api.tenancy import schemas as s
from infra.tenancy.tables import (
    AppUser,
    AuditEvent,
    CommitteePost,
    Organization,
    RoleAssignment,
    Tenant,
)


def tenant_out(t: Tenant) -> s.TenantOut:
    return s.TenantOut(
        id=t.id,
        parent_id=t.parent_id,
        code=t.code,
        name=t.name,
        level=t.level,
        path=t.path,
        settings=t.settings,
        created_at=t.created_at,
        updated_at=t.updated_at,
        version=t.version,
    )


def org_out(o: Organization) -> s.OrganizationOut:
    return s.OrganizationOut(
        id=o.id,
        tenant_id=o.tenant_id,
        parent_id=o.parent_id,
        kind=o.kind,
        name=o.name,
        path=o.path,
        established_on=o.established_on,
        end_date=o.end_date,
        term_start=o.term_start,
        term_end=o.term_end,
        version=o.version,
    )


def post_out(p: CommitteePost) -> s.CommitteePostOut:
    return s.CommitteePostOut(
        id=p.id,
        post=p.post,
        holder_name=p.holder_name,
        user_id=p.user_id,
        term_start=p.term_start,
        term_end=p.term_end,
    )


def user_out(u: AppUser) -> s.UserOut:
    return s.UserOut(
        id=u.id,
        tenant_id=u.tenant_id,
        username=u.username,
        display_name=u.display_name,
        phone=u.phone,
        is_active=u.is_active,
        last_login_at=u.last_login_at,
        created_at=u.created_at,
    )


def assignment_out(r: RoleAssignment) -> s.RoleAssignmentOut:
    return s.RoleAssignmentOut(
        id=r.id,
        user_id=r.user_id,
        role=r.role,
        domain=r.domain,
        scope_tenant_id=r.scope_tenant_id,
        organization_id=r.organization_id,
        granted_by=r.granted_by,
        created_at=r.created_at,
    )


def audit_out(e: AuditEvent) -> s.AuditEventOut:
    return s.AuditEventOut(
        id=e.id,
        tenant_id=e.tenant_id,
        occurred_at=e.occurred_at,
        actor_id=e.actor_id,
        actor_name=e.actor_name,
        action=e.action,
        resource_type=e.resource_type,
        resource_id=e.resource_id,
        outcome=e.outcome,
        client_addr=e.client_addr,
        request_id=e.request_id,
        detail=e.detail,
    )
