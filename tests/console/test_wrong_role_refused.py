"""Every route names the permission it needs, and a role without it gets a 403 page in Chinese
(nothing changes); someone not logged in is sent to the login page."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from sqlalchemy import select

from kiosk.console.models import Command, User
from kiosk.console.roles import GRANTS, Permission, Role
from kiosk.console.routes import (
    admin,
    api,
    diagnostics_pages,
    fleet_pages,
    login,
    notifications,
    preview,
    releases,
    rollout,
    stats_pages,
    video_pages,
)
from tests.console.helpers import Console

PUBLIC = {("GET", "/"), ("GET", "/login"), ("POST", "/login")}


def _permissions(dependant: Any) -> list[object]:
    found = []
    for sub in dependant.dependencies:
        if hasattr(sub.call, "permission"):
            found.append(sub.call.permission)
        found.extend(_permissions(sub))
    return found


def test_every_route_names_a_permission() -> None:
    missing = []
    for module in (login, fleet_pages, admin, notifications, releases, rollout, stats_pages,
                   api, diagnostics_pages, video_pages, preview):
        for route in module.router.routes:
            for method in route.methods:  # type: ignore[attr-defined]
                key = (method, route.path)  # type: ignore[attr-defined]
                perms = _permissions(route.dependant)  # type: ignore[attr-defined]
                if key in PUBLIC:
                    assert getattr(route.endpoint, "permission", None) == "public", key  # type: ignore[attr-defined]
                elif not perms:
                    missing.append(key)
    assert not missing, f"routes without a permission: {missing}"
    assert api.terminal_api.permission == "terminal"  # type: ignore[attr-defined]
    assert all(any(getattr(d.dependency, "permission", None) == "terminal"
                   for d in route.dependencies)  # type: ignore[attr-defined]
               for route in api.router.routes)


#: (method, path, form, permission it needs)
ACTIONS = [
    ("GET", "/fleet", None, Permission.VIEW_FLEET),
    ("GET", "/alerts", None, Permission.VIEW_FLEET),
    ("POST", "/terminals/T-001/commands", {"kind": "restart"}, Permission.OPERATE),
    ("GET", "/audit", None, Permission.READ_AUDIT),
    ("GET", "/audit.csv", None, Permission.EXPORT_AUDIT),
    ("GET", "/users", None, Permission.MANAGE_USERS),
    ("POST", "/users", {"username": "new1", "role": "admin", "password": "pass-word-123"},
     Permission.MANAGE_USERS),
    ("GET", "/enrol", None, Permission.ENROL),
    ("POST", "/enrol", {"terminal_id": "T-999", "district": "东城区", "site": "某网点"},
     Permission.ENROL),
    ("POST", "/enrol/T-001/revoke", {}, Permission.ENROL),
    ("GET", "/notifications", None, Permission.MANAGE_NOTIFY),
    ("POST", "/notifications/webhooks", {"name": "x", "kind": "wecom",
                                         "url": "https://example.invalid/hook"},
     Permission.MANAGE_NOTIFY),
    ("GET", "/releases", None, Permission.VIEW_RELEASES),
    ("POST", "/signing-key", {"passphrase": "a-long-passphrase-1",
                              "confirm": "a-long-passphrase-1"}, Permission.SIGN_RELEASE),
    ("POST", "/releases/two-person", {}, Permission.UPLOAD_RELEASE),
    ("GET", "/groups", None, Permission.VIEW_RELEASES),
    ("POST", "/groups", {"terminal_id": "T-001", "groups": "pilot"}, Permission.MANAGE_ROLLOUT),
    ("GET", "/stats", None, Permission.VIEW_STATS),
    ("GET", "/stats.csv", None, Permission.VIEW_STATS),
    ("GET", "/video", None, Permission.HELP_VIDEO),
    ("GET", "/video/records", None, Permission.VIEW_HELP_RECORDS),
]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.APPROVER, Role.OPERATOR, Role.HELPER])
def test_roles_see_and_do_only_what_they_hold(console: Console, role: Role) -> None:
    console.add_user("someone", role.value)
    console.enrol("T-001")
    browser = console.login("someone")
    for method, path, form, permission in ACTIONS:
        answer = browser.get(path) if method == "GET" else browser.post(path, form)
        if permission in GRANTS[role]:
            assert answer.status_code == 200, (role, path, answer.text[:300])
        else:
            assert answer.status_code == 403, (role, path)
            assert "您的角色没有执行此操作的权限" in answer.text
    with console.sessions() as db:
        commands = db.scalars(select(Command)).all()
        assert len(commands) == (1 if Permission.OPERATE in GRANTS[role] else 0)
        assert db.scalar(select(User).where(User.username == "new1")) is None
        assert not db.scalars(select(Command).where(Command.created_by != "someone")).all()


def test_menu_shows_only_what_the_role_may_open(console: Console) -> None:
    console.add_user("viewer1", "viewer")
    console.add_user("admin1", "admin")
    viewer_page = console.login("viewer1").get("/fleet").text
    admin_page = console.login("admin1").get("/fleet").text
    for link in ('href="/audit"', 'href="/users"', 'href="/enrol"', 'href="/notifications"'):
        assert link not in viewer_page
        assert link in admin_page
    assert "观察员" in viewer_page and "管理员" in admin_page
    assert 'href="/video"' not in viewer_page and 'href="/video/records"' in viewer_page
    console.add_user("helper1", "helper")
    helper_page = console.login("helper1").get("/fleet").text
    assert 'href="/video"' in helper_page and "帮办坐席" in helper_page
    assert 'href="/stats"' not in helper_page and 'href="/users"' not in helper_page


@pytest.mark.parametrize("path", ["/fleet", "/alerts", "/audit", "/terminals/T-001"])
def test_not_logged_in_goes_to_login(console: Console, path: str) -> None:
    answer = requests.get(f"{console.url}{path}", timeout=10)
    assert answer.url.startswith(f"{console.url}/login")
    assert "登录" in answer.text
    refused = requests.post(f"{console.url}/terminals/T-001/commands", data={"kind": "restart"},
                            timeout=10)
    assert refused.status_code == 401 and "重新登录" in refused.text
