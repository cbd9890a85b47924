"""The payment providers a worker runs with, built once by the composition root: today
the sandbox (its platform in this process, with its notifier)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.dues import PaymentProvider
from infra.dues.providers.sandbox import SandboxPlatform, SandboxProvider
from infra.dues.providers.sandbox_callbacks import SandboxCallbacks
from infra.settings import Settings


@dataclass(frozen=True, slots=True)
class PaymentServices:
    providers: dict[str, PaymentProvider]
    sandbox: SandboxCallbacks


def open_payments(settings: Settings) -> PaymentServices:
    platform = SandboxPlatform(settings.secret_bytes("dues_sandbox_key"))
    sandbox = SandboxProvider(platform)
    return PaymentServices(
        providers={sandbox.name: sandbox},
        sandbox=SandboxCallbacks(platform, settings.public_url(), scale=settings.dues_time_scale),
    )
