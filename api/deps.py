"""The composition root's providers: a handler names the service it needs and gets it.

The lifespan in `api.app` builds each service once per worker and keeps it on the
application state; these providers hand them to handlers by parameter name, so a new
client (a payment provider, a notifier) is one more provider here, not another attribute
on the request context. Handlers annotate such parameters with the aliases below.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar._kwargs.cleanup import DependencyCleanupGroup
from litestar._kwargs.dependencies import resolve_dependency
from litestar._kwargs.kwargs_model import KwargsModel
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import Dependency

from api.context import provide_ctx
from domain.dues import PaymentProvider
from infra.activities import CheckinDesk
from infra.db.session import Database
from infra.members import count_members
from infra.protection import FieldProtector
from infra.settings import Settings
from infra.storage.port import ObjectStorage
from infra.tenancy import AuthService, MemberCounts, MfaService

_GIVEN = Dependency(skip_validation=True)
# What handlers annotate their parameters with: the provider made them, nothing to check.
AppSettings = Annotated[Settings, _GIVEN]
Db = Annotated[Database, _GIVEN]
Storage = Annotated[ObjectStorage, _GIVEN]
Desk = Annotated[CheckinDesk, _GIVEN]
Protector = Annotated[FieldProtector, _GIVEN]
MemberCount = Annotated[MemberCounts, _GIVEN]
Logins = Annotated[AuthService, _GIVEN]
SecondFactors = Annotated[MfaService, _GIVEN]
PaymentProviders = Annotated[dict[str, PaymentProvider], _GIVEN]


def _app_settings(state: State) -> Settings:
    return state.settings  # type: ignore[no-any-return]


def _db(state: State) -> Database:
    return state.db  # type: ignore[no-any-return]


def _storage(state: State) -> ObjectStorage:
    return state.storage  # type: ignore[no-any-return]


def _checkin_desk(state: State) -> CheckinDesk:
    return state.checkin_desk  # type: ignore[no-any-return]


def _protector(state: State) -> FieldProtector:
    return state.protector  # type: ignore[no-any-return]


def _payment_providers(state: State) -> dict[str, PaymentProvider]:
    return state.payment_providers  # type: ignore[no-any-return]


def _second_factors(state: State) -> MfaService:
    return MfaService(state.db, state.settings, state.protector)


def _logins(state: State) -> AuthService:
    return AuthService(state.db, state.settings, state.protector, _second_factors(state))


def _member_counts() -> MemberCounts:
    """Tenancy's structure warnings count members through the member registry's query."""
    return count_members


DEPENDENCIES = {
    "ctx": Provide(provide_ctx),
    "app_settings": Provide(_app_settings, sync_to_thread=False),
    "db": Provide(_db, sync_to_thread=False),
    "storage": Provide(_storage, sync_to_thread=False),
    "checkin_desk": Provide(_checkin_desk, sync_to_thread=False),
    "protector": Provide(_protector, sync_to_thread=False),
    "member_counts": Provide(_member_counts, sync_to_thread=False),
    "logins": Provide(_logins, sync_to_thread=False),
    "second_factors": Provide(_second_factors, sync_to_thread=False),
    "payment_providers": Provide(_payment_providers, sync_to_thread=False),
}


async def _resolve_in_order(
    self: KwargsModel, connection: ASGIConnection[Any, Any, Any, Any], kwargs: dict[str, Any]
) -> DependencyCleanupGroup:
    cleanup_group = DependencyCleanupGroup()
    for batch in self.dependency_batches:
        for dependency in batch:
            await resolve_dependency(dependency, connection, kwargs, cleanup_group)
    return cleanup_group


def resolve_dependencies_in_order() -> None:
    """Resolve a handler's dependencies one after another instead of in a task group.

    Litestar starts an anyio task group whenever a handler has two dependencies at the same
    level (litestar-org/litestar#4563). Ours are lookups that await no I/O worth overlapping
    (the caller, authenticated before the body is read, and per-worker services), so the task
    group was pure cost: about a fifth of the CPU of `GET /me`. Errors now propagate as the
    dependency raised them rather than wrapped in an exception group.
    """
    KwargsModel.resolve_dependencies = _resolve_in_order  # type: ignore[method-assign]
