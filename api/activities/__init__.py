"""HTTP endpoints of the activities context: activities, check-in, leave, attendance, compliance."""

from api.activities import activities, checkin, leave, reports, roster
from api.activities.checkin import render_checkin

ROUTES = [*activities.ROUTES, *roster.ROUTES, *checkin.ROUTES, *leave.ROUTES, *reports.ROUTES]

__all__ = ["ROUTES", "render_checkin"]
