"""HTTP endpoints of the dues context (党费): standards and the calculator."""

from api.dues import standards

ROUTES = [*standards.ROUTES]
__all__ = ["ROUTES"]
