"""The scopes catalogue (授权范围): what an API client may be given, as permissions.

A scope is a name third parties code against; it stands for permissions of the catalogue
in domain.tenancy, so the same Casbin policy decides for a client as for a person. A
client holds exactly the permissions of its scopes (within what the api_client role
allows), in its subtree only; sensitive fields (身份证号, phone) need their own scope.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from domain.integration.messages import MESSAGES
from domain.shared.errors import ErrorKind, FieldError, Message


@dataclass(frozen=True, slots=True)
class ApiScope:
    name: str
    permissions: tuple[str, ...]
    sensitive: bool = False

    @property
    def description(self) -> Message:
        return MESSAGES.message(f"scope:{self.name}")


SCOPES: dict[str, ApiScope] = {
    s.name: s
    for s in (
        ApiScope("organizations:read", ("tenant:read", "organization:read")),
        ApiScope("members:read", ("member:read",)),
        ApiScope("members:write", ("member:write",)),
        ApiScope("members:sensitive:read", ("member:read_sensitive",), sensitive=True),
        ApiScope("activities:read", ("activity:read", "checkin:read")),
        # A client has no member record of its own: the check-ins it writes are marked for
        # members (代签), as a secretary or a tenant administrator marks them.
        ApiScope("checkins:write", ("activity:read", "checkin:read", "checkin:manage")),
        ApiScope(
            "points:read",
            ("point_rule:read", "points:read", "point_award:read", "star_rating:read"),
        ),
        ApiScope("applicants:read", ("applicant:read",)),
        ApiScope("applicants:write", ("applicant:write", "applicant:record")),
        ApiScope("applicants:sensitive:read", ("applicant:read_sensitive",), sensitive=True),
        ApiScope("dues:read", ("dues:read",)),
        ApiScope("dues:write", ("dues:write",)),
        ApiScope("transfers:read", ("transfer:read",)),
        ApiScope("events:read", ("event:read",)),
        # Webhooks (issue 13 item 5): the client's own subscriptions, checked by name.
        ApiScope("webhooks:write", ()),
    )
}


def permissions_of(scopes: Iterable[str]) -> frozenset[str]:
    """The permission keys a set of scopes stands for."""
    return frozenset(p for name in scopes if name in SCOPES for p in SCOPES[name].permissions)


def check_scopes(
    requested: Sequence[str], holds: Callable[[str], bool], *, field: str = "scopes"
) -> tuple[str, ...]:
    """The scopes to register, sorted and without duplicates; refused when one is unknown
    (422) or stands for a permission the registering administrator does not hold there
    (`holds(permission)` false: 403, nobody hands out what they do not hold)."""
    errors: list[FieldError] = []
    if not requested:
        errors.append(MESSAGES.field(field, "api_scopes_empty", code="empty"))
    for index, name in enumerate(requested):
        if name not in SCOPES:
            errors.append(
                MESSAGES.field(f"{field}.{index}", "api_scope_unknown", code="unknown", scope=name)
            )
    if errors:
        raise MESSAGES.error("api_client_invalid", errors=errors)
    missing = [
        (index, name)
        for index, name in enumerate(requested)
        if not all(holds(p) for p in SCOPES[name].permissions)
    ]
    if missing:
        raise MESSAGES.error(
            "api_scope_escalation",
            ErrorKind.FORBIDDEN,
            errors=[
                MESSAGES.field(f"{field}.{index}", "api_scope_not_held", code="not_held")
                for index, _ in missing
            ],
            missing=", ".join(sorted({name for _, name in missing})),
        )
    return tuple(sorted(set(requested)))


def narrow(granted: Sequence[str], asked: str | None) -> tuple[str, ...] | None:
    """RFC 6749 §3.3: the scopes of a token asked with `scope` (space-separated), or
    all the client's when it asks none; None when it asks one it was not given."""
    if asked is None or not asked.strip():
        return tuple(granted)
    wanted = sorted(set(asked.split()))
    if not set(wanted) <= set(granted):
        return None
    return tuple(wanted)
