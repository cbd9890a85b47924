"""The Litestar application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from litestar import Litestar, Router
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme, Tag

from api import health
from api.activities import ROUTES as ACTIVITY_ROUTES
from api.activities import render_checkin
from api.admission import authenticate_first, strict_input
from api.audit_hooks import audit_denials
from api.context import provide_ctx
from api.errors import EXCEPTION_HANDLERS
from api.etag import etag_middleware
from api.evidence import ROUTES as EVIDENCE_ROUTES
from api.input_errors import CODES as FIELD_ERROR_CODES
from api.logs import redact_access_log
from api.members import ROUTES as MEMBER_ROUTES
from api.members.transfer import JOB_HANDLERS as MEMBER_JOB_HANDLERS
from api.members.transfer import ROUTES as MEMBER_TRANSFER_ROUTES
from api.middleware import request_id_middleware
from api.outage import OUTAGE_HANDLERS
from api.platform import ROUTES as PLATFORM_ROUTES
from api.ratelimit import STORE, rate_limit_middleware
from api.storage_routes import ROUTES as STORAGE_ROUTES
from api.tenancy import ROUTES as TENANCY_ROUTES
from api.times import ApiResponse
from infra import offload
from infra.activities.fast_checkin import CheckinDesk
from infra.authz import Authorizer, fetch_snapshot
from infra.db.bootstrap import conninfo_of
from infra.db.session import Database
from infra.evidence.sealing import sweep_late_uploads
from infra.evidence.service import sweep_abandoned
from infra.evidence.storage import open_storage
from infra.hashing import PASSWORD_HASHING, hashing_bounds
from infra.platform.jobs import JobHandler, JobRunner, Periodic
from infra.platform.relay import Relay, Subscription
from infra.rate_store import PostgresStore
from infra.security import AccessTokenVerifier
from infra.settings import Settings
from infra.tenancy.auth import sweep_throttle
from infra.tenancy.sessions import SessionLiveness

API_VERSION = "1.0.0"
# Background job handlers by kind; each bounded context adds its own.
JOB_HANDLERS: dict[str, JobHandler] = {**MEMBER_JOB_HANDLERS}
# Outbox handlers by stable name; each bounded context adds its own (points accrual first).
RELAY_HANDLERS: dict[str, Subscription] = {}
DESCRIPTION = """Zhibu（支部）机关党建多租户 API。

- 认证：`POST /api/v1/auth/login` 取得 Bearer 访问令牌。
- 错误：RFC 9457 `application/problem+json`，含稳定的 `code` 字段；
  `Accept-Language: en` 返回英文说明。
- 列表：游标分页（`limit`、`cursor`，响应中的 `next_cursor`）。
- 时间：请求中的时间须为带时区偏移的 RFC 3339 字符串（查询参数中的 `+` 须写作 `%2B`）；
  响应中的所有时间均为 RFC 3339，带 Asia/Shanghai 的 `+08:00` 偏移，如
  `2026-05-20T14:30:00+08:00`。Times in: RFC 3339 with an offset; out: always `+08:00`.
- 输入严格按本文档校验：字符串不当作数字或布尔值，未知字段、空白名称均被拒绝；
  400 的 `errors` 逐项给出字段路径（如 `items[3].occurred_at`）、`code` 与说明；`code` 取值：
  {FIELD_ERROR_CODES}。
