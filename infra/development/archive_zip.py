"""The zip of a file's archive (step 25): `档案.pdf`, `scans/` and `manifest.json`.

Every scan the steps and forms cite is copied from storage and checked against the SHA-256
verified at its upload; the manifest lists each member of the zip with its size and SHA-256.
Each attempt starts afresh in a temporary directory and replaces the stored zip.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import uuid
import zipfile
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from domain.development import STEP_BY_NUMBER, Form, FormKind
from infra.development.applicants import load_applicant
from infra.development.archive_pdf import ArchiveDocument, Section, render_pdf
from infra.development.forms import form_of, forms_of
from infra.development.steps import file_of
from infra.development.tables import Applicant, ApplicantForm, ApplicantStep
from infra.evidence import EvidenceFile, copy_evidence, evidence_files
from infra.offload import offload
from infra.platform.jobs import JobContext
from infra.storage import ObjectStorage
from infra.tenancy import OrganizationRef


class Progress(Protocol):
    """Where the making reports: the file's tenant once known, then scans copied."""

    tenant_id: uuid.UUID | None

    async def progress(self, done: int, total: int | None = None) -> None: ...


_DECISION_ZH = {
    "done": "已办理",
    "approved": "通过",
    "rejected": "未通过",
    "extend": "延长预备期",
    "revoke": "取消资格",
}
_LABELS = {
    "filled_on": "填写日期",
    "native_place": "籍贯",
    "aspiration": "入党志愿",
    "resume": "本人经历",
    "family": "家庭主要成员及社会关系",
    "rewards_and_punishments": "奖惩情况",
    "concluded_on": "结论日期",
    "conclusion": "政审结论",
    "methods": "审查方式",
    "summary": "审查情况",
    "concluded_by": "审查单位",
    "recorded_on": "记录日期",
    "period_from": "考察期自",
    "period_to": "考察期至",
    "performance": "现实表现",
    "branch_opinion": "党支部意见",
    "mentor_opinion": "培养联系人意见",
}
_VALUES_ZH = {
    "qualified": "合格",
    "unqualified": "不合格",
    "talk": "同本人谈话",
    "records": "查阅档案材料",
    "letters": "函调",
    "visit": "外调",
}


def _cited(steps: list[ApplicantStep], forms: list[ApplicantForm]) -> list[uuid.UUID]:
    """Every evidence id the file cites, first citation first, once each."""
    ids = [uuid.UUID(d["evidence_id"]) for s in steps for d in s.documents]
    ids += [scan for f in forms for scan in f.scans]
    return list(dict.fromkeys(ids))


def _scan_path(index: int, file: EvidenceFile) -> str:
    suffix = Path(file.filename).suffix.lower()
    safe = suffix if suffix[1:].isalnum() and len(suffix) <= 6 else ""
    return f"scans/{index:03d}-{file.id}{safe}"


def _value(value: Any) -> str:
    if isinstance(value, tuple | list):
        return "\n".join(_value(v) for v in value)
    if isinstance(value, dict):
        return "，".join(str(v) for v in value.values() if v)
    if hasattr(value, "__dataclass_fields__"):
        return _value(asdict(value))
    text = str(value) if value is not None else ""
    return _VALUES_ZH.get(text, text)


def _form_section(kind: FormKind, form: Form) -> Section:
    rows = [(_LABELS.get(k, k), _value(v)) for k, v in asdict(form).items() if v not in (None, ())]
    return Section(kind.zh, rows)


def _particulars(applicant: Applicant, org: OrganizationRef) -> Section:
    rows = [
        ("姓名", applicant.name),
        ("性别", {"male": "男", "female": "女"}.get(applicant.gender, applicant.gender)),
        ("出生日期", applicant.birth_date.isoformat()),
        ("身份证号", applicant.id_number_masked),
        ("民族", applicant.ethnicity or ""),
        ("学历", applicant.education or ""),
        ("工作单位及职务", " ".join(x for x in (applicant.work_unit, applicant.post) if x)),
        ("所在党支部", org.name),
        ("申请入党日期", _date(applicant.applied_on)),
        ("接收为预备党员日期", _date(applicant.admitted_on)),
        ("转为正式党员日期", _date(applicant.full_member_on)),
    ]
    return Section("基本情况", rows)


def _date(value: Any) -> str:
    return value.isoformat() if value else ""


