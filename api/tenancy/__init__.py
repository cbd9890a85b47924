"""HTTP endpoints of the tenancy context: auth, me, tenants, organizations, users, roles, audit."""

from api.tenancy import controllers, mfa

ROUTES = [*controllers.ROUTES, *mfa.ROUTES]
__all__ = ["ROUTES"]
