"""The import's request and its answer: options, who imports, and the report row by row."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from domain.shared import FieldError
from infra.platform.job_reports import ReportError, ReportRow

Mode = Literal["all", "partial"]
Progress = Callable[[int, int], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class ImportOptions:
    mode: Mode = "all"
    dry_run: bool = False
    default_organization: uuid.UUID | str | None = None  # by id, or by name (the CLI)
    filename: str | None = None


@dataclass(frozen=True, slots=True)
class ImportActor:
    """Who the history rows and the audit event name."""

    user_id: uuid.UUID | None
    name: str | None
    tenant_id: uuid.UUID


@dataclass(slots=True)
class RowOutcome:
    row: int
    action: Literal["create", "update", "unchanged", "refused"]
    name: str | None = None
    organization: str | None = None
    errors: tuple[FieldError, ...] = ()


@dataclass(slots=True)
class ImportReport:
    dry_run: bool
    mode: Mode
    committed: bool = False
    outcomes: list[RowOutcome] = field(default_factory=list)
    unknown_columns: tuple[str, ...] = ()

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    def counts(self) -> dict[str, int]:
        """Rows written count as created/updated; when nothing was written (a dry run, or
        all-or-nothing with a refused row) the same rows count as would_create/would_update."""
        creates, updates = self.count("create"), self.count("update")
        return {
            "total": len(self.outcomes),
            "created": creates if self.committed else 0,
            "updated": updates if self.committed else 0,
            "would_create": 0 if self.committed else creates,
            "would_update": 0 if self.committed else updates,
            "unchanged": self.count("unchanged"),
            "refused": self.count("refused"),
        }

    def summary(self) -> dict[str, Any]:
        """The counts without the rows (a job keeps those in its row report)."""
        return {
            "dry_run": self.dry_run,
            "mode": self.mode,
            "committed": self.committed,
            **self.counts(),
            "unknown_columns": list(self.unknown_columns),
        }

    def report_rows(self) -> list[ReportRow]:
        """The rows a report lists: the refused ones, and every row of a dry run."""
        return [
            ReportRow(
                o.row,
                o.action,
                o.name,
                o.organization,
                tuple(ReportError(e.field, e.code, e.message) for e in o.errors),
            )
            for o in self.outcomes
            if self.dry_run or o.action == "refused"
        ]

    def as_dict(self, lang: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            **self.summary(),
            "refused_rows": [
                {
                    "row": o.row,
                    "name": o.name,
                    "errors": [
                        {"field": e.field, "code": e.code, "message": e.message.pick(lang)}
                        for e in o.errors
                    ],
                }
                for o in self.outcomes
                if o.action == "refused"
            ],
        }
        if self.dry_run:
            body["rows"] = [
                {"row": o.row, "action": o.action, "name": o.name, "organization": o.organization}
                for o in self.outcomes
            ]
        return body
