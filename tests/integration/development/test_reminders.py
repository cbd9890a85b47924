"""Deadline reminders: `applicant.step_due` a week ahead and `applicant.step_overdue` after
the deadline, each once per step and deadline however often the schedule runs."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from infra.db.bootstrap import DatabaseUrls, conninfo_of
from infra.db.session import Database
from infra.development import remind_every_tenant, remind_tenant
from infra.settings import Settings
from tests.conftest import Api
from tests.integration.development.helpers import V1, evidence, meeting, org
from tests.integration.development.test_queues import TODAY, _apply

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture(scope="module")
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings.app_database_url or "", pool_size=4)
    yield database
    await database.dispose()


def _reminders(database: DatabaseUrls, *applicant_ids: str) -> dict[str, list[tuple[str, Any]]]:
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        rows = conn.execute(
            "SELECT aggregate_id, topic, payload->>'due_by' FROM outbox_event"
            " WHERE aggregate_type = 'applicant' AND aggregate_id = ANY(%s)"
            " AND topic IN ('applicant.step_due', 'applicant.step_overdue') ORDER BY id",
            (list(applicant_ids),),
        ).fetchall()
    found: dict[str, list[tuple[str, Any]]] = {a: [] for a in applicant_ids}
    for aggregate, topic, due_by in rows:
        found[aggregate].append((topic, due_by))
    return found


async def test_each_reminder_is_sent_once_per_deadline(
    futian: Api, db: Database, database: DatabaseUrls, tenant_ids: dict[str, str]
) -> None:
    committee = await org(futian, "party_committee", approval_authority=True)
    branch = await org(futian, "branch", committee["id"])
    scan = await evidence(futian, await meeting(futian, branch["id"], "theme_day", TODAY))
    late = await _apply(futian, branch["id"], TODAY - timedelta(days=40), scan)
    soon = await _apply(futian, branch["id"], TODAY - timedelta(days=26), scan)
    fresh = await _apply(futian, branch["id"], TODAY - timedelta(days=3), scan)
    ids = (late["id"], soon["id"], fresh["id"])
    tenant = uuid.UUID(tenant_ids["440304"])

    # two runs at once and one after: each reminder once
    await asyncio.gather(*(remind_tenant(db, tenant, today=TODAY) for _ in range(2)))
    await remind_tenant(db, tenant, today=TODAY)
    sent = _reminders(database, *ids)
    assert sent[late["id"]] == [("applicant.step_overdue", late["due_by"])]
    assert sent[soon["id"]] == [("applicant.step_due", soon["due_by"])]
    assert sent[fresh["id"]] == []

    # ten days on, the one due soon is overdue: told once more, and only that
    later = TODAY + timedelta(days=10)
    for _ in range(2):
        await remind_tenant(db, tenant, today=later)
    sent = _reminders(database, *ids)
    assert sent[soon["id"]] == [
        ("applicant.step_due", soon["due_by"]),
        ("applicant.step_overdue", soon["due_by"]),
    ]
    assert len(sent[late["id"]]) == 1
    assert sent[fresh["id"]] == []

    # the talk held: the file moves on, and nothing more is owed for the old deadline
    r = await futian.post(
        f"{V1}/applicants/{late['id']}/steps/2",
        json={
            "occurred_on": TODAY.isoformat(),
            "documents": [{"kind": "talk_record", "evidence_id": scan}],
        },
    )
    assert r.status_code == 409, r.text  # 40 days after the application: too late
    r = await futian.post(
        f"{V1}/applicants/{soon['id']}/steps/2",
        json={
            "occurred_on": TODAY.isoformat(),
            "documents": [{"kind": "talk_record", "evidence_id": scan}],
        },
    )
    assert (r.status_code, r.json()["applicant"]["due_by"]) == (201, None), r.text
    await remind_tenant(db, tenant, today=later)
    assert len(_reminders(database, soon["id"])[soon["id"]]) == 2


async def test_the_schedule_runs_for_every_tenant(db: Database, tenant_ids: dict[str, str]) -> None:
    reports = await remind_every_tenant(db, now=datetime.now(UTC))
    assert {tenant_ids["440304"], tenant_ids["440305"]} <= {r["tenant_id"] for r in reports}
