"""Endpoints for the expected attendees (应到人员) of an activity."""

from __future__ import annotations

import uuid

from litestar import delete, get, post

from api.activities import presenters as present
from api.activities import schemas as s
from api.activities.params import (
    ACTIVITIES,
    caller_of,
)
from api.context import Ctx
from api.openapi_common import READ, WRITE
from infra.activities import roster


@get(
    "/activities/{activity_id:uuid}/attendees",
    summary="应到人员 Expected attendees",
    tags=ACTIVITIES,
    operation_id="listActivityAttendees",
    responses=READ,
)
async def list_attendees(ctx: Ctx, activity_id: uuid.UUID) -> list[s.AttendeeOut]:
    async with ctx.uow() as uow:
        rows = await roster.list_attendees(uow, ctx, caller_of(ctx), activity_id)
    return [present.attendee_out(r) for r in rows]


@post(
    "/activities/{activity_id:uuid}/attendees",
    summary="添加应到人员 Add an expected attendee",
    tags=ACTIVITIES,
    operation_id="addActivityAttendee",
    responses=WRITE,
)
async def add_attendee(ctx: Ctx, activity_id: uuid.UUID, data: s.AttendeeIn) -> list[s.AttendeeOut]:
    async with ctx.uow() as uow:
        rows = await roster.add_attendee(uow, ctx, caller_of(ctx), activity_id, data.member_id)
        return [present.attendee_out(r) for r in rows]


@delete(
    "/activities/{activity_id:uuid}/attendees/{member_id:uuid}",
    summary="移出应到人员 Remove an expected attendee",
    description="例如持《流动党员活动证》在外的党员；移出后不计入应到人数和表决基数。",
    tags=ACTIVITIES,
    operation_id="removeActivityAttendee",
    status_code=204,
    responses=WRITE,
)
async def remove_attendee(ctx: Ctx, activity_id: uuid.UUID, member_id: uuid.UUID) -> None:
    async with ctx.uow() as uow:
        await roster.remove_attendee(uow, ctx, caller_of(ctx), activity_id, member_id)


ROUTES = [
    list_attendees,
    add_attendee,
    remove_attendee,
]
