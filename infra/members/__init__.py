"""Member registry adapters (党员信息管理). This package is the context's public module:
other contexts import what they need from here, never from its modules.

Use cases, one module each: `registry` (create, read, update, status, history), `reveal`
(identity numbers in full), `admission` and `identities.refuse_registered` (what the
development pipeline asks), `listing`, `statistics`, `imports` (the spreadsheet import,
for the endpoint, its job and the CLI), `exporting`, `transfer_letters` (what a transfer
letter says of a member); `import_*` are the import's steps.
"""

from infra.members.admission import Admitted, admit_member, conclude_probation
from infra.members.counts import count_members
from infra.members.identities import refuse_registered
from infra.members.import_files import count_data_rows, file_kind, read_table
from infra.members.import_job import register_jobs, sheet_limits
from infra.members.import_report import ImportActor, ImportOptions, ImportReport
from infra.members.imports import Importer, import_sheet, queue_import, today
from infra.members.rosters import (
    ACTIVE_MEMBERS,
    MemberPlace,
    MemberSeat,
    MemberStanding,
    active_members_page,
    active_members_under,
    find_member_place,
    member_names,
    member_of_user,
    member_place,
    member_seats,
    member_standing,
)
from infra.members.seeding import add_seed_member
from infra.members.transfer_letters import LetterFacts, letter_facts, record_transfer_out

__all__ = [
    "ACTIVE_MEMBERS",
    "Admitted",
    "ImportActor",
    "ImportOptions",
    "ImportReport",
    "Importer",
    "LetterFacts",
    "MemberPlace",
    "MemberSeat",
    "MemberStanding",
    "active_members_page",
    "active_members_under",
    "add_seed_member",
    "admit_member",
    "conclude_probation",
    "count_data_rows",
    "count_members",
    "file_kind",
    "find_member_place",
    "import_sheet",
    "letter_facts",
    "member_names",
    "member_of_user",
    "member_place",
    "member_seats",
    "member_standing",
    "queue_import",
    "read_table",
    "record_transfer_out",
    "refuse_registered",
    "register_jobs",
    "sheet_limits",
    "today",
]
