"""HTTP endpoints shared by every context: background job progress."""

from api.platform.controllers import ROUTES

__all__ = ["ROUTES"]
