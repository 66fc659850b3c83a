"""Guessing passwords: five wrong ones lock the name for 30 s, the next lockout for 60 s, the
right password does not get through during a lockout, and unknown names behave the same."""

from __future__ import annotations

import pytest
import requests

from tests.console.helpers import PASSWORD, Browser, Console


def _try(console: Console, username: str, password: str) -> requests.Response:
    return Browser(console.url, requests.Session()).login(username, password)


@pytest.mark.slow
def test_lockout_grows_and_resets(console: Console) -> None:
    console.add_user("op1", "operator")
    for _ in range(4):
        answer = _try(console, "op1", "wrong-password-1")
        assert answer.status_code == 401
        assert "用户名或密码不正确" in answer.text
    locked = _try(console, "op1", "wrong-password-1")
    assert locked.status_code == 429
    assert "30 秒后再试" in locked.text
    right_but_locked = _try(console, "op1", PASSWORD)
    assert right_but_locked.status_code == 429
    assert "/fleet" not in right_but_locked.url

    console.clock.advance(31)  # type: ignore[attr-defined]
    for _ in range(4):
        assert _try(console, "op1", "wrong-password-2").status_code == 401
    second = _try(console, "op1", "wrong-password-2")
    assert second.status_code == 429 and "60 秒后再试" in second.text

    console.clock.advance(61)  # type: ignore[attr-defined]
    assert _try(console, "op1", PASSWORD).url.endswith("/fleet")
    # a right password reset the counters: four wrong ones do not lock again
    for _ in range(4):
        assert _try(console, "op1", "wrong-password-3").status_code == 401
    assert _try(console, "op1", PASSWORD).url.endswith("/fleet")


def test_unknown_name_is_throttled_like_a_known_one(console: Console) -> None:
    answers = [_try(console, "nobody", "whatever-123") for _ in range(5)]
    assert [a.status_code for a in answers] == [401, 401, 401, 401, 429]
    assert "用户名或密码不正确" in answers[0].text


def test_failed_logins_are_in_the_audit_log(console: Console) -> None:
    console.add_user("admin1", "admin")
    _try(console, "admin1", "wrong-password-1")
    page = console.login("admin1").get("/audit")
    assert "login_failed" in page.text
    assert "wrong-password-1" not in page.text
