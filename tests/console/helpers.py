"""Helpers for the console tests: make users and terminals, log in like a browser does."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from sqlalchemy.orm import Session, sessionmaker

from kiosk.console.db import utcnow
from kiosk.console.models import Terminal, User
from kiosk.console.passwords import hash_password
from kiosk.console.terminal_auth import hash_token, new_token

PASSWORD = "correct-horse-42"
_LOGIN_CSRF = re.compile(r'name="login_csrf" value="([^"]+)"')
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_HASHES: dict[str, str] = {}


@dataclass
class Console:
    """A running console under test."""

    url: str
    sessions: sessionmaker[Session]
    clock: Callable[[], Any]
    database_url: str
    #: The CA file browsers trust when the console serves HTTPS (tests/console/mtls.py).
    ca_file: str = ""

    def add_user(self, username: str, role: str, password: str = PASSWORD) -> None:
        """Create a user directly in the database (Argon2 hashes are cached per password:
        hashing is the slow part of these tests, and the salt does not matter here)."""
        if password not in _HASHES:
            _HASHES[password] = hash_password(password)
        with self.sessions() as db:
            db.add(User(username=username, display_name=username, role=role, active=True,
                        password_hash=_HASHES[password], created_at=utcnow()))
            db.commit()

    def enrol(self, terminal_id: str, district: str = "朝阳区",
              site: str = "望京街道便民服务中心", group: str = "") -> str:
        """Enrol a terminal directly; returns its token."""
        token = new_token()
        with self.sessions() as db:
            db.add(Terminal(id=terminal_id, district=district, site=site, group_name=group,
                            token_hash=hash_token(token), revoked=False, enrolled_at=utcnow(),
                            devices={}, last_update={}, app_version="", bundle_version="",
                            outbox_depth=0, sessions=0, ratings=0, out_of_service=False,
                            out_of_service_message=""))
            db.commit()
        return token

    def login(self, username: str, password: str = PASSWORD) -> Browser:
        """A requests session logged in through the login form."""
        session = requests.Session()
        if self.ca_file:
            session.verify = self.ca_file
            session.trust_env = False  # REQUESTS_CA_BUNDLE would replace `verify`
        browser = Browser(self.url, session)
        response = browser.login(username, password)
        assert response.url.endswith("/fleet"), response.text[:500]
        return browser


@dataclass
class Browser:
    """A requests session that behaves like the pages' forms (CSRF token included)."""

    base: str
    http: requests.Session
    csrf: str = ""

    def login(self, username: str, password: str) -> requests.Response:
        """Fill and send the login form."""
        page = self.http.get(f"{self.base}/login", timeout=10)
        token = _LOGIN_CSRF.search(page.text)
        assert token, page.text[:300]
        response = self.http.post(f"{self.base}/login", data={
            "username": username, "password": password, "login_csrf": token.group(1),
            "next": "/fleet"}, timeout=30)
        found = _CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        """GET a page."""
        return self.http.get(f"{self.base}{path}", timeout=10, **kwargs)

    def post(self, path: str, data: dict[str, str] | None = None, *, csrf: bool = True,
             **kwargs: Any) -> requests.Response:
        """POST a form, with the session's CSRF token unless `csrf` is False."""
        form = dict(data or {})
        if csrf:
            form["csrf_token"] = self.csrf
        return self.http.post(f"{self.base}{path}", data=form, timeout=30, **kwargs)
