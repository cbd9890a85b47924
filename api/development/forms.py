"""The standard forms of a file (入党志愿书, 政审结论, 培养考察记录) and its archive (step 25).
Thin: parse, call, present."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Response, get, post
from litestar.openapi.spec import Example
from litestar.params import Body

from api.context import Ctx, absolute
from api.deps import Storage
from api.development import form_schemas as f
from api.openapi_common import LIST, READ, WRITE, errors
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from api.times import ApiResponse
from domain.development import FORM_TYPES, FormKind
from infra.development import (
    ApplicantForm,
    ArchiveLink,
    archive_link,
    forms_of,
    list_archives,
    queue_archive,
    read_applicant,
    record_form,
)
from infra.members import today

TAGS = ["Development"]
_OUT: dict[FormKind, type[msgspec.Struct]] = {
    FormKind.APPLICATION_FORM: f.ApplicationFormOut,
    FormKind.POLITICAL_REVIEW: f.PoliticalReviewOut,
    FormKind.CULTIVATION_RECORD: f.CultivationRecordOut,
}
_FORM_RULES = (
    "扫描件须是本租户已上传完成的佐证材料。档案办理到规定步骤后才能填写（培养考察记录自"
    "第 5 步、政审结论自第 9 步、入党志愿书自第 13 步起），入党志愿书和政审结论各一份"
    "（409 `development_form_exists`）。需要党支部的 `applicant:write`。"
)


def form_out(row: ApplicantForm) -> f.FormOut:
    kind = FormKind(row.kind)
    members: dict[str, Any] = {k.value: None for k in FormKind}
    members[kind.value] = msgspec.convert(row.fields, _OUT[kind])
    return f.FormOut(
        id=row.id,
        applicant_id=row.applicant_id,
        kind=row.kind,  # type: ignore[arg-type]
        scans=list(row.scans),
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        **members,
    )


async def _record(
    ctx: Ctx, applicant_id: uuid.UUID, kind: FormKind, data: msgspec.Struct
) -> Response[f.FormOut]:
    fields = msgspec.to_builtins(data)
    scans = tuple(uuid.UUID(s) for s in fields.pop("scans"))
    form = msgspec.convert(fields, FORM_TYPES[kind])
    async with ctx.uow() as uow:
        _, row = await record_form(
            uow, ctx, applicant_id, form, scans, recorded_by=ctx.principal.user_id, today=today()
        )
    return ApiResponse(form_out(row), status_code=201)


@post(
    "/applicants/{applicant_id:uuid}/forms/application-form",
    summary="填写入党志愿书 Record the application form",
    description="入党志愿书（第 14 步的材料），附纸质件扫描件。" + _FORM_RULES,
    tags=TAGS,
    operation_id="recordApplicationForm",
    responses=WRITE,
)
async def application_form(
    ctx: Ctx,
    applicant_id: uuid.UUID,
    data: Annotated[
        f.ApplicationFormIn,
        Body(examples=[Example(summary="入党志愿书", value=f.APPLICATION_FORM_EXAMPLE)]),
    ],
) -> Response[f.FormOut]:
    return await _record(ctx, applicant_id, FormKind.APPLICATION_FORM, data)


@post(
    "/applicants/{applicant_id:uuid}/forms/political-review",
    summary="登记政审结论 Record the political review",
    description="政治审查结论性材料（第 10 步），附扫描件。" + _FORM_RULES,
    tags=TAGS,
    operation_id="recordPoliticalReview",
    responses=WRITE,
)
async def political_review(
    ctx: Ctx,
    applicant_id: uuid.UUID,
    data: Annotated[
        f.PoliticalReviewIn,
        Body(examples=[Example(summary="政审结论", value=f.POLITICAL_REVIEW_EXAMPLE)]),
    ],
) -> Response[f.FormOut]:
    return await _record(ctx, applicant_id, FormKind.POLITICAL_REVIEW, data)


@post(
    "/applicants/{applicant_id:uuid}/forms/cultivation-records",
    summary="登记培养考察记录 Record a cultivation review",
    description="培养考察记录（一般每半年一次），附扫描件。" + _FORM_RULES,
    tags=TAGS,
    operation_id="recordCultivationRecord",
    responses=WRITE,
)
async def cultivation_record(
    ctx: Ctx,
    applicant_id: uuid.UUID,
    data: Annotated[
        f.CultivationRecordIn,
        Body(examples=[Example(summary="培养考察记录", value=f.CULTIVATION_RECORD_EXAMPLE)]),
    ],
) -> Response[f.FormOut]:
    return await _record(ctx, applicant_id, FormKind.CULTIVATION_RECORD, data)


@get(
    "/applicants/{applicant_id:uuid}/forms",
    summary="发展材料 The file's forms",
    description="入党志愿书、政审结论和培养考察记录，按填写顺序。需要 `applicant:read`。",
    tags=TAGS,
    operation_id="listApplicantForms",
    responses=READ,
)
async def forms(ctx: Ctx, applicant_id: uuid.UUID) -> f.FormListOut:
    async with ctx.uow() as uow:
        record = await read_applicant(uow, ctx, applicant_id)
        rows = await forms_of(uow, record.applicant)
    return f.FormListOut([form_out(r) for r in rows])


def _archive_out(found: ArchiveLink, ctx: Ctx | None = None) -> f.ArchiveOut:
    archive, result = found.archive, found.archive.result or {}
    link = (
        f.ArchiveLinkOut(url=absolute(ctx, found.url), expires_at=found.expires_at)
        if ctx is not None and found.url and found.expires_at
        else None
    )
    return f.ArchiveOut(
        job_id=archive.id,
        applicant_id=archive.applicant_id,
        status=found.status,  # type: ignore[arg-type]
        progress_done=archive.progress_done,
        progress_total=archive.progress_total,
        size_bytes=result.get("size_bytes"),
        sha256=result.get("sha256"),
        created_by=archive.created_by,
        created_at=archive.created_at,
        finished_at=archive.finished_at,
        download=link,
    )


@post(
    "/applicants/{applicant_id:uuid}/archives",
    summary="生成归档文件 Make the archive",
    description=(
        "第 25 步材料归档：后台任务把档案做成一个 zip——`档案.pdf`（基本情况、发展程序、"
        "各项材料）、`scans/`（各步骤和材料引用的扫描件，按上传时核验的 SHA-256 复核）和 "
        "`manifest.json`（同样的记录和每个文件的大小、SHA-256）。进度见 "
        "`GET /applicants/{applicant_id}/archives/{archive_id}`（即任务 id）。归档文件属于"
        "申请人所在租户：上级管理员生成的，申请人所在租户同样看得到（任务本身在生成者的"
        "租户，见 `/jobs/{id}`）。需要党支部的 `applicant:write`。"
    ),
    tags=TAGS,
    operation_id="createApplicantArchive",
    status_code=202,
    responses=WRITE,
)
async def make_archive(ctx: Ctx, applicant_id: uuid.UUID) -> Response[f.ArchiveOut]:
    async with ctx.uow() as uow:
        archive = await queue_archive(
            uow,
            ctx,
            applicant_id,
            created_by=ctx.principal.user_id,
            home_tenant_id=ctx.principal.tenant_id,
        )
    return ApiResponse(_archive_out(ArchiveLink(archive, "queued", None, None)), status_code=202)


@get(
    "/applicants/{applicant_id:uuid}/archives",
    summary="归档文件列表 The file's archives",
    description=(
        "申请人档案的全部归档文件，新的在前，不论由谁生成（下载链接见单个归档文件）。"
        "需要 `applicant:read`。"
    ),
    tags=TAGS,
    operation_id="listApplicantArchives",
    responses={**LIST, **errors(404)},
)
async def archives(
    ctx: Ctx, applicant_id: uuid.UUID, limit: Limit = 50, cursor: Cursor = None
) -> Page[f.ArchiveOut]:
    async with ctx.uow() as uow:
        rows = await list_archives(
            uow, ctx, applicant_id, before=decode_cursor(cursor), limit=limit
        )
    return page_of([_archive_out(r) for r in rows], limit, lambda a: a.job_id)


@get(
    "/applicants/{applicant_id:uuid}/archives/{archive_id:uuid}",
    summary="归档文件 The archive",
    description=(
        "归档任务的进度；完成后给出 15 分钟有效的下载链接（每次给出链接都记入审计日志）。"
        "需要 `applicant:read`。"
    ),
    tags=TAGS,
    operation_id="getApplicantArchive",
    responses=READ,
)
async def archive(
    ctx: Ctx, storage: Storage, applicant_id: uuid.UUID, archive_id: uuid.UUID
) -> f.ArchiveOut:
    async with ctx.uow() as uow:
        found = await archive_link(uow, ctx, storage, applicant_id, archive_id)
    return _archive_out(found, ctx)


ROUTES = [
    application_form,
    political_review,
    cultivation_record,
    forms,
    make_archive,
    archives,
    archive,
]
