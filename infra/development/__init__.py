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

__all__ = [
    "ApplicantFilter",
    "ApplicantRecord",
    "Revealed",
    "create_applicant",
    "list_applicants",
    "read_applicant",
    "reveal_applicant",
]
