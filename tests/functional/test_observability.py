"""Health checks, metrics, request ids and security headers."""

from __future__ import annotations

import re
import uuid

from fastapi import FastAPI
from fastapi.testclient import TestClient
from helpers_dmp import login_totp
from sqlalchemy import select

from dmp import demo
from dmp.audit.orm import AuditEventRow
from dmp.container import Container
from dmp.shared.clock import FrozenClock
from dmp.shared.db import create_db_engine, transaction
from support import get_csrf, post_form, seed_demo

CSP_PARTS = (
    "default-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
)


def metric_lines(client: TestClient, name: str) -> list[str]:
    response = client.get("/metrics")
    assert response.status_code == 200
    return [line for line in response.text.splitlines() if line.startswith(name + "{")]


# --- Health --------------------------------------------------------------------------------


def test_liveness_and_readiness(client: TestClient) -> None:
    live = client.get("/healthz")
    assert live.status_code == 200
    assert live.json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok"}


def test_readiness_fails_when_the_database_is_unreachable(
    client: TestClient, container: Container
) -> None:
    good = container.engine
    bad = create_db_engine("sqlite:////nonexistent-dmp-dir/never/dmp.db")
    container.engine = bad
    try:
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json() == {"status": "unavailable", "database": "unreachable"}
        assert "nonexistent" not in ready.text  # no connection details leak
        assert client.get("/healthz").status_code == 200  # the process itself is alive
    finally:
        container.engine = good
        bad.dispose()
    assert client.get("/readyz").status_code == 200


def test_readiness_with_an_unreachable_postgresql(client: TestClient, container: Container) -> None:
    good = container.engine
    bad = create_db_engine(
        "postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2}
    )
    container.engine = bad
    try:
        assert client.get("/readyz").status_code == 503
    finally:
        container.engine = good
        bad.dispose()


# --- Metrics -------------------------------------------------------------------------------


def test_metrics_use_route_templates_not_raw_paths(
    client: TestClient, container: Container, clock: FrozenClock
) -> None:
    seed_demo(container)
    factor_id = str(uuid.uuid4())
    client.get(f"/account/second-factors/{factor_id}/remove")
    client.get(f"/help/secret-{factor_id[:8]}")
    client.get(f"/no/such/{factor_id}")
    client.get("/healthz")

    lines = metric_lines(client, "dmp_http_requests_total")
    text = "\n".join(lines)
    assert factor_id not in text
    assert factor_id[:8] not in text
    assert (
        'dmp_http_requests_total{method="GET",route="/account/second-factors/{factor_id}/remove",'
        'status="303"} 1.0'
    ) in text
    assert 'route="/help/{slug}",status="404"' in text
    assert 'route="unmatched",status="404"' in text
    assert 'dmp_http_requests_total{method="GET",route="/healthz",status="200"} 1.0' in text
    assert any(
        line.startswith("dmp_http_request_duration_seconds_count{")
        for line in client.get("/metrics").text.splitlines()
    )


def test_login_metrics_count_outcomes(
    client: TestClient, container: Container, clock: FrozenClock
) -> None:
    seed_demo(container)
    post_form(client, "/login", {"email": demo.CAMILLE.email, "password": "wrong"})
    login_totp(client, clock)
    text = "\n".join(metric_lines(client, "dmp_logins_total"))
    assert 'dmp_logins_total{outcome="failure",step="password"} 1.0' in text
    assert 'dmp_logins_total{outcome="success",step="password"} 1.0' in text
    assert 'dmp_logins_total{outcome="success",step="second-factor"} 1.0' in text
    # Metrics never carry who logged in.
    assert demo.CAMILLE.email not in client.get("/metrics").text


def test_metrics_content_type(client: TestClient) -> None:
    response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    assert "# TYPE dmp_http_requests_total counter" in response.text


# --- Request ids ---------------------------------------------------------------------------


def test_request_id_is_echoed_when_sent(client: TestClient) -> None:
    for path in ("/healthz", "/", "/api/unknown"):
        response = client.get(path, headers={"X-Request-ID": "req-2026.11_29"})
        assert response.headers["x-request-id"] == "req-2026.11_29"


def test_invalid_request_ids_are_replaced(client: TestClient) -> None:
    for sent in ("", "has space", "x" * 65, "semi;colon", 'quote"d', "<script>"):
        response = client.get("/healthz", headers={"X-Request-ID": sent})
        generated = response.headers["x-request-id"]
        assert generated != sent
        assert re.fullmatch(r"[0-9a-f]{32}", generated), sent


def test_request_id_is_generated_and_unique(client: TestClient) -> None:
    ids = {client.get("/healthz").headers["x-request-id"] for _ in range(5)}
    assert len(ids) == 5
    assert all(re.fullmatch(r"[0-9a-f]{32}", value) for value in ids)


def test_request_id_is_recorded_in_the_audit_trail(
    client: TestClient, container: Container
) -> None:
    token = get_csrf(client)
    client.post(
        "/login",
        data={"email": "x@demo.test", "password": "y", "csrf_token": token},
        headers={"X-Request-ID": "trace-me-1"},
    )
    with transaction(container.sessions) as session:
        rows = session.scalars(select(AuditEventRow.request_id)).all()
    assert rows == ["trace-me-1"]


# --- Security headers ----------------------------------------------------------------------


def test_security_headers(client: TestClient) -> None:
    for path in ("/", "/login", "/no/such/page", "/api/unknown", "/healthz", "/metrics"):
        headers = client.get(path).headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY", path
        assert headers["referrer-policy"] == "same-origin", path
        assert headers["cache-control"] == "no-store", path
        csp = headers["content-security-policy"]
        for part in CSP_PARTS:
            assert part in csp, path
        assert "unsafe-inline" not in csp
        assert "strict-transport-security" not in headers  # plain HTTP in the tests


def test_static_files_are_cacheable_but_still_protected(client: TestClient) -> None:
    page = client.get("/")
    match = re.search(r'href="(/static/css/dmp\.css\?v=[0-9a-f]+)"', page.text)
    assert match
    css = client.get(match.group(1))
    assert css.status_code == 200
    assert css.headers["x-content-type-options"] == "nosniff"
    assert css.headers.get("cache-control") != "no-store"
    assert client.get("/static/../pyproject.toml").status_code == 404


def test_https_adds_hsts_and_secure_cookies(app: FastAPI) -> None:
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as secure:
        response = secure.get("/login")
        assert response.headers["strict-transport-security"].startswith("max-age=")
        cookie = response.headers["set-cookie"]
        assert "secure" in cookie.lower()
        assert "httponly" in cookie.lower()
