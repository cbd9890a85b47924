"""The Litestar application factory."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from litestar import Litestar, Router

from api import health
from api.activities import ROUTES as ACTIVITY_ROUTES
from api.activities import render_checkin
from api.admission import admission
from api.audit_hooks import audit_denials
from api.deps import DEPENDENCIES, resolve_dependencies_in_order
from api.development import ROUTES as DEVELOPMENT_ROUTES
from api.docs import StrictStructSchemas, assets_router, openapi_config
from api.dues import ROUTES as DUES_ROUTES
from api.errors import EXCEPTION_HANDLERS
from api.etag import etag_middleware
from api.evidence import ROUTES as EVIDENCE_ROUTES
from api.integration import ROUTES as INTEGRATION_ROUTES
from api.logs import redact_access_log
from api.members import ROUTES as MEMBER_ROUTES
from api.middleware import allow_middleware, request_id_middleware
from api.outage import OUTAGE_HANDLERS
from api.platform import ROUTES as PLATFORM_ROUTES
from api.points import ROUTES as POINTS_ROUTES
from api.ratelimit import STORE, rate_limit_middleware
from api.storage_routes import ROUTES as STORAGE_ROUTES
from api.tenancy import ROUTES as TENANCY_ROUTES
from api.times import ApiResponse
from api.transfers import ROUTES as TRANSFER_ROUTES
from infra import offload
from infra.activities import CheckinDesk
from infra.authz import Authorizer, fetch_snapshot
from infra.db.bootstrap import conninfo_of
from infra.db.session import Database
from infra.development import register_jobs as register_development_jobs
from infra.dues import open_payments, register_arrears_scan, register_queries
from infra.dues import register_jobs as register_dues_jobs
from infra.evidence import open_storage
from infra.evidence import register_relay_handlers as register_evidence_handlers
from infra.evidence import register_schedules as register_evidence_schedules
from infra.hashing import PASSWORD_HASHING, hashing_bounds
from infra.integration import ClientLiveness, DispatchConfig, WebhookDispatcher
from infra.members import register_jobs as register_member_jobs
from infra.platform.relay import Relay
from infra.platform.runner import JobRunner
from infra.points import register_jobs as register_points_jobs
from infra.points import register_relay_handlers as register_points_handlers
from infra.protection import FieldProtector
from infra.rate_store import PostgresStore
from infra.security import AccessTokenVerifier
from infra.settings import Settings
from infra.tenancy import SessionLiveness
from infra.tenancy import register_schedules as register_tenancy_schedules
from infra.transfers import register_schedules as register_transfer_schedules


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()
    redact_access_log()
    resolve_dependencies_in_order()
    if not settings.app_database_url:
        raise RuntimeError("APP_DATABASE_URL is not set; start through `python -m api.serve`")

    rate_store = PostgresStore(conninfo_of(settings.app_database_url))

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        offload.configure(settings.cpu_slots)
        db = Database(
            settings.app_database_url or "",
            pool_size=settings.db_pool_size,
            acquire_timeout=settings.db_acquire_timeout_seconds,
        )
        authz = Authorizer()

        async def snapshot() -> list[tuple[str, str, str, str]]:
            async with db.unit_of_work(None) as uow:
                return await fetch_snapshot(uow.session)

        await authz.start(conninfo_of(settings.app_database_url or ""), snapshot)
        sessions = SessionLiveness(db, ttl=settings.session_cache_seconds)
        await sessions.start(conninfo_of(settings.app_database_url or ""))
        clients = ClientLiveness(db, ttl=settings.session_cache_seconds)
        await clients.start(conninfo_of(settings.app_database_url or ""))
        app.state.tokens = AccessTokenVerifier(settings.secret_bytes("jwt_secret"))
        app.state.settings = settings
        app.state.protector = protector = FieldProtector.from_settings(settings)
        app.state.db = db
        app.state.checkin_desk = CheckinDesk(
            db, secret=settings.secret_bytes("checkin_secret"), render=render_checkin
        )
        app.state.authz = authz
        app.state.sessions = sessions
        app.state.clients = clients
        app.state.storage = storage = await open_storage(settings)
        PASSWORD_HASHING.resize(*hashing_bounds(settings.workers, settings.hash_concurrency))
        await rate_store.open()
        # Each context registers its job handlers and schedules; they get what they need.
        jobs = JobRunner(db, lease_seconds=settings.job_lease_seconds)
        register_member_jobs(jobs, settings, protector=protector)
        register_evidence_schedules(jobs, db=db, storage=storage, cron=settings.evidence_sweep_cron)
        register_tenancy_schedules(jobs, db=db)
        register_dues_jobs(jobs, db=db, cron=settings.dues_bills_cron)
        register_transfer_schedules(jobs, db=db, cron=settings.transfer_expiry_cron)
        register_development_jobs(
            jobs, db=db, storage=storage, reminders_cron=settings.development_reminders_cron
        )
        app.state.payment_providers = (payments := await open_payments(settings)).providers
        app.state.dues_sandbox = payments.sandbox
        register_queries(jobs, providers=payments.providers, scale=settings.dues_time_scale)
        register_arrears_scan(jobs, db=db, cron=settings.dues_arrears_cron)
        register_points_jobs(jobs)
        jobs.schedule("platform.sweep_rate_limits", "*/5 * * * *", _sweep(rate_store))
        await jobs.start(conninfo_of(settings.app_database_url or ""))
        app.state.jobs = jobs
        # Each context registers its outbox handlers, by stable names, likewise.
        relay = Relay(db, conninfo_of(settings.app_database_url or ""))
        register_evidence_handlers(relay, storage=storage)
        register_points_handlers(relay)
        relay.start()
        app.state.relay = relay
        webhooks = WebhookDispatcher(
            db,
            conninfo_of(settings.app_database_url or ""),
            protector=protector,
            config=DispatchConfig.from_settings(settings),
        )
        webhooks.start()
        app.state.webhooks = webhooks
        # What start-up built (routes, schemas, models, the policy) lives as long as the
        # worker. Kept out of the collector's generations, a full collection no longer walks
        # half a million objects, which stalled every request of the worker for 0.2–0.5 s.
        # (No collection first: start-up's little garbage is freed at shutdown.)
        gc.freeze()
        # And the young generation is collected at 20,000 new objects, not 700: the requests
        # a worker has in flight hold thousands at once, so the default collected over and
        # over and promoted them into older generations, to be walked again there. CPU per
        # check-in under bench.points_lag: 0.83 ms before, 0.79 after (session 12).
        thresholds = gc.get_threshold()
        gc.set_threshold(20_000, 20, 20)
        try:
            yield
        finally:
            gc.set_threshold(*thresholds)
            gc.unfreeze()
            await webhooks.stop()
            await relay.stop()
            await jobs.stop()
            await payments.sandbox.stop()
            await rate_store.close()
            await clients.stop()
            await sessions.stop()
            await authz.stop()
            await db.dispose()

    api_v1 = Router(
        path="/api/v1",
        route_handlers=[
            *TENANCY_ROUTES,
            *PLATFORM_ROUTES,
            *STORAGE_ROUTES,
            *EVIDENCE_ROUTES,
            *MEMBER_ROUTES,
            *ACTIVITY_ROUTES,
            *INTEGRATION_ROUTES,
            *POINTS_ROUTES,
            *DEVELOPMENT_ROUTES,
            *DUES_ROUTES,
            *TRANSFER_ROUTES,
        ],
    )
    return Litestar(
        route_handlers=[api_v1, health.health, health.ready, assets_router()],
        dependencies=DEPENDENCIES,
        before_request=admission(),
        response_class=ApiResponse,
        exception_handlers={**EXCEPTION_HANDLERS, **OUTAGE_HANDLERS},
        middleware=[
            request_id_middleware,
            rate_limit_middleware(settings, rate_store),
            etag_middleware,
            allow_middleware,
        ],
        stores={STORE: rate_store},
        after_exception=[audit_denials],
        lifespan=[lifespan],
        request_max_body_size=settings.max_body_bytes,
        openapi_config=openapi_config(),
        plugins=[StrictStructSchemas()],
        logging_config=None,
        debug=False,
    )


def _sweep(store: PostgresStore) -> Callable[[datetime], Awaitable[None]]:
    """Expired rate-limit counters go, once per slot across all workers."""

    async def sweep(_slot: datetime) -> None:
        await store.delete_expired()

    return sweep


logging.getLogger("casbin").setLevel(logging.WARNING)
