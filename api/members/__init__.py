"""Member registry endpoints (党员信息管理): the registry, and spreadsheet import and export."""

from api.members.controllers import ROUTES as REGISTRY_ROUTES
from api.members.exports import ROUTES as EXPORT_ROUTES
from api.members.imports import ROUTES as IMPORT_ROUTES

ROUTES = [*REGISTRY_ROUTES, *IMPORT_ROUTES, *EXPORT_ROUTES]

__all__ = ["ROUTES"]
