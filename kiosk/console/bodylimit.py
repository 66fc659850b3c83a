"""Refuse an oversized page form (a bundle upload included) before any of its body is read.

FastAPI parses a form body (and spools uploaded files to disk) before the route or its
dependencies run, so the limit has to sit in front of the app: this pure ASGI middleware
answers 413 when a POST/PUT/PATCH to a page (not /api/, which has its own smaller limit) declares
no length or a length over the limit. The server enforces the declared length, so a body cannot
be longer than it says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

#: Room for the form fields around an uploaded file.
FORM_OVERHEAD = 64 * 1024
_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


class BodyLimit:
    """Pure ASGI middleware: 413 (rendered by ``refuse``) for page bodies over ``limit``."""

    def __init__(self, app: Any, limit: int, refuse: Callable[[Request], Response]) -> None:
        self.app = app
        self.limit = limit + FORM_OVERHEAD
        self.refuse = refuse

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (scope["type"] == "http" and scope["method"] in _WITH_BODY
                and not scope["path"].startswith("/api/")):
            headers = dict(scope.get("headers") or [])
            length = headers.get(b"content-length", b"").decode("latin-1")
            if not length.isdigit() or int(length) > self.limit:
                response = self.refuse(Request(scope))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
