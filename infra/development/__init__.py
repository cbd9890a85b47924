"""Member development adapters (发展党员). This package is the context's public module:
other contexts import what they need from here, never from its modules.

Use cases, one module each: `applicants` (register, read, reveal), `listing`, `steps`
(record a step of the pipeline and read the file).
"""

from infra.development.applicants import (
    ApplicantRecord,
    Revealed,
    create_applicant,
    read_applicant,
    reveal_applicant,
)
from infra.development.listing import ApplicantFilter, list_applicants
from infra.development.rules import time_rules_of
from infra.development.steps import DocumentRef, StepEntry, file_of, record_step
from infra.development.tables import Applicant, ApplicantStep

__all__ = [
    "Applicant",
    "ApplicantFilter",
    "ApplicantRecord",
    "ApplicantStep",
    "DocumentRef",
    "Revealed",
    "StepEntry",
    "create_applicant",
    "file_of",
    "list_applicants",
    "read_applicant",
    "record_step",
    "reveal_applicant",
    "time_rules_of",
]
