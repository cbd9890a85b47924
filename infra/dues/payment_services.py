"""The payment providers a worker runs with, built once by the composition root: today
the sandbox (its platform's side in PostgreSQL, shared by every worker, and its notifier)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.dues import PaymentProvider
from infra.db.bootstrap import conninfo_of
from infra.dues.providers.sandbox import SandboxPlatform, SandboxProvider
from infra.dues.providers.sandbox_callbacks import SandboxCallbacks
from infra.settings import Settings


@dataclass(frozen=True, slots=True)
class PaymentServices:
    providers: dict[str, PaymentProvider]
    sandbox: SandboxCallbacks


async def open_payments(settings: Settings) -> PaymentServices:
    platform = SandboxPlatform(
        settings.secret_bytes("dues_sandbox_key"), conninfo_of(settings.app_database_url or "")
    )
    await platform.open()
    sandbox = SandboxProvider(platform)
    return PaymentServices(
        providers={sandbox.name: sandbox},
        sandbox=SandboxCallbacks(platform, settings.public_url(), scale=settings.dues_time_scale),
    )
