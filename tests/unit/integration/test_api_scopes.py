"""The scopes catalogue: registration within what the administrator holds, and narrowing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import get_args

import pytest

from api.integration.schemas import ScopeName
from domain.integration import (
    MAX_OVERLAP,
    SCOPES,
    ClientId,
    ClientSecret,
    check_scopes,
    narrow,
    overlap_end,
    permissions_of,
)
from domain.shared import DomainError, ErrorKind, new_id
from domain.tenancy import CATALOGUE, ShippedRole, role_permissions

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def test_every_scope_stands_for_catalogue_permissions_the_client_role_allows() -> None:
    allowed = set(role_permissions(ShippedRole.API_CLIENT))
    for scope in SCOPES.values():
        assert set(scope.permissions) <= set(CATALOGUE)
        assert set(scope.permissions) <= allowed, scope.name


def test_only_the_sensitive_scope_opens_the_sensitive_fields() -> None:
    opening = [s.name for s in SCOPES.values() if "member:read_sensitive" in s.permissions]
    assert opening == ["members:sensitive:read"]
    assert SCOPES["members:sensitive:read"].sensitive
    assert "member:read_sensitive" not in permissions_of(["members:read", "members:write"])


def test_the_documented_scope_names_are_the_catalogues() -> None:
    assert get_args(ScopeName) == tuple(SCOPES)


def test_scopes_are_sorted_and_deduplicated() -> None:
    held = check_scopes(["members:read", "organizations:read", "members:read"], lambda p: True)
    assert held == ("members:read", "organizations:read")


def test_an_unknown_or_missing_scope_is_refused_per_field() -> None:
    with pytest.raises(DomainError) as unknown:
        check_scopes(["members:read", "members:delete"], lambda p: True)
    assert unknown.value.kind is ErrorKind.INVALID
    assert [(e.field, e.code) for e in unknown.value.errors] == [("scopes.1", "unknown")]
    with pytest.raises(DomainError) as empty:
        check_scopes([], lambda p: True)
    assert [(e.field, e.code) for e in empty.value.errors] == [("scopes", "empty")]


def test_a_scope_beyond_what_the_registrar_holds_is_forbidden() -> None:
    holds = {"member:read", "tenant:read", "organization:read"}.__contains__
    with pytest.raises(DomainError) as refused:
        check_scopes(["members:read", "checkins:write", "members:write"], holds)
    assert refused.value.kind is ErrorKind.FORBIDDEN
    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("scopes.1", "not_held"),
        ("scopes.2", "not_held"),
    ]
    assert "checkins:write, members:write" in refused.value.message.en


def test_a_token_narrows_the_scopes_and_never_widens_them() -> None:
    granted = ("members:read", "organizations:read")
    assert narrow(granted, None) == granted
    assert narrow(granted, "  ") == granted
    assert narrow(granted, "members:read") == ("members:read",)
    assert narrow(granted, "members:read members:write") is None


def test_client_ids_and_secrets_read_back_and_refuse_anything_else() -> None:
    client = ClientId(new_id(), new_id())
    assert ClientId.parse(str(client)) == client
    secret = ClientSecret.new(new_id())
    assert ClientSecret.parse(str(secret)) == secret
    for bad in ("", "zbc", "zbc.x.y", f"zbs.{client.tenant_id.hex}.{client.id.hex}"):
        assert ClientId.parse(bad) is None
    for bad in ("", "zbs.x.y", f"zbs.{secret.id.hex}.", str(client)):
        assert ClientSecret.parse(bad) is None


def test_the_overlap_defaults_to_a_day_and_is_bounded() -> None:
    assert overlap_end(NOW, None) == NOW + timedelta(days=1)
    assert overlap_end(NOW, 0) == NOW
    assert overlap_end(NOW, int(MAX_OVERLAP.total_seconds())) == NOW + MAX_OVERLAP
    for seconds in (-1, int(MAX_OVERLAP.total_seconds()) + 1):
        with pytest.raises(DomainError) as refused:
            overlap_end(NOW, seconds)
        assert refused.value.errors[0].field == "overlap_seconds"
