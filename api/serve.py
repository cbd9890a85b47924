"""`make run`: prepare the database (embedded unless DATABASE_URL), seed, and serve."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
from types import FrameType
from typing import Any

import uvicorn

from infra.db.bootstrap import prepare
from infra.protection import FieldProtector
from infra.seed import first_start_notice, seed
from infra.settings import Settings


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    """SIGTERM ends the process like Ctrl-C does: through `exit`, so that the embedded
    PostgreSQL is stopped by its exit handler. (uvicorn shuts down gracefully on the
    signal, then raises it again; the default action would kill the process outright.)"""
    raise SystemExit(0)


def main() -> None:
    signal.signal(signal.SIGTERM, _exit_cleanly)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings()
    protector = FieldProtector.from_settings(settings)
    urls = prepare(
        database_url=settings.database_url,
        data_dir=settings.data_dir,
        app_password=settings.app_db_password_value,
        protector=protector,
    )
    admin_password = settings.admin_password.get_secret_value() if settings.admin_password else None
    notice = first_start_notice(
        seed(
            urls.admin, admin_password=admin_password, demo=settings.seed_demo, protector=protector
        )
    )
    os.environ.setdefault("APP_DATABASE_URL", urls.app)
    sys.stdout.write(f"  Zhibu serving on http://{settings.host}:{settings.port}  (docs: /docs)\n")
    if settings.mfa_required_for_admins:
        sys.stdout.write(
            "  管理员登录需动态验证码，首次登录时绑定 / administrators enrol a TOTP authenticator"
            " at first login (ZHIBU_MFA_REQUIRED_FOR_ADMINS=false turns this off)\n"
        )
    options: dict[str, Any] = {
        "factory": True,
        "host": settings.host,
        "port": settings.port,
        "log_level": "info",
        # The client address (rate limits, login throttling, audit) comes from
        # X-Forwarded-For only when the peer is one of the configured proxies.
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": settings.trusted_proxies or None,
    }
    if settings.workers > 1:
        # uvicorn starts each worker itself; the notice comes before their start-up lines
        _show(notice)
        uvicorn.run("api.asgi:app_factory", workers=settings.workers, **options)
        return
    server = _NoticeServer(uvicorn.Config("api.asgi:app_factory", **options), notice)
    # as uvicorn.run does: Ctrl-C ends the server quietly, a failed start exits non-zero
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        sys.exit(_STARTUP_FAILURE)


_STARTUP_FAILURE = 3  # uvicorn's exit status when the application did not start


def _show(notice: str | None) -> None:
    if notice:
        sys.stdout.write(notice)
        sys.stdout.flush()


class _NoticeServer(uvicorn.Server):
    """Shows the first-start notice once the server listens: the last lines at start,
    not line 75 among the database's initialisation output."""

    def __init__(self, config: uvicorn.Config, notice: str | None) -> None:
        super().__init__(config)
        self.notice = notice

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            _show(self.notice)


if __name__ == "__main__":
    main()
