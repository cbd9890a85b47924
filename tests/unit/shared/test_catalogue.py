"""Every user-facing sentence comes from a catalogue, and every code has one sentence."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import api.app  # noqa: F401  (imports every context, so every catalogue registers)
from domain.shared import Catalogue, ErrorKind, Message
from domain.shared.catalogue import every_message

ROOT = Path(__file__).resolve().parents[3]
CATALOGUE_MECHANISM = {"domain/shared/catalogue.py"}


def _writes_a_sentence(node: ast.AST) -> bool:
    """`Message("…", …)` with literal text; rebuilding one from stored values is not."""
    if not isinstance(node, ast.Call):
        return False
    if "Message" not in (getattr(node.func, "id", None), getattr(node.func, "attr", None)):
        return False
    values = [*node.args, *(k.value for k in node.keywords)]
    return any(
        isinstance(v, ast.JoinedStr) or (isinstance(v, ast.Constant) and isinstance(v.value, str))
        for v in values
    )


def _inline_sentences() -> set[str]:
    found = set()
    for layer in ("api", "domain", "infra"):
        for path in (ROOT / layer).rglob("*.py"):
            name = path.relative_to(ROOT).as_posix()
            if path.name == "messages.py" or "migrations" in path.parts:
                continue
            if name in CATALOGUE_MECHANISM:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if _writes_a_sentence(node):
                    found.add(name)
                    break
    return found


def test_sentences_are_written_only_in_catalogues() -> None:
    assert _inline_sentences() == set(), "write these sentences in a messages.py"


def test_every_sentence_has_both_languages() -> None:
    for code, (context, message) in every_message().items():
        assert message.zh.strip(), (context, code)
        assert message.en.strip(), (context, code)
        assert message.zh != message.en, (context, code)


def test_a_code_belongs_to_one_context() -> None:
    Catalogue("test-one", {"test_catalogue_code": Message("一", "one")})
    with pytest.raises(ValueError, match="test_catalogue_code"):
        Catalogue("test-two", {"test_catalogue_code": Message("二", "two")})


def test_templates_fill_both_languages_and_errors_carry_their_kind() -> None:
    catalogue = Catalogue(
        "test-three", {"test_row_refused": Message("第 {row} 行有误。", "Row {row} is wrong.")}
    )
    error = catalogue.error("test_row_refused", ErrorKind.CONFLICT, row=7)
    assert (error.code, error.kind) == ("test_row_refused", ErrorKind.CONFLICT)
    assert (error.message.zh, error.message.en) == ("第 7 行有误。", "Row 7 is wrong.")
    field = catalogue.field("items[6]", "test_row_refused", code="row_invalid", row=7)
    assert (field.field, field.code, field.message.en) == (
        "items[6]",
        "row_invalid",
        "Row 7 is wrong.",
    )
