"""HTTP endpoints of the dues context (党费): standards and the calculator, dues bases,
reliefs, bills, arrears and voluntary payments,
the monthly close and summaries."""

from api.dues import arrears, bases, bills, close, reliefs, standards, summary

ROUTES = [*standards.ROUTES, *bases.ROUTES, *reliefs.ROUTES, *bills.ROUTES]
ROUTES += [*arrears.ROUTES, *close.ROUTES, *summary.ROUTES]
__all__ = ["ROUTES"]
