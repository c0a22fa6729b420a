"""Settings refuse unsafe production configurations."""

from __future__ import annotations

import os
import string
from pathlib import Path

import pytest
from pydantic import ValidationError

from dmp.config import (
    ConfigurationError,
    EmailBackend,
    Environment,
    Settings,
    load_settings,
)

GOOD_SECRET = "Zq4Xk9Lm2Np7Rs3Tv8Wy1Bc6Df0Gh5Jk2Mn8Pq4s"


@pytest.fixture(autouse=True)
def _no_dmp_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("DMP_"):
            monkeypatch.delenv(name)


def production(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "production",
        "secret_key": GOOD_SECRET,
        "email_backend": "smtp",
        "sms_backend": "disabled",
        "dpo_contact_email": "dpo@sante.example.fr",
        "dpo_postal_address": "DPO, 10 rue de la République, 69001 Lyon",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def refusal(**overrides: object) -> str:
    with pytest.raises(ConfigurationError) as info:
        production(**overrides)
    message = str(info.value)
    assert message.startswith("refusing to start in production")
    return message


def test_proper_production_config_is_accepted() -> None:
    assert len(GOOD_SECRET) == 40
    settings = production()
    assert settings.environment is Environment.production
    assert settings.email_backend is EmailBackend.smtp
    assert settings.secret_key is not None
    assert settings.secret_key.get_secret_value() == GOOD_SECRET


def test_random_40_characters_accepted() -> None:
    import secrets

    secret = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(40))
    assert production(secret_key=secret).environment is Environment.production


def test_secret_is_not_shown_in_repr() -> None:
    settings = production()
    assert GOOD_SECRET not in repr(settings)
    assert GOOD_SECRET not in str(settings.model_dump())


def test_configuration_error_is_not_a_validation_error() -> None:
    assert issubclass(ConfigurationError, RuntimeError)
    assert not issubclass(ConfigurationError, ValidationError)


def test_refused_without_secret() -> None:
    assert "DMP_SECRET_KEY must be set" in refusal(secret_key=None)


def test_refused_with_dev_secret() -> None:
    message = refusal(secret_key="dev-" + "x" * 60)
    assert "development or placeholder" in message


@pytest.mark.parametrize("secret", ["changeme", "CHANGEME", "change-me", "secret", "password"])
def test_refused_with_placeholder(secret: str) -> None:
    assert "development or placeholder" in refusal(secret_key=secret)


@pytest.mark.parametrize("secret", ["short", "x" * 31, ""])
def test_refused_with_short_secret(secret: str) -> None:
    assert "at least 32 characters" in refusal(secret_key=secret)


def test_32_characters_is_enough() -> None:
    production(secret_key="k" * 32)


@pytest.mark.parametrize("backend", ["console", "memory"])
def test_refused_without_smtp(backend: str) -> None:
    assert "DMP_EMAIL_BACKEND must be 'smtp'" in refusal(email_backend=backend)


def test_default_email_backend_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="DMP_EMAIL_BACKEND"):
        Settings(environment="production", secret_key=GOOD_SECRET)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "overrides",
    [{"argon2_memory_kib": 19455}, {"argon2_time_cost": 1}],
)
def test_refused_with_weak_argon2(overrides: dict[str, int]) -> None:
    assert "argon2" in refusal(**overrides)


def test_argon2_owasp_minimum_accepted() -> None:
    production(argon2_memory_kib=19456, argon2_time_cost=2)


def test_every_problem_is_listed() -> None:
    message = refusal(secret_key=None, email_backend="console", argon2_time_cost=1)
    assert "DMP_SECRET_KEY" in message
    assert "DMP_EMAIL_BACKEND" in message
    assert "argon2" in message


def test_production_from_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DMP_ENVIRONMENT", "production")
    monkeypatch.setenv("DMP_EMAIL_BACKEND", "smtp")
    monkeypatch.setenv("DMP_SMS_BACKEND", "disabled")
    monkeypatch.setenv("DMP_DPO_CONTACT_EMAIL", "dpo@sante.example.fr")
    monkeypatch.setenv("DMP_DPO_POSTAL_ADDRESS", "DPO, 10 rue de la République, 69001 Lyon")
    with pytest.raises(ConfigurationError):
        load_settings()
    monkeypatch.setenv("DMP_SECRET_KEY", GOOD_SECRET)
    settings = load_settings()
    assert settings.environment is Environment.production


@pytest.mark.parametrize("environment", ["development", "test"])
def test_other_environments_are_permissive(environment: str) -> None:
    settings = Settings(environment=environment, secret_key="dev-x")  # type: ignore[arg-type]
    assert settings.email_backend is EmailBackend.console
    assert Settings(environment=environment).secret_key is None  # type: ignore[arg-type]


def test_defaults() -> None:
    settings = Settings()
    assert settings.environment is Environment.development
    assert settings.secret_key is None
    assert settings.port == 8000
    assert settings.default_language == "fr"


def test_resolved_database_url(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path).resolved_database_url == f"sqlite:///{tmp_path / 'dmp.db'}"
    url = "postgresql+psycopg://dmp@localhost/dmp"
    assert Settings(database_url=url).resolved_database_url == url


@pytest.mark.parametrize("port", [0, 65536])
def test_port_range(port: int) -> None:
    with pytest.raises(ValidationError):
        Settings(port=port)


@pytest.mark.parametrize("backend", ["console", "memory"])
def test_refused_with_a_console_sms_backend(backend: str) -> None:
    assert "DMP_SMS_BACKEND" in refusal(sms_backend=backend)


def test_sms_gateway_needs_its_url() -> None:
    with pytest.raises(ConfigurationError, match="DMP_SMS_HTTP_URL"):
        Settings(sms_backend="http")  # type: ignore[arg-type]
    accepted = production(sms_backend="http", sms_http_url="https://sms.example.test/send")
    assert accepted.sms_enabled
    assert not production().sms_enabled


def test_production_sms_gateway_must_use_https() -> None:
    assert "https" in refusal(sms_backend="http", sms_http_url="http://sms.example.test/send")


def test_language_is_checked() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        Settings(default_language="de")  # type: ignore[arg-type]


def test_production_needs_a_real_data_protection_officer() -> None:
    from dmp.config import DEMO_DPO_ADDRESS, DEMO_DPO_EMAIL

    assert "DMP_DPO_CONTACT_EMAIL" in refusal(dpo_contact_email=DEMO_DPO_EMAIL)
    assert "DMP_DPO_POSTAL_ADDRESS" in refusal(dpo_postal_address=DEMO_DPO_ADDRESS)


def test_production_public_address_is_https() -> None:
    assert "DMP_PUBLIC_URL" in refusal(public_url="http://dmp.example.fr")
    assert production(public_url="https://dmp.example.fr").public_base("http://10.0.0.5:8000/") == (
        "https://dmp.example.fr/"
    )
    assert Settings().public_base("http://127.0.0.1:8000/") == "http://127.0.0.1:8000/"
