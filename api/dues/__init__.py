"""HTTP endpoints of the dues context (党费): standards and the calculator, dues bases,
reliefs, bills, arrears and voluntary payments."""

from api.dues import arrears, bases, bills, reliefs, standards

ROUTES = [*standards.ROUTES, *bases.ROUTES, *reliefs.ROUTES, *bills.ROUTES]
ROUTES += arrears.ROUTES
__all__ = ["ROUTES"]
