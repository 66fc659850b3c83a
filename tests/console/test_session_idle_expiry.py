"""A session left idle past the timeout is over; a disabled user's session ends; logout ends
it on the server, not only in the browser."""

from __future__ import annotations

import requests

from kiosk.console.auth import IDLE_TIMEOUT_SECONDS
from tests.console.helpers import Console


def test_idle_session_expires(console: Console) -> None:
    console.add_user("op1", "operator")
    browser = console.login("op1")
    console.clock.advance(IDLE_TIMEOUT_SECONDS - 60)  # type: ignore[attr-defined]
    assert browser.get("/fleet").url.endswith("/fleet")  # use keeps it alive
    console.clock.advance(IDLE_TIMEOUT_SECONDS - 60)  # type: ignore[attr-defined]
    assert browser.get("/fleet").url.endswith("/fleet")
    console.clock.advance(IDLE_TIMEOUT_SECONDS + 1)  # type: ignore[attr-defined]
    expired = browser.get("/fleet")
    assert "/login" in expired.url
    live = browser.get("/fleet/table", headers={"HX-Request": "true"}, allow_redirects=False)
    assert live.status_code == 401 and live.headers["HX-Redirect"].startswith("/login")


def test_live_refresh_does_not_keep_a_session_alive(console: Console) -> None:
    console.add_user("op1", "operator")
    browser = console.login("op1")
    for _ in range(4):  # an open fleet page polls every few seconds, nobody at the desk
        console.clock.advance(IDLE_TIMEOUT_SECONDS / 4 - 1)  # type: ignore[attr-defined]
        assert browser.get("/fleet/table", headers={"HX-Request": "true"}).status_code == 200
    console.clock.advance(10)  # type: ignore[attr-defined]
    live = browser.get("/fleet/table", headers={"HX-Request": "true"}, allow_redirects=False)
    assert live.status_code == 401 and live.headers["HX-Redirect"].startswith("/login")


def test_disabled_user_is_out_at_once(console: Console) -> None:
    console.add_user("admin1", "admin")
    console.add_user("op1", "operator")
    admin = console.login("admin1")
    operator = console.login("op1")
    page = admin.get("/users").text
    user_id = page.split('/disable"')[0].rsplit("/users/", 1)[1]
    assert admin.post(f"/users/{user_id}/disable").status_code == 200
    assert "/login" in operator.get("/fleet").url


def test_logout_ends_the_session_on_the_server(console: Console) -> None:
    console.add_user("op1", "operator")
    browser = console.login("op1")
    stolen = browser.http.cookies.get("console_session")
    assert browser.post("/logout").url.endswith("/login")
    replay = requests.get(f"{console.url}/fleet", cookies={"console_session": stolen or ""},
                          timeout=10)
    assert "/login" in replay.url
