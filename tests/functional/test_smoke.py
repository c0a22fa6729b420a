from fastapi.testclient import TestClient

from dmp.container import Container
from dmp.shared.clock import FrozenClock
from support import api_tokens, bearer, seed_demo, web_login


def test_web_login_with_totp_reaches_home(
    client: TestClient, container: Container, clock: FrozenClock
) -> None:
    seed_demo(container)
    final = web_login(client, clock)
    assert final.headers["location"] == "/"
    home = client.get("/")
    assert "Bonjour Camille Martin" in home.text
    assert "Léo MARTIN" in home.text


def test_api_token_and_me(client: TestClient, container: Container, clock: FrozenClock) -> None:
    seed_demo(container)
    tokens = api_tokens(client, clock)
    me = client.get("/api/v1/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200, me.text
    assert me.json()["patient"]["ins"] == "285037505612306"
