"""HTTP endpoints of member development (发展党员): applicants and the steps of their files."""

from api.development import applicants, forms, pipeline, steps

ROUTES = [*pipeline.ROUTES, *applicants.ROUTES, *steps.ROUTES, *forms.ROUTES]
__all__ = ["ROUTES"]
