"""The member import job ("members.import"), registered with the runner by this context.

The job's parameters carry ids and options; the uploaded file is the job's input, in the
RLS-protected job row. It runs the same use case as the synchronous path
(`imports.run_import_job`), in the creator's scope, reporting progress.
"""

from __future__ import annotations

from typing import Any

from domain.shared.retries import RetryPolicy
from infra.members.imports import JOB_KIND, run_import_job
from infra.members.sheets import MiB, SheetLimits
from infra.platform.jobs import JobContext
from infra.platform.runner import JobRunner
from infra.protection import FieldProtector
from infra.settings import Settings

# An import writes in one transaction: a failed attempt left nothing behind, so it may rerun.
RETRIES = RetryPolicy(max_attempts=3, base_seconds=10, cap_seconds=300)


def sheet_limits(settings: Settings) -> SheetLimits:
    return SheetLimits(
        max_rows=settings.import_max_rows,
        max_unpacked_bytes=settings.import_max_unpacked_mb * MiB,
    )


def register_jobs(runner: JobRunner, settings: Settings, *, protector: FieldProtector) -> None:
    """The import job, encrypting with the worker's one field protector."""
    limits = sheet_limits(settings)

    async def run(job: JobContext) -> dict[str, Any]:
        return await run_import_job(job, protector, limits)

    runner.register(JOB_KIND, run, RETRIES)
