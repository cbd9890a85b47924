"""`make run`: prepare the database (embedded unless DATABASE_URL), seed, and serve."""

from __future__ import annotations

import logging
import os
import signal
import sys
from types import FrameType

import uvicorn

from infra.db.bootstrap import prepare
from infra.members.protect import FieldProtector
from infra.seed import announce, seed
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
    announce(
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
    uvicorn.run(
        "api.asgi:app_factory",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level="info",
        # The client address (rate limits, login throttling, audit) comes from
        # X-Forwarded-For only when the peer is one of the configured proxies.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
    )


if __name__ == "__main__":
    main()
