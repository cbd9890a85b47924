"""HTTP endpoints of the dues context (党费): standards and the calculator, dues bases,
reliefs, bills."""

from api.dues import bases, bills, reliefs, standards

ROUTES = [*standards.ROUTES, *bases.ROUTES, *reliefs.ROUTES, *bills.ROUTES]
__all__ = ["ROUTES"]
