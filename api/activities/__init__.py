"""HTTP endpoints of the activities context: activities, check-in, leave, attendance, compliance."""

from api.activities.controllers import ROUTES, render_checkin

__all__ = ["ROUTES", "render_checkin"]
