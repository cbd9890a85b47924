"""Typed settings read from environment variables.

Secrets that a zero-setup start needs (JWT key, field-encryption keys, storage signing
key, the app database role's password) are generated once and kept under the data
directory, so `make run` works with no configuration and restarts keep sessions valid.
Production deployments set them explicitly.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

_GENERATED = (
    "jwt_secret",
    "storage_secret",
    "field_key",
    "blind_index_key",
    "checkin_secret",
    "app_db_password",
    "dues_sandbox_key",
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="", extra="ignore", case_sensitive=False, populate_by_name=True
    )

    data_dir: Path = Field(default=Path("var"), alias="ZHIBU_DATA_DIR")
    host: str = Field(default="127.0.0.1", alias="HOST")
    port: int = Field(default=8000, alias="PORT")
    workers: int = Field(default=1, alias="WORKERS")
    public_base_url: str | None = Field(default=None, alias="ZHIBU_PUBLIC_URL")

    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    app_database_url: str | None = Field(default=None, alias="APP_DATABASE_URL")
    db_pool_size: int = Field(default=10, alias="DB_POOL_SIZE")
    db_acquire_timeout_seconds: float = Field(
        default=3, gt=0, alias="ZHIBU_DB_ACQUIRE_TIMEOUT_SECONDS"
    )

    admin_password: SecretStr | None = Field(default=None, alias="ZHIBU_ADMIN_PASSWORD")
    seed_demo: bool = Field(default=True, alias="ZHIBU_SEED_DEMO")

    jwt_secret: SecretStr | None = Field(default=None, alias="ZHIBU_JWT_SECRET")
    access_token_minutes: int = Field(default=15, alias="ZHIBU_ACCESS_TOKEN_MINUTES")
    refresh_idle_minutes: int = Field(default=30, alias="ZHIBU_REFRESH_IDLE_MINUTES")
    refresh_absolute_hours: int = Field(default=12, alias="ZHIBU_REFRESH_ABSOLUTE_HOURS")
    # How long a worker trusts "this session is alive" without asking again; an ended
    # session is forgotten at once through NOTIFY, so this bounds a lost notification.
    session_cache_seconds: float = Field(default=1.5, ge=0, alias="ZHIBU_SESSION_CACHE_SECONDS")
    mfa_required_for_admins: bool = Field(default=True, alias="ZHIBU_MFA_REQUIRED_FOR_ADMINS")

    storage_secret: SecretStr | None = Field(default=None, alias="ZHIBU_STORAGE_SECRET")
    field_key: SecretStr | None = Field(default=None, alias="ZHIBU_FIELD_KEY")
    field_key_id: str = Field(default="k1", alias="ZHIBU_FIELD_KEY_ID")
    old_field_keys: str = Field(default="", alias="ZHIBU_OLD_FIELD_KEYS")
    blind_index_key: SecretStr | None = Field(default=None, alias="ZHIBU_BLIND_INDEX_KEY")
    checkin_secret: SecretStr | None = Field(default=None, alias="ZHIBU_CHECKIN_SECRET")
    app_db_password: SecretStr | None = Field(default=None, alias="ZHIBU_APP_DB_PASSWORD")
    # The sandbox payment provider's API v3 key (AES-256-GCM of its notifications).
    dues_sandbox_key: SecretStr | None = Field(default=None, alias="ZHIBU_DUES_SANDBOX_KEY")

    s3_endpoint: str | None = Field(default=None, alias="S3_ENDPOINT")
    s3_access_key: str | None = Field(default=None, alias="S3_ACCESS_KEY")
    s3_secret_key: SecretStr | None = Field(default=None, alias="S3_SECRET_KEY")
    s3_bucket: str = Field(default="zhibu-evidence", alias="S3_BUCKET")
    s3_region: str = Field(default="us-east-1", alias="S3_REGION")
    s3_secure: bool = Field(default=False, alias="S3_SECURE")
    s3_public_endpoint: str | None = Field(default=None, alias="S3_PUBLIC_ENDPOINT")

    hash_concurrency: int | None = Field(default=None, gt=0, alias="ZHIBU_HASH_CONCURRENCY")
    trusted_proxies: str = Field(default="", alias="ZHIBU_TRUSTED_PROXIES")
    auth_rate_per_minute: int = Field(default=30, gt=0, alias="ZHIBU_AUTH_RATE_PER_MINUTE")
    account_rate_per_minute: int = Field(default=100, gt=0, alias="ZHIBU_ACCOUNT_RATE_PER_MINUTE")
    user_rate_per_minute: int = Field(default=1200, gt=0, alias="ZHIBU_USER_RATE_PER_MINUTE")
    # API clients: each one, and all of one tenant's together (issue 13 item 3).
    client_rate_per_minute: int = Field(default=600, gt=0, alias="ZHIBU_CLIENT_RATE_PER_MINUTE")
    tenant_clients_rate_per_minute: int = Field(
        default=3000, gt=0, alias="ZHIBU_TENANT_CLIENTS_RATE_PER_MINUTE"
    )
    client_token_minutes: int = Field(default=15, gt=0, alias="ZHIBU_CLIENT_TOKEN_MINUTES")

    max_body_bytes: int = Field(default=2 * 1024 * 1024, alias="ZHIBU_MAX_BODY_BYTES")
    import_max_rows: int = Field(default=200_000, gt=0, alias="ZHIBU_IMPORT_MAX_ROWS")
    import_max_unpacked_mb: int = Field(default=256, gt=0, alias="ZHIBU_IMPORT_MAX_UNPACKED_MB")
    cpu_slots: int = Field(default=2, gt=0, alias="ZHIBU_CPU_SLOTS")
    # Cron expression of the evidence sweeps (once per slot across all workers).
    evidence_sweep_cron: str = Field(default="23 * * * *", alias="ZHIBU_EVIDENCE_SWEEP_CRON")
    # Cron expression (UTC) of the monthly dues bill run: 16:10 UTC on a month's last day is
    # 00:10 on the 1st in Beijing.
    dues_bills_cron: str = Field(default="10 16 L * *", alias="ZHIBU_DUES_BILLS_CRON")
    transfer_expiry_cron: str = Field(default="7 * * * *", alias="ZHIBU_TRANSFER_EXPIRY_CRON")
    # Cron expression (UTC) of the development deadline reminders: 00:05 UTC is 08:05 in
    # Beijing, before the working day begins.
    development_reminders_cron: str = Field(
        default="5 0 * * *", alias="ZHIBU_DEVELOPMENT_REMINDERS_CRON"
    )
    # An unpaid payment order expires (and its bills may be paid again) after this long.
    dues_payment_minutes: float = Field(default=30, gt=0, alias="ZHIBU_DUES_PAYMENT_MINUTES")
    # Multiplies the sandbox provider's callback retry schedule and our order queries'
    # (tests compress minutes into milliseconds).
    dues_time_scale: float = Field(default=1.0, gt=0, alias="ZHIBU_DUES_TIME_SCALE")
    # Cron expression (UTC) of the daily dues arrears scan: 00:40 in Beijing.
    dues_arrears_cron: str = Field(default="40 16 * * *", alias="ZHIBU_DUES_ARREARS_CRON")
    # A running job's lease: a job whose worker died is claimed again this long after its
    # last heartbeat (heartbeats come every third of it).
    job_lease_seconds: float = Field(default=60, gt=0, alias="ZHIBU_JOB_LEASE_SECONDS")
    # Webhooks (issue 13 item 5). Private, loopback and link-local receivers are refused
    # (SSRF) unless allowed here, e.g. for an intranet receiver or in tests.
    webhook_allow_private: bool = Field(default=False, alias="ZHIBU_WEBHOOK_ALLOW_PRIVATE")
    webhook_timeout_seconds: float = Field(default=10, gt=0, alias="ZHIBU_WEBHOOK_TIMEOUT_SECONDS")
    webhook_endpoint_concurrency: int = Field(
        default=4, gt=0, alias="ZHIBU_WEBHOOK_ENDPOINT_CONCURRENCY"
    )
    webhook_max_in_flight: int = Field(default=200, gt=0, alias="ZHIBU_WEBHOOK_MAX_IN_FLIGHT")
    # The retry schedule (5 s … 24 h) times this; tests compress it.
    webhook_retry_scale: float = Field(default=1.0, gt=0, alias="ZHIBU_WEBHOOK_RETRY_SCALE")
    # An endpoint is disabled after this many failed attempts in a row spanning this long.
    webhook_disable_after_failures: int = Field(
        default=100, gt=0, alias="ZHIBU_WEBHOOK_DISABLE_AFTER_FAILURES"
    )
    webhook_disable_after_seconds: float = Field(
        default=5 * 86400, ge=0, alias="ZHIBU_WEBHOOK_DISABLE_AFTER_SECONDS"
    )
    webhook_poll_seconds: float = Field(default=0.2, gt=0, alias="ZHIBU_WEBHOOK_POLL_SECONDS")

    @cached_property
    def secrets(self) -> dict[str, str]:
        """Explicit settings win; missing ones come from (or go to) data_dir/secrets.json."""
        path = self.data_dir / "secrets.json"
        stored: dict[str, str] = {}
        if path.exists():
            stored = json.loads(path.read_text())
        changed = False
        for name in _GENERATED:
            explicit = getattr(self, name)
            if explicit is not None:
                stored[name] = explicit.get_secret_value()
                continue
            if name not in stored:
                raw = secrets.token_bytes(32)
                stored[name] = (
                    secrets.token_urlsafe(24)
                    if name == "app_db_password"
                    else base64.b64encode(raw).decode()
                )
                changed = True
        if changed:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                json.dump(stored, fh)
            tmp.replace(path)
        return stored

    def secret_bytes(self, name: str) -> bytes:
        return base64.b64decode(self.secrets[name])

    @property
    def app_db_password_value(self) -> str:
        return self.secrets["app_db_password"]

    def public_url(self) -> str:
        return self.public_base_url or f"http://{self.host}:{self.port}"

    def dump_safe(self) -> dict[str, Any]:
        return self.model_dump(exclude={n for n in _GENERATED} | {"admin_password"})


def load_settings(**overrides: Any) -> Settings:
    return Settings(**overrides)
