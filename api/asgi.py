"""ASGI entry point for servers that import the app (one per worker process)."""

from __future__ import annotations

from litestar import Litestar

from api.app import create_app


def app_factory() -> Litestar:
    return create_app()
