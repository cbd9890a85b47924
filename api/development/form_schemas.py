"""Bodies of the standard forms (入党志愿书, 政审结论, 培养考察记录) and of the archive."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from api.development.schemas import Strict

Line = Annotated[str, Meta(min_length=1, max_length=100, pattern=r"\S")]
Text = Annotated[str, Meta(min_length=1, max_length=5000, pattern=r"\S")]
Scans = Annotated[
    list[uuid.UUID],
    Meta(
        max_length=20,
        description="扫描件：已上传完成的佐证材料 id（纸质表格的扫描件）",
    ),
]


class ResumeEntryIn(Strict):
    """本人经历 One period of study or work."""

    starts_on: date
    unit: Line
    ends_on: date | None = None
    post: Line | None = None


class RelativeIn(Strict):
    """家庭主要成员及主要社会关系."""

    relation: Annotated[str, Meta(min_length=1, max_length=20, pattern=r"\S", examples=["父亲"])]
    name: Annotated[str, Meta(min_length=1, max_length=50, pattern=r"\S")]
    political_status: Line | None = None
    work_unit: Line | None = None


class ApplicationFormIn(Strict):
    """入党志愿书：记录中已有的姓名、性别、出生日期、民族、学历、单位不再填写。"""

    filled_on: date
    native_place: Annotated[str, Meta(min_length=1, max_length=50, pattern=r"\S")]
    aspiration: Annotated[Text, Meta(description="入党志愿")]
    resume: Annotated[list[ResumeEntryIn], Meta(min_length=1, max_length=30)]
    family: Annotated[list[RelativeIn], Meta(min_length=1, max_length=30)]
    rewards_and_punishments: Text | None = None
    scans: Scans = msgspec.field(default_factory=list)


class PoliticalReviewIn(Strict):
    """政治审查结论性材料."""

    concluded_on: date
    conclusion: Literal["qualified", "unqualified"]
    methods: Annotated[
        list[Literal["talk", "records", "letters", "visit"]],
        Meta(min_length=1, max_length=4, description="同本人谈话、查阅档案、函调、外调"),
    ]
    summary: Text
    concluded_by: Line
    scans: Scans = msgspec.field(default_factory=list)


class CultivationRecordIn(Strict):
    """培养考察记录：一个考察期（一般半年）的表现和意见."""

    recorded_on: date
    period_from: date
    period_to: date
    performance: Text
    branch_opinion: Text
    mentor_opinion: Text | None = None
    scans: Scans = msgspec.field(default_factory=list)


SCAN_EXAMPLE = "01936d77-0000-7000-8000-00000000000e"
APPLICATION_FORM_EXAMPLE = {
    "filled_on": "2024-09-11",
    "native_place": "广东省深圳市",
    "aspiration": "我志愿加入中国共产党，拥护党的纲领，遵守党的章程……",
    "resume": [
        {"starts_on": "2016-09-01", "ends_on": "2020-06-30", "unit": "中山大学", "post": "学生"},
        {"starts_on": "2020-07-01", "unit": "福田区发展改革局", "post": "科员"},
    ],
    "family": [{"relation": "父亲", "name": "王建国", "political_status": "中共党员"}],
    "scans": [SCAN_EXAMPLE],
}
POLITICAL_REVIEW_EXAMPLE = {
    "concluded_on": "2024-07-30",
    "conclusion": "qualified",
    "methods": ["talk", "records", "letters"],
    "summary": "本人及主要社会关系政治历史清楚，无影响入党的问题。",
    "concluded_by": "区委办公室党支部",
    "scans": [SCAN_EXAMPLE],
}
CULTIVATION_RECORD_EXAMPLE = {
    "recorded_on": "2024-01-10",
    "period_from": "2023-07-20",
    "period_to": "2024-01-10",
    "performance": "学习认真，工作积极，按时参加支部活动。",
    "branch_opinion": "考察合格，继续培养。",
    "mentor_opinion": "表现良好。",
    "scans": [SCAN_EXAMPLE],
}


class ResumeEntryOut(msgspec.Struct):
    starts_on: date
    ends_on: date | None
    unit: str
    post: str | None


class RelativeOut(msgspec.Struct):
    relation: str
    name: str
    political_status: str | None
    work_unit: str | None


class ApplicationFormOut(msgspec.Struct):
    filled_on: date
    native_place: str
    aspiration: str
    resume: list[ResumeEntryOut]
    family: list[RelativeOut]
    rewards_and_punishments: str | None


class PoliticalReviewOut(msgspec.Struct):
    concluded_on: date
    conclusion: Literal["qualified", "unqualified"]
    methods: list[Literal["talk", "records", "letters", "visit"]]
    summary: str
    concluded_by: str


class CultivationRecordOut(msgspec.Struct):
    recorded_on: date
    period_from: date
    period_to: date
    performance: str
    branch_opinion: str
    mentor_opinion: str | None


class FormOut(msgspec.Struct):
    """One form of the file; the member named by `kind` holds its fields, the others are null."""

    id: uuid.UUID
    applicant_id: uuid.UUID
    kind: Literal["application_form", "political_review", "cultivation_record"]
    application_form: ApplicationFormOut | None
    political_review: PoliticalReviewOut | None
    cultivation_record: CultivationRecordOut | None
    scans: list[uuid.UUID]
    recorded_by: uuid.UUID | None
    recorded_at: datetime


class FormListOut(msgspec.Struct):
    items: list[FormOut]


class ArchiveLinkOut(msgspec.Struct):
    url: str
    expires_at: datetime


class ArchiveOut(msgspec.Struct):
    """归档文件 An archive of a file: its progress, and once made, the zip's link."""

    job_id: Annotated[uuid.UUID, Meta(description="归档文件 id，即生成它的任务 id")]
    applicant_id: uuid.UUID
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    progress_done: int
    progress_total: int | None
    size_bytes: int | None
    sha256: str | None
    created_by: Annotated[uuid.UUID, Meta(description="生成者（可能是上级租户的账号）")]
    created_at: datetime
    finished_at: datetime | None
    download: ArchiveLinkOut | None
