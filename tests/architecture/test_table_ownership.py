"""Each context reads and writes only its own tables; others ask it through its public module.

Import contracts see Python imports but not SQL text, so this reads every SQL string and
`.sql` file of a context and fails when it names a table another context owns.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from sqlmodel import SQLModel

import api.app  # noqa: F401  (imports every context's tables)

ROOT = Path(__file__).resolve().parents[2]
CONTEXTS = (
    "tenancy",
    "members",
    "activities",
    "evidence",
    "platform",
    "integration",
    "points",
    "development",
    "dues",
    "transfers",
)
_TABLE_AFTER = re.compile(
    r"\b(?:from|join|into|update|table)\s+(?:only\s+)?\"?([a-z_][a-z0-9_]*)\"?", re.IGNORECASE
)


def _owners() -> dict[str, str]:
    owners = {}
    for table in SQLModel.metadata.sorted_tables:
        cls_module = next(
            m.class_.__module__
            for m in SQLModel._sa_registry.mappers  # type: ignore[attr-defined]
            if m.local_table is table
        )
        owners[table.name] = cls_module.split(".")[1]
    return owners


def _sql_texts(path: Path) -> Iterator[str]:
    if path.suffix == ".sql":
        yield path.read_text(encoding="utf-8")
        return
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value


def _crossings() -> set[tuple[str, str, str]]:
    owners = _owners()
    found = set()
    for context in CONTEXTS:
        for layer in ("api", "infra"):
            folder = ROOT / layer / context
            if not folder.is_dir():
                continue
            for path in sorted([*folder.rglob("*.py"), *folder.rglob("*.sql")]):
                for text in _sql_texts(path):
                    for table in _TABLE_AFTER.findall(text):
                        owner = owners.get(table.lower())
                        if owner is not None and owner != context:
                            found.add((context, path.relative_to(ROOT).as_posix(), table.lower()))
    return found


def test_every_table_has_one_owning_context() -> None:
    assert set(_owners().values()) <= set(CONTEXTS)


def test_no_context_names_another_contexts_tables() -> None:
    assert _crossings() == set(), "ask the owning context's public module"
