"""The standard forms of a development file (发展党员材料) as structured records.

入党志愿书 (step 14), the 政治审查 conclusion (step 10) and the 培养考察 records (from the
mentors' appointment on, half-yearly) are typed in once, checked here and carried into the
archive (step 25). What the applicant record already holds (name, gender, birth date,
ethnicity, education, work unit) is not asked again: the form shows it from the record.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.development.messages import MESSAGES
from domain.shared.errors import DomainError, ErrorKind, FieldError


class FormKind(StrEnum):
    APPLICATION_FORM = "application_form"  # 入党志愿书
    POLITICAL_REVIEW = "political_review"  # 政治审查结论
    CULTIVATION_RECORD = "cultivation_record"  # 培养考察记录

    @property
    def zh(self) -> str:
        return _FORM_ZH[self]


_FORM_ZH = {
    FormKind.APPLICATION_FORM: "入党志愿书",
    FormKind.POLITICAL_REVIEW: "政治审查结论",
    FormKind.CULTIVATION_RECORD: "培养考察记录",
}

AVAILABLE_FROM_STEP = {
    FormKind.CULTIVATION_RECORD: 5,  # mentors named: the record of their cultivation begins
    FormKind.POLITICAL_REVIEW: 9,  # a candidate with sponsors is vetted at step 10
    FormKind.APPLICATION_FORM: 13,  # filled in after the 基层党委's pre-review (step 14)
}
"""A form may be recorded once the file has reached this step."""

ONCE = frozenset({FormKind.APPLICATION_FORM, FormKind.POLITICAL_REVIEW})
"""Forms a file holds one of; 培养考察 records accumulate."""


class Conclusion(StrEnum):
    QUALIFIED = "qualified"  # 合格
    UNQUALIFIED = "unqualified"  # 不合格


class VettingMethod(StrEnum):
    TALK = "talk"  # 同本人谈话
    RECORDS = "records"  # 查阅有关材料（档案）
    LETTERS = "letters"  # 函调
    VISIT = "visit"  # 外调


@dataclass(frozen=True, slots=True)
class ResumeEntry:
    """本人经历: one period of study or work."""

    starts_on: date
    ends_on: date | None
    unit: str
    post: str | None = None


@dataclass(frozen=True, slots=True)
class Relative:
    """家庭主要成员及主要社会关系."""

    relation: str
    name: str
    political_status: str | None = None
    work_unit: str | None = None


@dataclass(frozen=True, slots=True)
class ApplicationForm:
    """入党志愿书: what the record does not already know."""

    filled_on: date
    native_place: str
    aspiration: str
    resume: tuple[ResumeEntry, ...]
    family: tuple[Relative, ...]
    rewards_and_punishments: str | None = None


@dataclass(frozen=True, slots=True)
class PoliticalReview:
    """政治审查结论性材料."""

    concluded_on: date
    conclusion: Conclusion
    methods: tuple[VettingMethod, ...]
    summary: str
    concluded_by: str


@dataclass(frozen=True, slots=True)
class CultivationRecord:
    """培养考察记录: one period's review by the mentors and the branch."""

    recorded_on: date
    period_from: date
    period_to: date
    performance: str
    branch_opinion: str
    mentor_opinion: str | None = None


Form = ApplicationForm | PoliticalReview | CultivationRecord

FORM_TYPES: dict[FormKind, type[ApplicationForm | PoliticalReview | CultivationRecord]] = {
    FormKind.APPLICATION_FORM: ApplicationForm,
    FormKind.POLITICAL_REVIEW: PoliticalReview,
    FormKind.CULTIVATION_RECORD: CultivationRecord,
}


def kind_of(form: Form) -> FormKind:
    if isinstance(form, ApplicationForm):
        return FormKind.APPLICATION_FORM
    if isinstance(form, PoliticalReview):
        return FormKind.POLITICAL_REVIEW
    return FormKind.CULTIVATION_RECORD


def _field(path: str, key: str, code: str, **params: object) -> FieldError:
    return MESSAGES.field(path, key, code=code, **params)


def _dated(form: Form) -> tuple[str, date]:
    if isinstance(form, ApplicationForm):
        return "filled_on", form.filled_on
    if isinstance(form, PoliticalReview):
        return "concluded_on", form.concluded_on
    return "recorded_on", form.recorded_on


def _field_errors(form: Form, today: date) -> list[FieldError]:
    name, on = _dated(form)
    errors = []
    if on > today:
        errors.append(_field(name, "development_form_in_future", "future", today=today))
    if isinstance(form, ApplicationForm):
        for i, entry in enumerate(form.resume):
            if entry.ends_on is not None and entry.ends_on < entry.starts_on:
                errors.append(
                    _field(f"resume[{i}].ends_on", "development_form_period_reversed", "order")
                )
            if entry.starts_on > form.filled_on:
                errors.append(
                    _field(f"resume[{i}].starts_on", "development_form_after_filled", "order")
                )
    elif isinstance(form, PoliticalReview):
        if len(set(form.methods)) != len(form.methods):
            errors.append(_field("methods", "development_form_repeated", "repeated"))
    elif form.period_to < form.period_from:
        errors.append(_field("period_to", "development_form_period_reversed", "order"))
    elif form.period_to > form.recorded_on:
        errors.append(_field("period_to", "development_form_after_recorded", "order"))
    return errors


def check_form(
    form: Form, *, current_step: int, closed: bool, recorded: Collection[FormKind], today: date
) -> None:
    """Refuse a form the file is not ready for, one it already holds, or whose dates do not
    agree; every field fault at once."""
    kind = kind_of(form)
    if closed or current_step < AVAILABLE_FROM_STEP[kind]:
        raise MESSAGES.error(
            "development_form_not_yet",
            ErrorKind.CONFLICT,
            form=kind.zh,
            step=AVAILABLE_FROM_STEP[kind],
        )
    if kind in ONCE and kind in recorded:
        raise MESSAGES.error("development_form_exists", ErrorKind.CONFLICT, form=kind.zh)
    errors = _field_errors(form, today)
    if errors:
        raise form_invalid(errors)


NEEDED_BY_STEP = {10: FormKind.POLITICAL_REVIEW, 14: FormKind.APPLICATION_FORM}
"""Steps that stand on a form: 政审 on its conclusion, the 入党志愿书 step on the form."""


def check_forms_for_step(step: int, forms: Sequence[Form]) -> None:
    """Refuse step 10 without a qualified 政审 conclusion and step 14 without the 入党志愿书
    (细则: vetting must conclude before admission; the form is the file's core)."""
    kind = NEEDED_BY_STEP.get(step)
    if kind is None:
        return
    held = [f for f in forms if kind_of(f) is kind]
    if not held:
        raise MESSAGES.error(
            "development_step_needs_form",
            ErrorKind.CONFLICT,
            code="development_form_missing",
            form=kind.zh,
            step=step,
        )
    review = held[-1]
    if isinstance(review, PoliticalReview) and review.conclusion is not Conclusion.QUALIFIED:
        raise MESSAGES.error("development_vetting_unqualified", ErrorKind.CONFLICT)


def form_invalid(errors: list[FieldError]) -> DomainError:
    return MESSAGES.error("development_form_invalid", errors=errors, count=len(errors))