def _manifest(
    applicant: Applicant,
    org: OrganizationRef,
    steps: list[ApplicantStep],
    forms: list[tuple[ApplicantForm, Form]],
    members: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "format": "zhibu.development-archive/1",
        "made_at": datetime.now(UTC).isoformat(),
        "applicant": {
            "id": str(applicant.id),
            "name": applicant.name,
            "organization": {"id": str(org.id), "name": org.name},
            "status": applicant.status,
            "applied_on": _date(applicant.applied_on),
            "admitted_on": _date(applicant.admitted_on),
            "full_member_on": _date(applicant.full_member_on),
            "member_id": str(applicant.member_id) if applicant.member_id else None,
        },
        "steps": [
            {
                "step": s.step,
                "code": STEP_BY_NUMBER[s.step].code,
                "occurred_on": s.occurred_on.isoformat(),
                "decision": s.decision,
                "documents": s.documents,
                "vote": s.vote,
                "opinion": s.opinion,
            }
            for s in steps
        ],
        "forms": [
            {
                "id": str(row.id),
                "kind": row.kind,
                "fields": row.fields,
                "scans": [str(scan) for scan in row.scans],
            }
            for row, _ in forms
        ],
        "files": members,
    }


def _digest(path: Path) -> tuple[int, str]:
    with path.open("rb") as handle:
        return path.stat().st_size, hashlib.file_digest(handle, "sha256").hexdigest()


def _write_zip(target: Path, files: list[tuple[str, Path]], manifest: dict[str, Any]) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, path in files:
            archive.write(path, name)
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))


async def make_zip(job: JobContext, storage: ObjectStorage, report: Progress) -> dict[str, Any]:
    """The archive of the job's file, stored under the job's id; its particulars."""
    applicant_id = uuid.UUID(job.params["applicant_id"])
    async with job.unit_of_work() as uow:
        record = await load_applicant(uow, applicant_id)
        applicant, org = record.applicant, record.organization
        report.tenant_id = applicant.tenant_id
        steps = await file_of(uow, applicant)
        rows = await forms_of(uow, applicant)
        cited = _cited(steps, rows)
        found = await evidence_files(uow, applicant.tenant_id, cited)
    forms = [(row, form_of(row)) for row in rows]
    scans = [found[i] for i in cited if i in found]
    await report.progress(0, len(scans) + 1)
    with tempfile.TemporaryDirectory(prefix="zhibu-archive-") as tmp:
        root = Path(tmp)
        entries: list[tuple[str, Path]] = []
        members: list[dict[str, Any]] = []
        for index, scan in enumerate(scans, start=1):
            name = _scan_path(index, scan)
            local = root / f"{index:03d}"
            await copy_evidence(storage, scan, local)
            entries.append((name, local))
            members.append(
                {
                    "path": name,
                    "evidence_id": str(scan.id),
                    "filename": scan.filename,
                    "content_type": scan.content_type,
                    "size_bytes": scan.size_bytes,
                    "sha256": scan.sha256,
                }
            )
            await report.progress(index)
        document = ArchiveDocument(
            title=f"{applicant.name} 发展党员档案",
            particulars=_particulars(applicant, org),
            steps=[
                (
                    str(s.step),
                    STEP_BY_NUMBER[s.step].zh,
                    s.occurred_on.isoformat(),
                    _DECISION_ZH.get(s.decision, s.decision),
                    s.opinion or "",
                )
                for s in steps
            ],
            forms=[_form_section(FormKind(row.kind), form) for row, form in forms],
            scans=[(m["path"], m["filename"], m["sha256"]) for m in members],
        )
        pdf = root / "archive.pdf"
        pdf.write_bytes(await offload(render_pdf, document))
        size, digest = await offload(_digest, pdf)
        entries.insert(0, ("档案.pdf", pdf))
        members.insert(
            0,
            {
                "path": "档案.pdf",
                "content_type": "application/pdf",
                "size_bytes": size,
                "sha256": digest,
            },
        )
        manifest = _manifest(applicant, org, steps, forms, members)
        zipped = root / "archive.zip"
        await offload(_write_zip, zipped, entries, manifest)
        size, digest = await offload(_digest, zipped)
        key = f"{applicant.tenant_id}/archives/{job.job_id}.zip"
        await storage.upload_from(zipped, key, content_type="application/zip")
    await report.progress(len(scans) + 1)
    return {
        "applicant_id": str(applicant_id),
        "key": key,
        "filename": f"{applicant.name}-发展党员档案.zip",
        "size_bytes": size,
        "sha256": digest,
        "files": len(members),
    }
