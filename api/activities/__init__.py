"""HTTP endpoints of the activities context: activities, check-in, leave, attendance, compliance."""

from api.activities.controllers import ROUTES

__all__ = ["ROUTES"]
