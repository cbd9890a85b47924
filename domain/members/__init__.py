"""Member registry (党员信息管理): the member record, its checks, search keys and import rules."""

from domain.members.formulas import neutralise_formula, restore_formula
from domain.members.identity import (
    IdNumberFacts,
    id_check_character,
    mask_id_number,
    mask_mobile,
    normalize_id_number,
    normalize_mobile,
    parse_id_number,
)
from domain.members.importing import (
    REQUIRED_COLUMNS,
    CellValue,
    HeaderMapping,
    RowRefusal,
    duplicate_id_number_refusals,
    field_for_header,
    is_blank_row,
    map_headers,
    parse_date_cell,
    parse_row,
)
from domain.members.model import (
    Education,
    Gender,
    MemberClass,
    MemberDraft,
    MemberStatus,
    MobileDetails,
    completed_years,
)
from domain.members.search import (
    NameSearchKeys,
    NormalizedQuery,
    QueryKind,
    name_search_keys,
    normalize_query,
)
from domain.members.stats import AgeBand, age_band, age_on
from domain.members.validation import (
    adulthood,
    check_status_transition,
    party_seniority,
    validate_member,
)

__all__ = [
    "REQUIRED_COLUMNS",
    "AgeBand",
    "CellValue",
    "Education",
    "Gender",
    "HeaderMapping",
    "IdNumberFacts",
    "MemberClass",
    "MemberDraft",
    "MemberStatus",
    "MobileDetails",
    "NameSearchKeys",
    "NormalizedQuery",
    "QueryKind",
    "RowRefusal",
    "adulthood",
    "age_band",
    "age_on",
    "check_status_transition",
    "completed_years",
    "duplicate_id_number_refusals",
    "field_for_header",
    "id_check_character",
    "is_blank_row",
    "map_headers",
    "mask_id_number",
    "mask_mobile",
    "name_search_keys",
    "neutralise_formula",
    "normalize_id_number",
    "normalize_mobile",
    "normalize_query",
    "parse_date_cell",
    "parse_id_number",
    "parse_row",
    "party_seniority",
    "restore_formula",
    "validate_member",
]
