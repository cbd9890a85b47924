"""HTTP endpoints of the dues context (党费): standards and the calculator, dues bases,
reliefs, bills, arrears and voluntary payments,
the monthly close."""

from api.dues import arrears, bases, bills, close, reliefs, standards

ROUTES = [*standards.ROUTES, *bases.ROUTES, *reliefs.ROUTES, *bills.ROUTES]
ROUTES += [*arrears.ROUTES, *close.ROUTES]
__all__ = ["ROUTES"]
