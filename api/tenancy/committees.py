"""Committee post endpoints (支委会职务) of an organization."""

from __future__ import annotations

import uuid

from litestar import delete, post

from api.context import Ctx
from api.openapi_common import WRITE
from api.tenancy import presenters as present
from api.tenancy import schemas as s
from infra.tenancy import committees as svc

ORGS = ["Organizations"]


@post(
    "/organizations/{org_id:uuid}/committee-posts",
    summary="任命委员 Add a committee post",
    tags=ORGS,
    operation_id="addCommitteePost",
    responses=WRITE,
)
async def add_committee_post(
    ctx: Ctx, org_id: uuid.UUID, data: s.CommitteePostIn
) -> s.CommitteePostOut:
    async with ctx.uow() as uow:
        row = await svc.add_committee_post(
            uow,
            ctx,
            org_id,
            post=data.post,
            holder_name=data.holder_name,
            user_id=data.user_id,
            term_start=data.term_start,
            term_end=data.term_end,
        )
        return present.post_out(row)


@delete(
    "/organizations/{org_id:uuid}/committee-posts/{post_id:uuid}",
    summary="免去委员 Remove a committee post",
    tags=ORGS,
    operation_id="removeCommitteePost",
    responses=WRITE,
)
async def remove_committee_post(ctx: Ctx, org_id: uuid.UUID, post_id: uuid.UUID) -> None:
    async with ctx.uow() as uow:
        await svc.remove_committee_post(uow, ctx, org_id, post_id)


ROUTES = [add_committee_post, remove_committee_post]