- 需登录的操作先认证：未登录或令牌无效时一律 401，不读取请求内容。
- 租户隔离：每个请求只能看到调用者所在租户子树的数据（PostgreSQL 行级安全保证）。
""".replace("{FIELD_ERROR_CODES}", "、".join(f"`{code}`" for code in FIELD_ERROR_CODES))


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()
    redact_access_log()
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
        jobs = JobRunner(db)
        for kind, handler in JOB_HANDLERS.items():
            jobs.register(kind, handler)
        jobs.start()
        relay = Relay(db, conninfo_of(settings.app_database_url or ""))
        for name, subscription in RELAY_HANDLERS.items():
            relay.register(name, subscription)
        relay.start()
        app.state.tokens = AccessTokenVerifier(settings.secret_bytes("jwt_secret"))
        app.state.settings = settings
        app.state.db = db
        app.state.checkin_desk = CheckinDesk(
            db, secret=settings.secret_bytes("checkin_secret"), render=render_checkin
        )
        app.state.authz = authz
        app.state.sessions = sessions
        app.state.jobs = jobs
        app.state.storage = storage = await open_storage(settings)
        PASSWORD_HASHING.resize(*hashing_bounds(settings.workers, settings.hash_concurrency))
        await rate_store.open()
        rate_sweeper = Periodic("rate-limit sweep", 300, rate_store.delete_expired)
        rate_sweeper.start()
        throttle_sweeper = Periodic("login throttle sweep", 3600, lambda: sweep_throttle(db))
        throttle_sweeper.start()
        sweeper = Periodic(
            "evidence sweep",
            settings.evidence_sweep_minutes * 60,
            lambda: sweep_abandoned(db, storage, now=datetime.now(UTC)),
        )
        sweeper.start()
        late_sweeper = Periodic(
            "late upload sweep",
            settings.evidence_sweep_minutes * 60,
            lambda: sweep_late_uploads(db, storage, now=datetime.now(UTC)),
        )
        late_sweeper.start()
        try:
            yield
        finally:
            await late_sweeper.stop()
            await sweeper.stop()
            await rate_sweeper.stop()
            await throttle_sweeper.stop()
            await rate_store.close()
            await relay.stop()
            await jobs.stop()
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
            *MEMBER_TRANSFER_ROUTES,
            *ACTIVITY_ROUTES,
        ],
    )
    return Litestar(
        route_handlers=[api_v1, health.health, health.ready],
        dependencies={"ctx": Provide(provide_ctx)},
        guards=[authenticate_first, strict_input],
        response_class=ApiResponse,
        exception_handlers={**EXCEPTION_HANDLERS, **OUTAGE_HANDLERS},
        middleware=[request_id_middleware, *rate_limit_middleware(settings), etag_middleware],
        stores={STORE: rate_store},
        after_exception=[audit_denials],
        lifespan=[lifespan],
        request_max_body_size=settings.max_body_bytes,
        openapi_config=openapi_config(),
        logging_config=None,
        debug=False,
    )


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Zhibu 支部 API",
        version=API_VERSION,
        description=DESCRIPTION,
        path="/docs",
        render_plugins=[SwaggerRenderPlugin(path="/"), ScalarRenderPlugin(path="/scalar")],
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
            }
        ),
        security=[{"bearer": []}],
        tags=[
            Tag(name="认证 Auth", description="登录、刷新、当前用户"),
            Tag(name="租户 Tenants", description="省、市、县机关工委"),
            Tag(name="党组织 Organizations", description="党委、党总支、党支部、党小组"),
            Tag(name="用户 Users", description="登录账号"),
            Tag(name="党员 Members", description="党员信息：登记、查找、变更历史、敏感信息保护"),
            Tag(name="统计 Statistics", description="由业务记录实时汇总的统计，不需填报"),
            Tag(
                name="活动 Activities",
                description="三会一课、主题党日等组织生活：安排、应到人员、状态",
            ),
            Tag(name="签到 Check-in", description="扫码签到、代签、离线同步、请假、出勤与法定人数"),
            Tag(
                name="组织生活落实 Compliance",
                description="按频次推算的已开展、待开展、逾期，及子树汇总",
            ),
            Tag(name="角色 Roles", description="角色、权限目录与授权"),
            Tag(name="审计 Audit", description="只追加的审计日志"),
            Tag(name="后台任务 Jobs", description="导入等长任务的进度"),
            Tag(name="佐证材料 Evidence", description="会议记录、照片、签到表等活动佐证材料"),
            Tag(name="对象存储 Storage", description="本地存储的签名上传与下载（未配置 S3 时）"),
            Tag(name="运维 Operations", description="健康与就绪检查"),
        ],
        use_handler_docstrings=False,
    )


logging.getLogger("casbin").setLevel(logging.WARNING)
