"""The login page's `next` cannot send a person to another site after logging in."""

from __future__ import annotations

import re

import pytest
import requests

from tests.console.helpers import PASSWORD, Console


@pytest.mark.parametrize("target", ["//evil.example/x", "/\\evil.example", "https://evil.example",
                                    "javascript:alert(1)"])
def test_next_outside_the_console_goes_to_the_fleet(console: Console, target: str) -> None:
    console.add_user("op1", "operator")
    http = requests.Session()
    page = http.get(f"{console.url}/login", params={"next": target}, timeout=10)
    token = re.search(r'name="login_csrf" value="([^"]+)"', page.text)
    assert token
    answer = http.post(f"{console.url}/login", data={
        "username": "op1", "password": PASSWORD, "login_csrf": token.group(1), "next": target},
        allow_redirects=False, timeout=30)
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/fleet"
