"""Tenant settings (租户配置): one JSON document per tenant, inherited down the tree.

Each tenant stores only what it overrides (`TenantSettingsOverride`); the settings in force
(`TenantSettings`) are the defaults below overlaid by every override from the root down.
An override of `null` means "inherit" rather than "no value".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from domain.shared.errors import DomainError, FieldError
from domain.tenancy.messages import MESSAGES

MIB = 1024 * 1024

_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)


Period = Literal["monthly", "quarterly", "half_yearly", "yearly"]
RankingsEnabled = Annotated[bool, Field(description="个人积分排名；2023年基层减负规定要求默认关闭")]
SelfCheckinRequired = Annotated[bool, Field(description="是否强制党员自行签到；默认不强制")]
DuesRounding = Annotated[
    Literal["half_up", "half_even", "down", "up"], Field(description="党费舍入到分的方式")
]
DuesBaseMode = Annotated[
    Literal["from_month_paid", "fixed_yearly"],
    Field(description="党费基数：自新工资发放当月起调整（2008规定第十条），或年初核定全年不变"),
]
DuesMonthsAhead = Annotated[
    int,
    Field(
        ge=0,
        le=11,
        description="经支部同意可预交本月之后几个月的党费（0 即按月交纳，2 即按季交纳）",
    ),
]
TransferLetterValidityDays = Annotated[
    int, Field(ge=1, le=180, description="组织关系介绍信有效期（天）")
]
TransferApprovalLevels = Annotated[
    int,
    Field(
        ge=0,
        le=3,
        description="转出组织关系须经转出党支部以上几级党组织审批（0 即党支部直接转出）",
    ),
]
TransferApprovalOverdueDays = Annotated[
    int, Field(ge=1, le=90, description="转接在某一级待审批超过几天即列为逾期")
]
EvidenceMaxFileBytes = Annotated[
    int, Field(ge=1024, le=200 * MIB, description="单个佐证材料文件的大小上限（字节）")
]
EvidenceMaxFilesPerActivity = Annotated[
    int, Field(ge=1, le=500, description="每次活动的佐证材料数量上限")
]
CheckinGraceMinutes = Annotated[
    int, Field(ge=0, le=240, description="活动开始前和结束后仍可签到的分钟数")
]
MfaRequiredForStaff = Annotated[
    bool,
    Field(
        description="全体工作人员（持有任一角色者）登录均需动态验证码，下级租户不能关闭；"
        "管理员另由平台开关要求"
    ),
]
SyncGraceHours = Annotated[
    int, Field(ge=1, le=720, description="离线签到在活动结束后仍可同步的小时数")
]


class MeetingFrequencies(BaseModel):
    """How often each activity is due (组织生活频次); 支部工作条例 2018 by default."""

    model_config = _STRICT

    branch_congress: Period = Field(default="quarterly", description="支部党员大会")
    committee_meeting: Period = Field(default="monthly", description="支委会")
    group_meeting: Period = Field(default="monthly", description="党小组会")
    party_lecture: Period = Field(default="yearly", description="党课")
    theme_day: Period = Field(default="monthly", description="主题党日")
    org_life_meeting: Period = Field(default="yearly", description="组织生活会")
    democratic_review: Period = Field(default="yearly", description="民主评议党员")
    heart_talk: Period = Field(default="yearly", description="谈心谈话")


def _months(description: str, *, ge: int = 0, le: int = 120) -> Any:
    return Field(default=None, ge=ge, le=le, description=description)


class DevelopmentTimeRules(BaseModel):
    """发展党员时间规则: a tenant's tightenings of the 2014 细则 (domain-rules §3); omitted or
    null ones keep the default. The bounds are the national rules, so a tenant may tighten
    and never loosen them (the development context checks the same bounds again)."""

    model_config = _STRICT

    talk_within: int | None = _months("收到入党申请后谈话的期限（月，不超过1）", le=1)
    activist_after_application: int | None = _months(
        "递交申请后确定为入党积极分子的最短时间（月，默认6）"
    )
    review_interval: int | None = _months("培养考察的间隔（月，不超过6）", le=6)
    candidate_after_activist: int | None = _months(
        "确定为积极分子后列为发展对象的最短时间（月，不少于12）", ge=12
    )
    training_days: int | None = _months("集中培训最少天数（不少于3）", ge=3, le=60)
    training_hours: int | None = _months("集中培训最少学时（不少于24）", ge=24, le=500)
    approval_within: int | None = _months("基层党委审批期限（月，不超过3）", le=3)
    approval_within_special: int | None = _months("特殊情况审批期限（月，不超过6）", le=6)
    public_notice: int | None = _months("公示最少工作日（默认5）", le=60)


class TenantSettings(BaseModel):
    """The complete settings in force for one tenant."""

    model_config = _STRICT

    rankings_enabled: RankingsEnabled = False
    self_checkin_required: SelfCheckinRequired = False
    dues_rounding: DuesRounding = "half_up"
    dues_base_mode: DuesBaseMode = "from_month_paid"
    dues_months_ahead: DuesMonthsAhead = 0
    transfer_letter_validity_days: TransferLetterValidityDays = 90
    transfer_approval_levels: TransferApprovalLevels = 1
    transfer_approval_overdue_days: TransferApprovalOverdueDays = 15
    meeting_frequencies: MeetingFrequencies = MeetingFrequencies()
    evidence_max_file_bytes: EvidenceMaxFileBytes = 20 * MIB
    evidence_max_files_per_activity: EvidenceMaxFilesPerActivity = 50
    checkin_grace_minutes: CheckinGraceMinutes = 30
    sync_grace_hours: SyncGraceHours = 72
    mfa_required_for_staff: MfaRequiredForStaff = False
    development_time_rules: DevelopmentTimeRules = DevelopmentTimeRules()


class MeetingFrequenciesOverride(BaseModel):
    """The frequencies one tenant changes; omitted or null ones are inherited."""

    model_config = _STRICT

    branch_congress: Period | None = Field(default=None, description="支部党员大会")
    committee_meeting: Period | None = Field(default=None, description="支委会")
    group_meeting: Period | None = Field(default=None, description="党小组会")
    party_lecture: Period | None = Field(default=None, description="党课")
    theme_day: Period | None = Field(default=None, description="主题党日")
    org_life_meeting: Period | None = Field(default=None, description="组织生活会")
    democratic_review: Period | None = Field(default=None, description="民主评议党员")
    heart_talk: Period | None = Field(default=None, description="谈心谈话")


class TenantSettingsOverride(BaseModel):
    """The settings document a tenant stores: only what it overrides."""

    model_config = _STRICT

    rankings_enabled: RankingsEnabled | None = None
    self_checkin_required: SelfCheckinRequired | None = None
    dues_rounding: DuesRounding | None = None
    dues_base_mode: DuesBaseMode | None = None
    dues_months_ahead: DuesMonthsAhead | None = None
    transfer_letter_validity_days: TransferLetterValidityDays | None = None
    transfer_approval_levels: TransferApprovalLevels | None = None
    transfer_approval_overdue_days: TransferApprovalOverdueDays | None = None
    meeting_frequencies: MeetingFrequenciesOverride | None = None
    evidence_max_file_bytes: EvidenceMaxFileBytes | None = None
    evidence_max_files_per_activity: EvidenceMaxFilesPerActivity | None = None
    checkin_grace_minutes: CheckinGraceMinutes | None = None
    sync_grace_hours: SyncGraceHours | None = None
    mfa_required_for_staff: MfaRequiredForStaff | None = None
    development_time_rules: DevelopmentTimeRules | None = None


def _field_error(err: Mapping[str, Any]) -> FieldError:
    """Turn one pydantic error into a FieldError on its JSON path, in both languages."""
    path = ".".join(str(part) for part in err["loc"]) or "$"
    ctx = err.get("ctx", {})
    kind = err["type"]
    if kind == "extra_forbidden":
        return MESSAGES.field(path, "setting_unknown", code="unknown_field")
    if kind in {"bool_type", "bool_parsing"}:
        return MESSAGES.field(path, "setting_must_be_boolean", code="must_be_boolean")
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return MESSAGES.field(path, "setting_must_be_integer", code="must_be_integer")
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        listed = expected.replace(" or ", "、").replace(", ", "、")
        return MESSAGES.field(
            path,
            "setting_not_allowed_value",
            code="not_allowed_value",
            listed=listed,
            expected=expected,
        )
    if kind == "greater_than_equal":
        return MESSAGES.field(path, "setting_too_small", code="too_small", bound=ctx["ge"])
    if kind == "less_than_equal":
        return MESSAGES.field(path, "setting_too_large", code="too_large", bound=ctx["le"])
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return MESSAGES.field(path, "setting_must_be_object", code="must_be_object")
    return MESSAGES.field(path, "setting_invalid", code="invalid")


def _invalid(exc: ValidationError) -> DomainError:
    return MESSAGES.error(
        "tenant_settings_invalid", errors=[_field_error(err) for err in exc.errors()]
    )


def validate_override(document: object) -> TenantSettingsOverride:
    """Check one tenant's stored document before it is saved."""
    try:
        return TenantSettingsOverride.model_validate(document)
    except ValidationError as exc:
        raise _invalid(exc) from None


def _overlay(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        below = merged.get(key)
        if isinstance(value, Mapping) and isinstance(below, dict):
            merged[key] = _overlay(below, value)
        else:
            merged[key] = value
    return merged


def effective_settings(overrides_from_root_to_leaf: Sequence[object]) -> TenantSettings:
    """The settings in force at a tenant: defaults, then each ancestor's override, then its own."""
    merged = TenantSettings().model_dump()
    # A security requirement only tightens down the tree: no tenant opts out of what an
    # ancestor requires.
    required = False
    for document in overrides_from_root_to_leaf:
        override = validate_override(document)
        merged = _overlay(merged, override.model_dump(exclude_none=True))
        required = required or bool(override.mfa_required_for_staff)
    merged["mfa_required_for_staff"] = required
    try:
        return TenantSettings.model_validate(merged)
    except ValidationError as exc:
        raise _invalid(exc) from None


def json_schema() -> dict[str, Any]:
    """JSON Schema of the per-tenant override document, for the OpenAPI contract."""
    return TenantSettingsOverride.model_json_schema()
