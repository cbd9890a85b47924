"""HTTP endpoints of the dues context (党费): standards and the calculator, dues bases,
reliefs."""

from api.dues import bases, reliefs, standards

ROUTES = [*standards.ROUTES, *bases.ROUTES, *reliefs.ROUTES]
__all__ = ["ROUTES"]
