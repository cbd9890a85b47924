"""Cross-checks of a member record (党员信息校验), all reported at once.

A secretary fixing a record wants every problem in one pass, not one per submit, so the
checks collect FieldErrors and raise a single DomainError at the end.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from domain.members.identity import (
    IdNumberFacts,
    normalize_mobile,
    parse_id_number,
)
from domain.members.messages import MESSAGES
from domain.members.model import (
    Gender,
    MemberClass,
    MemberDraft,
    MemberStatus,
    MobileDetails,
    completed_years,
)
from domain.shared.errors import DomainError, ErrorKind, FieldError, Message

ADULT_AGE = 18
NAME_MAX_LENGTH = 50
TAG_MAX_LENGTH = 20

_ALLOWED_TRANSITIONS: dict[MemberStatus, frozenset[MemberStatus]] = {
    MemberStatus.PROBATIONARY: frozenset(
        {MemberStatus.FULL, MemberStatus.SUSPENDED, MemberStatus.REMOVED}
    ),
    MemberStatus.FULL: frozenset({MemberStatus.SUSPENDED, MemberStatus.REMOVED}),
    MemberStatus.SUSPENDED: frozenset(
        {MemberStatus.PROBATIONARY, MemberStatus.FULL, MemberStatus.REMOVED}
    ),
    MemberStatus.REMOVED: frozenset(),
    MemberStatus.TRANSFERRED_OUT: frozenset(),
}
_STATUSES_NEEDING_REASON = frozenset({MemberStatus.SUSPENDED, MemberStatus.REMOVED})


class _Errors:
    """Collects field errors; one place to word them."""

    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, field: str, code: str, message: Message) -> None:
        self.items.append(FieldError(field, code, message))

    def extend(self, error: DomainError) -> None:
        self.items.extend(error.errors)


def _validation_error(errors: list[FieldError]) -> DomainError:
    """The one error a refused member record raises, listing every field at fault."""
    return DomainError(
        code="validation_failed",
        message=MESSAGES.message("members.record_invalid", count=len(errors)),
        kind=ErrorKind.INVALID,
        errors=errors,
    )


def adulthood(birth_date: date) -> date:
    """The 18th birthday; 29 February births come of age on 1 March in common years."""
    try:
        return birth_date.replace(year=birth_date.year + ADULT_AGE)
    except ValueError:
        return date(birth_date.year + ADULT_AGE, 3, 1)


def party_seniority(full_member_on: date, *, today: date) -> int:
    """党龄 in whole years; it counts from the end of probation (转正), not from admission."""
    return completed_years(full_member_on, today)


def kept_status_reason(status: MemberStatus, reason: str) -> str | None:
    """The reason a record keeps with its status: only 停止党籍 and 除名 keep one."""
    return reason.strip() if status in _STATUSES_NEEDING_REASON else None


def check_status_transition(
    current: MemberStatus, new: MemberStatus, *, reason: str | None
) -> None:
    """Refuse a status change the rules forbid: 除名 is final, 停止党籍 and 除名 need a reason."""
    errors = _Errors()
    _check_transition(errors, current, new, reason)
    if errors.items:
        raise DomainError(
            code="status_transition_refused",
            message=MESSAGES.message("members.status_transition_refused"),
            kind=ErrorKind.CONFLICT,
            errors=errors.items,
        )


def _check_transition(
    errors: _Errors, current: MemberStatus, new: MemberStatus, reason: str | None
) -> None:
    if new is not current and new not in _ALLOWED_TRANSITIONS[current]:
        if current is MemberStatus.REMOVED:
            errors.add(
                "status",
                "status_final",
                MESSAGES.message("members.status_final"),
            )
        else:
            errors.add(
                "status",
                "status_transition",
                MESSAGES.message(
                    "members.status_transition",
                    current_label=current.label,
                    new_label=new.label,
                    current_value=current.value,
                    new_value=new.value,
                ),
            )
    if new in _STATUSES_NEEDING_REASON and not (reason and reason.strip()):
        errors.add(
            "status_reason",
            "reason_required",
            MESSAGES.message("members.reason_required", new_label=new.label, new_value=new.value),
        )


def validate_member(
    draft: MemberDraft, *, today: date, previous_status: MemberStatus | None = None
) -> MemberDraft:
    """Cross-check a member record and return it normalised.

    The 身份证号 and phone come back in canonical form, gender and birth date are filled
    from the 身份证号 when missing, text is trimmed and tags de-duplicated. Every problem
    is reported in one DomainError(code="validation_failed").
    """
    errors = _Errors()
    name = draft.name.strip()
    _check_name(errors, name)

    facts: IdNumberFacts | None = None
    try:
        facts = parse_id_number(draft.id_number, today=today)
    except DomainError as error:
        errors.extend(error)

    phone = _optional_text(draft.phone)
    if phone is not None:
        try:
            phone = normalize_mobile(phone)
        except DomainError as error:
            errors.extend(error)

    birth_date = draft.birth_date
    gender = draft.gender
    if facts is not None:
        birth_date, gender = _check_against_id(errors, draft, facts)

    _check_dates(errors, draft, birth_date, today)
    _check_status(errors, draft, previous_status)
    _check_organization(errors, draft)
    _check_mobile(errors, draft.member_class, draft.mobile)
    tags = _clean_tags(errors, draft.tags)

    if errors.items:
        raise _validation_error(errors.items)
    return dataclasses.replace(
        draft,
        name=name,
        id_number=facts.number if facts else draft.id_number,
        phone=phone,
        gender=gender,
        birth_date=birth_date,
        ethnicity=_optional_text(draft.ethnicity),
        organization_name=_optional_text(draft.organization_name),
        work_unit=_optional_text(draft.work_unit),
        post=_optional_text(draft.post),
        status_reason=_optional_text(draft.status_reason),
        tags=tags,
    )


def _optional_text(value: str | None) -> str | None:
    return (value.strip() or None) if value is not None else None


def _check_name(errors: _Errors, name: str) -> None:
    if not name:
        errors.add("name", "required", MESSAGES.message("members.name_required"))
    elif len(name) > NAME_MAX_LENGTH:
        errors.add(
            "name",
            "too_long",
            MESSAGES.message("members.name_too_long", limit=NAME_MAX_LENGTH),
        )


def _check_against_id(
    errors: _Errors, draft: MemberDraft, facts: IdNumberFacts
) -> tuple[date, Gender]:
    if draft.birth_date is not None and draft.birth_date != facts.birth_date:
        errors.add(
            "birth_date",
            "mismatch_id_number",
            MESSAGES.message(
                "members.birth_date_mismatch", birth_date=facts.birth_date.isoformat()
            ),
        )
    if draft.gender is not None and draft.gender is not facts.gender:
        errors.add(
            "gender",
            "mismatch_id_number",
            MESSAGES.message(
                "members.gender_mismatch",
                gender_label=facts.gender.label,
                gender_value=facts.gender.value,
            ),
        )
    return facts.birth_date, facts.gender


def _check_dates(errors: _Errors, draft: MemberDraft, birth_date: date | None, today: date) -> None:
    if birth_date is not None and birth_date > today:
        errors.add("birth_date", "in_future", MESSAGES.message("members.birth_date_in_future"))
    admitted_on = draft.admitted_on
    if admitted_on is None:
        errors.add("admitted_on", "required", MESSAGES.message("members.admitted_on_required"))
    elif admitted_on > today:
        errors.add(
            "admitted_on",
            "in_future",
            MESSAGES.message("members.admitted_on_in_future"),
        )
    elif birth_date is not None and admitted_on < adulthood(birth_date):
        errors.add(
            "admitted_on",
            "before_adulthood",
            MESSAGES.message("members.admitted_on_before_adulthood"),
        )
    full_member_on = draft.full_member_on
    if full_member_on is None:
        return
    if full_member_on > today:
        errors.add(
            "full_member_on",
            "in_future",
            MESSAGES.message("members.full_member_on_in_future"),
        )
    elif admitted_on is not None and full_member_on < admitted_on:
        errors.add(
            "full_member_on",
            "before_admission",
            MESSAGES.message("members.full_member_on_before_admission"),
        )


def _check_status(
    errors: _Errors, draft: MemberDraft, previous_status: MemberStatus | None
) -> None:
    if draft.status is MemberStatus.FULL and draft.full_member_on is None:
        errors.add(
            "full_member_on",
            "required",
            MESSAGES.message("members.full_member_on_required"),
        )
    if draft.status is MemberStatus.PROBATIONARY and draft.full_member_on is not None:
        errors.add(
            "full_member_on",
            "not_allowed",
            MESSAGES.message("members.full_member_on_not_allowed"),
        )
    current = previous_status if previous_status is not None else draft.status
    if draft.status is MemberStatus.TRANSFERRED_OUT and previous_status is None:
        current = MemberStatus.FULL  # only a transfer's move leaves a record transferred out
    _check_transition(errors, current, draft.status, draft.status_reason)


def _check_organization(errors: _Errors, draft: MemberDraft) -> None:
    if draft.organization_id is None and not _optional_text(draft.organization_name):
        errors.add(
            "organization_id",
            "required",
            MESSAGES.message("members.organization_id_required"),
        )


def _check_mobile(errors: _Errors, member_class: MemberClass, mobile: MobileDetails | None) -> None:
    if member_class is not MemberClass.MOBILE:
        if mobile is not None:
            errors.add(
                "mobile",
                "not_mobile_member",
                MESSAGES.message("members.mobile_not_applicable"),
            )
        return
    if mobile is None:
        errors.add(
            "mobile",
            "required",
            MESSAGES.message("members.mobile_details_required"),
        )
        return
    if not mobile.host_organization_name.strip():
        errors.add(
            "mobile.host_organization_name",
            "required",
            MESSAGES.message("members.mobile_host_organization_name_required"),
        )
    if not mobile.activity_card_number.strip():
        errors.add(
            "mobile.activity_card_number",
            "required",
            MESSAGES.message("members.mobile_activity_card_number_required"),
        )
    if mobile.period_end is not None and mobile.period_end < mobile.period_start:
        errors.add(
            "mobile.period_end",
            "before_start",
            MESSAGES.message("members.mobile_period_end_before_start"),
        )


def _clean_tags(errors: _Errors, tags: tuple[str, ...]) -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(tag.strip() for tag in tags if tag.strip()))
    for tag in cleaned:
        if len(tag) > TAG_MAX_LENGTH:
            errors.add(
                "tags",
                "too_long",
                MESSAGES.message("members.tag_too_long", tag=tag, limit=TAG_MAX_LENGTH),
            )
    return cleaned
