"""Attached files as another context copies them (a development file's archive): their
verified metadata and their bytes, through `infra.evidence`, never the evidence table."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlmodel import col

from domain.evidence import EvidenceStatus
from domain.evidence.messages import MESSAGES
from domain.shared import ErrorKind
from infra.db.session import UnitOfWork
from infra.evidence.tables import Evidence
from infra.storage import ObjectStorage


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """An attached file as verified at confirmation."""

    id: uuid.UUID
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    object_key: str


async def evidence_files(
    uow: UnitOfWork, tenant_id: uuid.UUID, evidence_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, EvidenceFile]:
    """The attached files among `evidence_ids` of the tenant, by id."""
    if not evidence_ids:
        return {}
    rows = await uow.session.execute(
        select(Evidence).where(
            col(Evidence.tenant_id) == tenant_id,
            col(Evidence.id).in_(list(evidence_ids)),
            col(Evidence.status) == EvidenceStatus.ATTACHED.value,
        )
    )
    return {
        r.id: EvidenceFile(
            r.id,
            r.filename,
            r.sniffed_content_type or r.content_type,
            r.size_bytes,
            r.sha256,
            r.object_key,
        )
        for r in rows.scalars()
    }


async def copy_evidence(storage: ObjectStorage, file: EvidenceFile, target: Path) -> None:
    """Copy a file's bytes to `target`, refusing bytes that differ from the verified ones."""
    await storage.download_to(file.object_key, target)
    if await asyncio.to_thread(_digest, target) != file.sha256:
        raise MESSAGES.error("evidence_object_changed", ErrorKind.CONFLICT)


def _digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
