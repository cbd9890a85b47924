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
    urls = prepare(
        database_url=settings.database_url,
        data_dir=settings.data_dir,
        app_password=settings.app_db_password_value,
    )
    admin_password = settings.admin_password.get_secret_value() if settings.admin_password else None
    protector = FieldProtector.from_settings(settings)
    announce(
        seed(
            urls.admin, admin_password=admin_password, demo=settings.seed_demo, protector=protector
        )
    )
    os.environ.setdefault("APP_DATABASE_URL", urls.app)
    sys.stdout.write(f"  Zhibu serving on http://{settings.host}:{settings.port}  (docs: /docs)\n")
    uvicorn.run(
        "api.asgi:app_factory",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level="info",
        proxy_headers=False,
    )


if __name__ == "__main__":
    main()
