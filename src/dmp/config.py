"""Settings, read from ``DMP_*`` environment variables.

Nothing here is built at import time: the CLI and the ASGI factory call :func:`load_settings`,
tests build :class:`Settings` directly.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(enum.StrEnum):
    development = "development"
    test = "test"
    production = "production"


class EmailBackend(enum.StrEnum):
    console = "console"
    smtp = "smtp"
    memory = "memory"


class SmsBackend(enum.StrEnum):
    console = "console"  # development: printed on the console
    memory = "memory"  # tests
    http = "http"  # any SMS gateway reachable by an authenticated JSON POST
    disabled = "disabled"  # no SMS: the option is not offered


DEV_SECRET_PREFIX = "dev-"  # noqa: S105 (a marker, not a secret)
# Values people paste from examples; refused outside development whatever their length.
PLACEHOLDER_SECRETS = frozenset({"changeme", "change-me", "secret", "changethis", "password"})


class ConfigurationError(RuntimeError):
    """Raised when the settings are unsafe or inconsistent for the chosen environment."""


# Demo values: fine for `make run`, refused in production (patients must reach a real person).
DEMO_DPO_EMAIL = "dpo@dmp.example"
DEMO_DPO_ADDRESS = "Délégué à la protection des données, dmp, 1 place de la Santé, 75000 Paris"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DMP_", extra="ignore")

    environment: Environment = Environment.development
    data_dir: Path = Path("var")
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    # Root secret; every purpose-specific key (token signing, field encryption…) is derived from it.
    # In development it is created in ``<data_dir>/keys/secret.key`` (mode 0600) when absent.
    secret_key: SecretStr | None = None
    # Key-encryption keys for document data keys (see dmp.storage.keys): JSON in DMP_KEYRING,
    # or a file in DMP_KEYRING_FILE; development creates <data_dir>/keys/keyring.json.
    keyring: SecretStr | None = None
    keyring_file: Path | None = None
    blob_dir: Path | None = None  # default <data_dir>/blobs
    max_document_mb: int = Field(default=20, ge=1, le=1024)

    # DMP rules (DOMAIN.md §1); the defaults are the legal ones.
    emergency_access_hours: int = Field(default=4, ge=1, le=72)
    # Whether bris de glace and regulation-centre access see documents masked by the holder
    # (not settled by the sources, DOMAIN.md §10 item 3): off by default.
    emergency_sees_masked: bool = False
    announcement_notice_days: int = Field(default=14, ge=1)  # "update" notice to the patient
    invisible_to_patient_days: int = Field(default=30, ge=1)  # then visible automatically
    vaccination_reminder_days: int = Field(default=30, ge=1)  # remind this long before a dose
    # Remind the author of their directives anticipées this long after signing (R1111-19).
    directives_reminder_days: int = Field(default=365, ge=1)
    retention_years_after_closure: int = Field(default=10, ge=1)
    deletion_request_days: int = Field(default=90, ge=1, le=92)  # "within 3 months"
    # Whom people write to about their data (GDPR art. 37-39), shown on the "Mes droits" page.
    dpo_contact_email: str = DEMO_DPO_EMAIL
    dpo_postal_address: str = DEMO_DPO_ADDRESS
    # The address people reach the service at (https://dmp.example.fr): printed in QR codes and
    # invitation links. Unset: the address of the request (right behind a declared proxy only).
    public_url: str | None = None
    # Legal representatives' access ends at this age (the DMP's ``ageMajorite`` parameter);
    # the young adult is invited to activate their own space.
    age_of_majority: int = Field(default=18, ge=1, le=25)

    default_language: Literal["fr", "en"] = "fr"
    # Secure cookies: None follows the request scheme (https → Secure). Set true behind a
    # TLS-terminating proxy that does not forward the scheme.
    cookie_secure: bool | None = None
    # Addresses of reverse proxies trusted for X-Forwarded-For/-Proto (uvicorn's option).
    forwarded_allow_ips: str | None = None

    session_idle_minutes: int = Field(default=30, ge=1)
    session_absolute_hours: int = Field(default=12, ge=1)
    access_token_seconds: int = Field(default=900, ge=30, le=3600)
    refresh_token_days: int = Field(default=30, ge=1)
    activation_code_days: int = Field(default=42, ge=1)
    otp_validity_minutes: int = Field(default=10, ge=1)

    # Lockout: after ``lockout_threshold`` failures on one identifier, refuse for
    # ``lockout_minutes`` (doubling on each further lock, capped at a day).
    lockout_threshold: int = Field(default=5, ge=1)
    lockout_minutes: int = Field(default=15, ge=1)
    # Rate limit per client address, all identifiers together.
    ip_rate_limit: int = Field(default=60, ge=1)
    ip_rate_window_minutes: int = Field(default=5, ge=1)

    # argon2id parameters (RFC 9106 second recommended option by default). Tests lower them.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=2, ge=1)

    email_backend: EmailBackend = EmailBackend.console
    email_from: str = "dmp <no-reply@dmp.localhost>"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    sms_backend: SmsBackend = SmsBackend.console
    sms_http_url: str | None = None
    sms_http_token: SecretStr | None = None
    sms_sender_id: str = "dmp"

    log_level: str = "INFO"
    log_json: bool = True
    docs_dir: Path | None = None

    def public_base(self, request_base: str) -> str:
        """The base of links printed or sent to people, ending with a slash."""
        return (self.public_url or request_base).rstrip("/") + "/"

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment is not Environment.production:
            return self
        problems: list[str] = []
        if self.secret_key is None:
            problems.append("DMP_SECRET_KEY must be set")
        else:
            value = self.secret_key.get_secret_value()
            if value.startswith(DEV_SECRET_PREFIX) or value.lower() in PLACEHOLDER_SECRETS:
                problems.append("DMP_SECRET_KEY is a development or placeholder value")
            elif len(value) < 32:
                problems.append("DMP_SECRET_KEY must be at least 32 characters")
        if self.email_backend is not EmailBackend.smtp:
            problems.append("DMP_EMAIL_BACKEND must be 'smtp' (one-time codes must reach people)")
        if self.sms_backend is SmsBackend.http and not (self.sms_http_url or "").startswith(
            "https://"
        ):
            problems.append("DMP_SMS_HTTP_URL must use https (the gateway token travels with it)")
        if self.sms_backend in (SmsBackend.console, SmsBackend.memory):
            problems.append(
                "DMP_SMS_BACKEND must be 'http' or 'disabled' (console codes reach no one)"
            )
        if self.dpo_contact_email == DEMO_DPO_EMAIL or self.dpo_postal_address == DEMO_DPO_ADDRESS:
            problems.append(
                "DMP_DPO_CONTACT_EMAIL and DMP_DPO_POSTAL_ADDRESS must name the real data"
                " protection officer (shown to patients on « Mes droits »)"
            )
        if self.public_url is not None and not self.public_url.startswith("https://"):
            problems.append("DMP_PUBLIC_URL must use https (it is printed on cards and links)")
        if self.argon2_memory_kib < 19456 or self.argon2_time_cost < 2:
            problems.append("argon2 parameters are below the OWASP minimum (19 MiB, t=2)")
        if problems:
            raise ConfigurationError("refusing to start in production: " + "; ".join(problems))
        return self

    @model_validator(mode="after")
    def _sms_gateway_configured(self) -> Settings:
        if self.sms_backend is SmsBackend.http and not (self.sms_http_url or "").startswith(
            ("https://", "http://")
        ):
            raise ConfigurationError("DMP_SMS_BACKEND=http needs an http(s) DMP_SMS_HTTP_URL")
        return self

    @property
    def sms_enabled(self) -> bool:
        return self.sms_backend is not SmsBackend.disabled

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            # psycopg 3 is the PostgreSQL driver we ship; plain postgresql:// would mean psycopg2.
            for prefix in ("postgresql://", "postgres://"):
                if self.database_url.startswith(prefix):
                    return "postgresql+psycopg://" + self.database_url[len(prefix) :]
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'dmp.db').resolve()}"


def load_settings() -> Settings:
    return Settings()
