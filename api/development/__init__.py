"""HTTP endpoints of member development (发展党员): applicants and the steps of their files."""

from api.development import applicants, pipeline, steps

ROUTES = [*pipeline.ROUTES, *applicants.ROUTES, *steps.ROUTES]
__all__ = ["ROUTES"]
