"""The payloads of the event catalogue (事件负载): what each event type's JSON holds.

One struct per event type, the published contract of what a context writes to the outbox.
Its docstring is the type's description in the catalogue, Chinese then English (「中文
English.」). A field naming a person other than the event's own resource carries
`extra_json_schema=PERSONAL`: it is given only with the sensitive scope, null otherwise.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

PERSONAL = {"x-personal": True}


class MemberChanged(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    member_id: uuid.UUID
    organization_id: Annotated[
        uuid.UUID, Meta(description="党员所在党组织 The member's organization")
    ]
    version: Annotated[int, Meta(ge=1, description="党员记录的版本 The record's version")]
    fields: Annotated[
        list[str],
        Meta(description="改动的字段（新建时为空） Fields changed (empty on creation)"),
    ]


class MemberCreated(MemberChanged, kw_only=True):
    """党员记录已建立（逐个新建或导入） A member record was created (one by one or imported)."""


class MemberUpdated(MemberChanged, kw_only=True):
    """党员记录已修改 A member record was changed; `fields` names what changed."""


class MemberStatusChanged(MemberChanged, kw_only=True):
    """党员状态已变更（转正、停止党籍等） A member's status changed."""


class CheckinRecorded(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """已签到 A check-in was recorded (self, QR, offline sync or marked by a secretary)."""

    checkin_id: uuid.UUID
    activity_id: uuid.UUID
    member_id: Annotated[
        uuid.UUID | None,
        Meta(
            description="签到的党员（无敏感范围时为 null） The member (null without the"
            " sensitive scope)",
            extra_json_schema=PERSONAL,
        ),
    ]
    source: Literal["self", "self_qr", "offline_sync", "secretary"]
    occurred_at: datetime


class EvidenceAttached(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """佐证材料已上传并确认 Evidence was uploaded and confirmed."""

    evidence_id: uuid.UUID
    activity_id: uuid.UUID
    kind: str
    content_type: str
    size_bytes: Annotated[int, Meta(ge=0)]
    sha256: Annotated[str, Meta(pattern="^[0-9a-f]{64}$")]
    uploaded_by: Annotated[
        uuid.UUID | None,
        Meta(
            description="上传的账号（无敏感范围时为 null） The uploader (null without the"
            " sensitive scope)",
            extra_json_schema=PERSONAL,
        ),
    ]


class EvidenceDeleted(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """佐证材料已删除 Evidence was deleted."""

    evidence_id: uuid.UUID
    activity_id: uuid.UUID


class CheckinWithdrawn(CheckinRecorded, kw_only=True):
    """签到已撤销（登记有误的更正） A check-in was withdrawn as recorded in error."""


class LeaveApproved(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """请假已批准 A member's leave from an activity was approved."""

    leave_id: uuid.UUID
    activity_id: uuid.UUID
    member_id: Annotated[
        uuid.UUID | None,
        Meta(
            description="请假的党员（无敏感范围时为 null） The member (null without the"
            " sensitive scope)",
            extra_json_schema=PERSONAL,
        ),
    ]
    activity_kind: Annotated[str, Meta(description="活动类型 The activity's kind")]
    starts_at: Annotated[datetime, Meta(description="活动开始时间 When the activity starts")]


class AttendanceClosed(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    activity_id: uuid.UUID
    member_id: Annotated[
        uuid.UUID | None,
        Meta(
            description="党员（无敏感范围时为 null） The member (null without the sensitive scope)",
            extra_json_schema=PERSONAL,
        ),
    ]
    activity_kind: Annotated[str, Meta(description="活动类型 The activity's kind")]
    starts_at: Annotated[datetime, Meta(description="活动开始时间 When the activity started")]


class AttendanceAbsenceRecorded(AttendanceClosed, kw_only=True):
    """活动归档时记为缺席（未签到、未被代签、无批准的请假） A member was absent when the
    activity was archived (no check-in, no mark by the secretary, no approved leave)."""


class AttendanceLeaveRecorded(AttendanceClosed, kw_only=True):
    """活动归档时记为请假（请假已批准，且未签到、未被代签） A member was on approved leave
    when the activity was archived, and neither checked in nor was marked present."""

    leave_id: uuid.UUID


class AttendanceVolunteerHoursRecorded(AttendanceClosed, kw_only=True):
    """志愿服务时长已记录（活动归档时，出席的党员） Volunteer hours were recorded for a
    member present when the volunteer activity was archived."""

    hours: Annotated[int, Meta(ge=1, description="计划时长（整小时） Scheduled whole hours")]


class PointsChanged(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    entry_id: Annotated[uuid.UUID, Meta(description="积分流水 The ledger entry")]
    member_id: uuid.UUID
    points: Annotated[int, Meta(description="本条增减的分数 Points this entry adds (or takes)")]
    kind: Annotated[
        str,
        Meta(
            description="accrual 自动记分、award 奖励、deduction 扣分、reversal 冲销",
            examples=["accrual"],
        ),
    ]
    period: Annotated[str, Meta(description="积分周期 The period", examples=["2026"])]
    item_code: str | None
    rule_version: int | None
    cause_type: Annotated[str, Meta(description="起因 What caused it", examples=["checkin"])]
    cause_id: uuid.UUID


class PointsAwarded(PointsChanged, kw_only=True):
    """积分已记入（签到记分、奖励或扣分） Points were entered for a member (accrual, award or
    deduction)."""


class PointsReversed(PointsChanged, kw_only=True):
    """积分已冲销（如签到撤销） Points were reversed (e.g. a check-in was withdrawn)."""


class ApplicantChanged(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    applicant_id: uuid.UUID
    organization_id: Annotated[uuid.UUID, Meta(description="培养的党支部 The branch")]
    status: Annotated[str, Meta(examples=["in_progress"])]
    stage: Annotated[int, Meta(ge=1, le=5, description="发展阶段 1–5 The stage of 5")]
    current_step: Annotated[int, Meta(ge=0, description="最近完成的步骤 The last step done")]


class ApplicantCreated(ApplicantChanged, kw_only=True):
    """入党申请人已登记 An applicant for membership was registered."""


class ApplicantStepRecorded(ApplicantChanged, kw_only=True):
    """发展党员的一个步骤已记录 A step of the applicant's development was recorded."""

    step: Annotated[int, Meta(ge=1, le=25, description="步骤序号 The step (1–25)")]
    step_code: str
    decision: Annotated[str, Meta(examples=["approved"])]
    occurred_on: date


class ApplicantStageChanged(ApplicantChanged, kw_only=True):
    """申请人进入新的发展阶段 The applicant moved to another stage (or left the process)."""

    previous_stage: Annotated[int, Meta(ge=1, le=5)]
    previous_status: str


class DuesBillsGenerated(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """党费账单已生成 Dues bills of a month were generated."""

    month: Annotated[str, Meta(pattern="^[0-9]{4}-[0-9]{2}$", examples=["2026-05"])]
    bill_ids: list[uuid.UUID]


class WebhookDisabled(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """推送地址已停用（410 或长期失败） A webhook was disabled (410, or failing too long)."""

    webhook_id: uuid.UUID
    client_id: uuid.UUID
    url: str
    reason: Literal["gone", "failing"]
    failure_streak: Annotated[int, Meta(ge=0)]


class ApplicantFormRecorded(ApplicantChanged, kw_only=True):
    """发展材料已登记（入党志愿书、政治审查结论、培养考察记录） A development form was
    recorded (application form, political review or cultivation record)."""

    form: Annotated[
        Literal["application_form", "political_review", "cultivation_record"],
        Meta(description="材料种类 The form"),
    ]
    form_id: uuid.UUID


class ApplicantStepDue(ApplicantChanged, kw_only=True):
    """下一发展步骤一周内到期 The applicant's next step is due within a week."""

    due_by: Annotated[date | None, Meta(description="期限 The deadline")]


class ApplicantStepOverdue(ApplicantChanged, kw_only=True):
    """下一发展步骤已超期 The applicant's next step is past its deadline."""

    due_by: Annotated[date | None, Meta(description="期限 The deadline")]


Month = Annotated[str, Meta(pattern="^[0-9]{4}-[0-9]{2}$", examples=["2026-05"])]


class DuesPaymentSettled(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """党费网上缴费已到账 An online dues payment was settled; `credit_fen` is what it paid
    beyond its bills (a duplicate), kept until refunded."""

    payment_id: uuid.UUID
    member_id: Annotated[
        uuid.UUID | None,
        Meta(
            description="缴费的党员（无敏感范围时为 null） The member (null without the"
            " sensitive scope)",
            extra_json_schema=PERSONAL,
        ),
    ]
    organization_id: uuid.UUID
    amount_fen: Annotated[int, Meta(ge=0, description="金额（分） Amount in fen")]
    months: Annotated[list[Month], Meta(description="交清的月份 Months settled")]
    credit_fen: Annotated[int, Meta(ge=0, description="多交（分） Paid twice, in fen")]
    credited_months: Annotated[list[Month], Meta(description="重复缴费的月份 Months paid twice")]
    provider: Annotated[str, Meta(examples=["wechat_pay"])]
    transaction_id: Annotated[
        str | None, Meta(description="支付渠道的交易号 The provider's transaction")
    ]


class DuesPaymentRefunded(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """重复缴纳的党费已退回 What a payment paid twice was refunded."""

    payment_id: uuid.UUID
    member_id: Annotated[
        uuid.UUID | None,
        Meta(
            description="缴费的党员（无敏感范围时为 null） The member (null without the"
            " sensitive scope)",
            extra_json_schema=PERSONAL,
        ),
    ]
    amount_fen: Annotated[int, Meta(ge=0, description="退回金额（分） Refunded, in fen")]
    months: Annotated[list[Month], Meta(description="退回的月份 Months refunded")]


class DuesVoluntaryRecorded(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """自愿多交党费已登记 A voluntary dues payment was recorded."""

    id: Annotated[uuid.UUID, Meta(description="自愿多交记录 The voluntary payment")]
    member_id: uuid.UUID
    month: Month
    amount_fen: Annotated[int, Meta(ge=0, description="金额（分） Amount in fen")]
    to_centre: Annotated[bool, Meta(description="是否全额上缴中央 Remitted in full to the Centre")]


class DuesArrears(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    notice_id: Annotated[uuid.UUID, Meta(description="欠缴提示 The arrears notice")]
    member_id: uuid.UUID
    organization_id: Annotated[
        uuid.UUID, Meta(description="最近逾期缴费单的党组织 The latest overdue bill's organization")
    ]
    overdue_months: Annotated[int, Meta(ge=0, description="逾期月数 Months overdue")]
    consecutive_months: Annotated[
        int, Meta(ge=0, description="最长连续逾期月数 Longest run of months overdue")
    ]
    first_overdue: Month
    last_overdue: Month


class DuesArrearsWarning(DuesArrears, kw_only=True):
    """党员逾期未交党费 3 个月及以上 A member has not paid dues for three months or more."""


class DuesArrearsFlagged(DuesArrears, kw_only=True):
    """党员连续 6 个月未交党费 A member has not paid dues for six months in a row."""


class TransferChanged(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    transfer_id: uuid.UUID


class TransferStarted(TransferChanged, kw_only=True):
    """组织关系转接已发起 A membership transfer was started."""

    kind: Literal["within_tenant", "across_tenants", "outside_platform"]


class TransferSubmitted(TransferChanged, kw_only=True):
    """组织关系转接已提交待审批 A transfer was submitted for approval."""


class TransferApproved(TransferChanged, kw_only=True):
    """组织关系转接已在一级审批通过（尚待上级） A transfer was approved at one level, with
    more levels to go."""

    level: Annotated[int, Meta(ge=1, description="审批层级 The level that approved")]


class TransferRejected(TransferChanged, kw_only=True):
    """组织关系转接未获同意 A transfer was rejected."""


class TransferSent(TransferChanged, kw_only=True):
    """介绍信已开出，组织关系已转出 The letter was issued and the transfer sent."""

    letter_number: Annotated[int, Meta(ge=1, description="介绍信编号 The letter's number")]


class TransferCancelled(TransferChanged, kw_only=True):
    """组织关系转接已撤销 A transfer was cancelled."""


class TransferExpired(TransferChanged, kw_only=True):
    """介绍信已过有效期 The transfer's letter expired unanswered."""


class TransferAnswered(TransferChanged, kw_only=True):
    member_id: Annotated[
        uuid.UUID | None,
        Meta(
            description="接收方的党员记录（无敏感范围时为 null） The member's record on the"
            " receiving side (null without the sensitive scope)",
            extra_json_schema=PERSONAL,
        ),
    ] = None


class TransferAccepted(TransferAnswered, kw_only=True):
    """组织关系已接收（或已收到平台外的回执） A transfer was accepted (or the receipt of one
    out of the platform recorded)."""


class TransferReturned(TransferAnswered, kw_only=True):
    """组织关系转接被接收方退回 A transfer was returned by the receiving side."""


class MobileCertificateChanged(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    transfer_id: Annotated[
        uuid.UUID, Meta(description="流动党员活动证（名为 transfer_id） The certificate")
    ]


class TransferMobileCertificateIssued(MobileCertificateChanged, kw_only=True):
    """流动党员活动证已开具 A mobile member's certificate was issued."""


class TransferMobileCertificateClosed(MobileCertificateChanged, kw_only=True):
    """流动党员活动证已收回 A mobile member's certificate was closed."""


class TransferMobileHostEntryRecorded(MobileCertificateChanged, kw_only=True):
    """流入地党组织记录了流动党员的报到、组织生活、党费或鉴定意见 The host organization
    recorded a mobile member's arrival, activity, dues or its opinion (in the host's tenant)."""

    kind: Literal["arrival", "activity", "dues", "opinion"]


class StarRatingPublished(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """星级评定结果已公示 A star rating run was published (drafts open to appeal)."""

    run_id: uuid.UUID
    subject: Literal["member", "branch"]
    period: Annotated[str, Meta(description="评定周期 The period", examples=["2026"])]
    rated: Annotated[int, Meta(ge=0, description="评定对象数 Subjects rated")]
    distribution: Annotated[
        dict[str, int], Meta(description="各星级数量 Count per number of stars")
    ]
    publish_at: datetime
    stands_at: datetime


class StarRatingAppealed(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """党员对星级评定提出申诉 A member appealed their star rating."""

    rating_id: uuid.UUID
    appeal_id: uuid.UUID
    member_id: Annotated[
        uuid.UUID | None,
        Meta(
            description="申诉的党员（无敏感范围时为 null） The member (null without the"
            " sensitive scope)",
            extra_json_schema=PERSONAL,
        ),
    ]
    organization_id: uuid.UUID
    period: str
    stars: Annotated[int, Meta(ge=1, le=5)]
