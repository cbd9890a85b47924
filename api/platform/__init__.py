"""HTTP endpoints shared by every context: background job progress."""

from api.platform.controllers import ROUTES, JobOut, job_out

__all__ = ["ROUTES", "JobOut", "job_out"]
