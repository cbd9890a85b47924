"""HTTP endpoints of the tenancy context: auth, me, tenants, organizations, users, roles, audit."""

from api.tenancy import (
    assignments,
    audit,
    auth,
    committees,
    me,
    mfa,
    organizations,
    roles,
    tenants,
    users,
)

ROUTES = [
    *auth.ROUTES,
    *me.ROUTES,
    *tenants.ROUTES,
    *organizations.ROUTES,
    *committees.ROUTES,
    *users.ROUTES,
    *roles.ROUTES,
    *assignments.ROUTES,
    *audit.ROUTES,
    *mfa.ROUTES,
]
__all__ = ["ROUTES"]
