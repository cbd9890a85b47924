"""Member registry endpoints (党员信息管理): the registry, its statistics, and spreadsheet
import and export."""

from api.members.controllers import ROUTES as REGISTRY_ROUTES
from api.members.exports import ROUTES as EXPORT_ROUTES
from api.members.imports import ROUTES as IMPORT_ROUTES
from api.members.statistics import ROUTES as STATISTICS_ROUTES

ROUTES = [*REGISTRY_ROUTES, *STATISTICS_ROUTES, *IMPORT_ROUTES, *EXPORT_ROUTES]

__all__ = ["ROUTES"]
