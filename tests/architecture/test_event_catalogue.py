"""Every event type the code writes to the outbox is in the event catalogue.

Reads the source, not a running system: the topics of every call of an `emit…` function
or `DomainEvent` (string literals, or module constants that hold one, whichever branch of
a conditional), and topics that SQL writes itself (`'x.y' AS topic`, `'topic', 'x.y'`).
A context that starts writing a new type fails here until `domain.integration.CATALOGUE`
documents it (one line there, beside its payload struct).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from domain.integration import CATALOGUE

ROOT = Path(__file__).resolve().parents[2]
TOPIC = re.compile(r"^[a-z_]+\.[a-z_]+$")
SQL_TOPICS = (
    re.compile(r"'([a-z_]+\.[a-z_]+)'\s+AS\s+topic", re.IGNORECASE),
    re.compile(r"'topic',\s*'([a-z_]+\.[a-z_]+)'"),
)


def _sources() -> Iterator[Path]:
    for package in ("api", "domain", "infra"):
        yield from (ROOT / package).rglob("*.py")


def _constants(trees: dict[Path, ast.Module]) -> dict[str, set[str]]:
    """Module-level `NAME = "x.y"` anywhere, by name (a name may mean several)."""
    found: dict[str, set[str]] = {}
    for tree in trees.values():
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                value = node.value.value
                if isinstance(value, str) and TOPIC.match(value):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            found.setdefault(target.id, set()).add(value)
    return found


def _called(node: ast.Call) -> str:
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    return name.lstrip("_")


def emitted_topics() -> dict[str, set[str]]:
    """Topic → the files that write it."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in _sources()}
    constants = _constants(trees)
    found: dict[str, set[str]] = {}
    for path, tree in trees.items():
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            if not (_called(node).startswith("emit") or _called(node) == "DomainEvent"):
                continue
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                for part in ast.walk(arg):
                    if isinstance(part, ast.Constant) and isinstance(part.value, str):
                        values = {part.value} if TOPIC.match(part.value) else set()
                    elif isinstance(part, ast.Name):
                        values = constants.get(part.id, set())
                    else:
                        continue
                    for value in values:
                        found.setdefault(value, set()).add(where)
    for path in [*_sources(), *(ROOT / "infra").rglob("*.sql")]:
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in SQL_TOPICS:
            for value in pattern.findall(text):
                found.setdefault(value, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_event_type_written_to_the_outbox_is_catalogued() -> None:
    found = emitted_topics()
    missing = {topic: sorted(files) for topic, files in found.items() if topic not in CATALOGUE}
    assert not missing, (
        f"written to the outbox but not in domain.integration.CATALOGUE: {missing}"
        " (add a payload struct and one line to the catalogue)"
    )


def test_the_scan_sees_the_known_writers() -> None:
    """The scan itself still works: types written in each of its ways are found."""
    found = emitted_topics()
    assert {
        "member.created",  # a literal passed positionally
        "checkin.recorded",  # a constant, through DomainEvent
        "points.awarded",  # a constant in a conditional
        "points.reversed",
        "evidence.attached",  # a literal keyword
        "webhook.disabled",
        "applicant.step_recorded",
        "dues.bills_generated",
    } <= set(found)
    assert "infra/members/import_writes.py" in found["member.created"]  # SQL's own
