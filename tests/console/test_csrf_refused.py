"""Changes without the session's CSRF token are refused with a page, and change nothing."""

from __future__ import annotations

import re

import requests
from sqlalchemy import select

from kiosk.console.models import Command
from tests.console.helpers import PASSWORD, Console


def test_change_without_token_refused(console: Console) -> None:
    console.add_user("op1", "operator")
    console.enrol("T-001")
    browser = console.login("op1")
    answer = browser.post("/terminals/T-001/commands", {"kind": "restart"}, csrf=False)
    assert answer.status_code == 403
    assert "请刷新页面后重试" in answer.text
    with console.sessions() as db:
        assert db.scalars(select(Command)).all() == []


def test_token_of_another_session_refused(console: Console) -> None:
    console.add_user("op1", "operator")
    console.add_user("op2", "operator")
    console.enrol("T-001")
    one, two = console.login("op1"), console.login("op2")
    assert one.csrf != two.csrf
    answer = one.http.post(f"{console.url}/terminals/T-001/commands",
                           data={"kind": "restart", "csrf_token": two.csrf}, timeout=10)
    assert answer.status_code == 403
    answer = one.http.post(f"{console.url}/terminals/T-001/commands",
                           data={"kind": "restart"}, headers={"X-CSRF-Token": "forged"},
                           timeout=10)
    assert answer.status_code == 403
    ok = one.post("/terminals/T-001/commands", {"kind": "restart"})
    assert ok.status_code == 200 and ok.url.endswith("/terminals/T-001")


def test_login_form_without_its_token_refused(console: Console) -> None:
    console.add_user("op1", "operator")
    http = requests.Session()
    answer = http.post(f"{console.url}/login", data={"username": "op1", "password": PASSWORD},
                       timeout=10)
    assert answer.status_code == 403
    assert "console_session" not in http.cookies
    page = http.get(f"{console.url}/login", timeout=10)
    token = re.search(r'name="login_csrf" value="([^"]+)"', page.text)
    assert token
    other = requests.Session()  # a cross-site form has the field but not the cookie
    answer = other.post(f"{console.url}/login", data={
        "username": "op1", "password": PASSWORD, "login_csrf": token.group(1)}, timeout=10)
    assert answer.status_code == 403


def test_session_cookie_is_httponly_and_strict(console: Console) -> None:
    console.add_user("op1", "operator")
    browser = console.login("op1")
    cookie = next(c for c in browser.http.cookies if c.name == "console_session")
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert cookie.get_nonstandard_attr("SameSite", "").lower() == "strict"


def test_pages_refuse_framing_and_caching(console: Console) -> None:
    console.add_user("op1", "operator")
    page = console.login("op1").get("/fleet")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "script-src" not in page.headers["Content-Security-Policy"]  # 'self' only
    assert page.headers["Cache-Control"] == "no-store"
    static = requests.get(f"{console.url}/static/console.css", timeout=10)
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")
