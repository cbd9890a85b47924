"""Member registry endpoints (党员信息管理)."""

from api.members.controllers import ROUTES

__all__ = ["ROUTES"]
