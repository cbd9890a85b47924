"""HTTP endpoints of the tenancy context: auth, me, tenants, organizations, users, roles, audit."""

from api.tenancy.controllers import ROUTES

__all__ = ["ROUTES"]
