"""Member development adapters (发展党员). This package is the context's public module:
other contexts import what they need from here, never from its modules.

Use cases, one module each: `applicants` (register, read, reveal), `listing`, `steps`
(record a step of the pipeline and read the file), `forms` (the standard forms with their
scans), `archive` (the step-25 archive as a job), `reminders` (the deadline reminders' schedule).
"""

from infra.development.applicants import (
    ApplicantRecord,
    Revealed,
    create_applicant,
    read_applicant,
    reveal_applicant,
)
from infra.development.archive import ArchiveLink, archive_link, list_archives, queue_archive
from infra.development.forms import forms_of, record_form
from infra.development.jobs import register_jobs
from infra.development.listing import ApplicantFilter, list_applicants
from infra.development.reminders import remind_every_tenant, remind_tenant
from infra.development.rules import time_rules_of
from infra.development.steps import DocumentRef, StepEntry, file_of, record_step
from infra.development.tables import Applicant, ApplicantForm, ApplicantStep

__all__ = [
    "Applicant",
    "ApplicantFilter",
    "ApplicantForm",
    "ApplicantRecord",
    "ApplicantStep",
    "ArchiveLink",
    "DocumentRef",
    "Revealed",
    "StepEntry",
    "archive_link",
    "create_applicant",
    "file_of",
    "forms_of",
    "list_applicants",
    "list_archives",
    "queue_archive",
    "read_applicant",
    "record_form",
    "record_step",
    "register_jobs",
    "remind_every_tenant",
    "remind_tenant",
    "reveal_applicant",
    "time_rules_of",
]
