"""The console's application factory: routes, templates, static files, error pages.

`create_app(settings)` opens (and migrates) the database and returns a FastAPI app; nothing is
kept in process memory that another console process would need, so several processes can serve
one PostgreSQL database behind a load balancer, except the 视频帮办 hub's live sockets
(kiosk/console/video/hub.py; one process runs it: docs/adr/0751).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kiosk.console import audit, delivery, fleet, notify, roles
from kiosk.console.bodylimit import BodyLimit
from kiosk.console.db import as_utc, open_database, utcnow
from kiosk.console.routes import (
    admin,
    api,
    deps,
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
from kiosk.console.settings import ConsoleSettings
from kiosk.console.terminal_auth import BearerTokenIdentity, Refusal, TerminalIdentity
from kiosk.console.video import sockets as video_sockets
from kiosk.console.video.hub import Hub as VideoHub
from kiosk.console.video.relay import Relay as VideoRelay

log = logging.getLogger(__name__)
PACKAGE_DIR = Path(__file__).resolve().parent


def make_templates() -> Jinja2Templates:
    """The Jinja2 environment with the console's filters (autoescaping on)."""
    templates = Jinja2Templates(directory=str(PACKAGE_DIR / "templates"))
    env = templates.env
    env.globals.update(status_labels=fleet.STATUS_LABELS, alert_labels=fleet.ALERT_LABELS,
                       device_labels=fleet.DEVICE_STATE_LABELS, supply_labels=fleet.SUPPLY_LABELS,
                       command_labels=fleet.COMMAND_LABELS,
                       command_state_labels=fleet.COMMAND_STATE_LABELS,
                       role_label=roles.label, role_labels=roles.ROLE_LABELS,
                       device_label=fleet.device_label, event_labels=fleet.EVENT_LABELS,
                       action_labels=audit.ACTION_LABELS, webhook_kinds=notify.WEBHOOK_KINDS,
                       Permission=roles.Permission)
    env.filters["mb"] = lambda size: f"{size / (1024 * 1024):.1f} MB"
    env.filters["when"] = _when
    env.filters["utc"] = as_utc
    return templates


#: Pages show China Standard Time (the people using them are there); storage and CSV stay UTC.
CHINA_TIME = timezone(timedelta(hours=8), "北京时间")


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return as_utc(moment).astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M:%S")


def create_app(settings: ConsoleSettings | None = None,
               clock: Callable[[], datetime] = utcnow,
               identity: TerminalIdentity | None = None) -> FastAPI:
    """A console app on `settings.database_url` (schema brought up to date)."""
    settings = settings or ConsoleSettings()
    engine, sessions = open_database(settings.database_url)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loops = [asyncio.create_task(_sweep_forever(app)),
                 asyncio.create_task(_notify_forever(app))]
        relay: VideoRelay | None = app.state.video_relay
        if relay is not None:
            await relay.start()
        elif settings.video_hub:
            await app.state.video_hub.start()
        try:
            yield
        finally:
            await app.state.video_hub.stop()
            if relay is not None:
                await relay.stop()
            for loop in loops:
                loop.cancel()
            for loop in loops:
                with contextlib.suppress(asyncio.CancelledError):
                    await loop
            engine.dispose()

    app = FastAPI(title="自助终端集中管理平台", docs_url=None, redoc_url=None,
                  openapi_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.clock = clock
    app.state.identity = identity or BearerTokenIdentity()
    app.state.templates = make_templates()
    app.state.video_hub = VideoHub(sessions, settings, clock)
    app.state.video_relay = None
    if settings.video_relay and str(engine.url).startswith("postgresql"):
        app.state.video_relay = VideoRelay(settings.database_url or "", app.state.video_hub)
    elif settings.video_relay:
        log.warning("video relay needs PostgreSQL; this console runs the hub itself")
    app.mount("/static", StaticFiles(directory=str(PACKAGE_DIR / "static")), name="static")
    for module in (login, fleet_pages, admin, notifications, releases, rollout, stats_pages,
                   api, diagnostics_pages, video_pages, video_sockets, preview):
        app.include_router(module.router)
    _install_error_pages(app)

    app.add_middleware(BodyLimit, limit=settings.max_bundle_bytes, refuse=_too_large)
    app.add_middleware(SecurityHeaders)
    return app


_SECURITY_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy",
     b"default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"),
]


class SecurityHeaders:
    """Pure ASGI middleware: security headers on every answer, no-store on all but /static
    (cheaper per request than a BaseHTTPMiddleware, which the heartbeat rate notices)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = scope["path"].startswith("/static/")

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = list(_SECURITY_HEADERS)
                if not cacheable:
                    extra.append((b"cache-control", b"no-store"))
                headers.extend(h for h in extra if h[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _sweep_forever(app: FastAPI) -> None:
    """Raise "offline" alerts now and then (any console process may do it; it is idempotent)."""
    interval = app.state.settings.offline_sweep_interval_seconds
    while True:
        await asyncio.sleep(interval)
        try:
            await asyncio.to_thread(_sweep_once, app)
        except OperationalError as exc:
            log.warning("offline sweep failed: %s", type(exc).__name__)


async def _notify_forever(app: FastAPI) -> None:
    """Deliver alert notifications to webhooks (docs/adr/0506-alert-webhooks.md)."""
    settings: ConsoleSettings = app.state.settings
    while True:
        await asyncio.sleep(settings.notify_interval_seconds)
        try:
            await asyncio.to_thread(notify.deliver_due, app.state.sessions, app.state.clock(),
                                    settings.notify_retry_base_seconds)
        except OperationalError as exc:
            log.warning("notification delivery failed: %s", type(exc).__name__)


def _sweep_once(app: FastAPI) -> None:
    with app.state.sessions() as db:
        fleet.sweep_offline(db, app.state.clock())
        db.commit()
        delivery.prune(db, app.state.clock())  # ids of old deliveries (docs/adr/0701)
        db.commit()


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_page(request: Request, status_code: int, title: str, message: str) -> Response:
    """A plain page in Chinese (people) or a JSON body (terminals)."""
    if _is_api(request):
        return JSONResponse({"error": title, "message": message}, status_code=status_code)
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, "error.html", {
        "title": title, "message": message, "actor": None}, status_code=status_code)


def _too_large(request: Request) -> Response:
    return error_page(request, 413, "内容过大", "提交的内容过大或没有注明大小，已拒收，"
                      "没有保存任何内容。更新包请用 kiosk admin build 生成。")


def _install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(deps.NotLoggedIn)
    async def _login_first(request: Request, exc: deps.NotLoggedIn) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login?expired=1"})
        if request.method == "GET":
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return error_page(request, 401, "登录已过期",
                          "您的登录已过期或尚未登录，请重新登录后再操作。")

    @app.exception_handler(deps.Forbidden)
    async def _forbidden(request: Request, exc: deps.Forbidden) -> Response:
        return error_page(request, 403, "无权操作",
                          "您的角色没有执行此操作的权限。如需权限，请联系管理员。")

    @app.exception_handler(deps.CsrfRefused)
    async def _csrf(request: Request, exc: deps.CsrfRefused) -> Response:
        return error_page(request, 403, "请求无效",
                          "页面已过期或请求来源无法确认，请刷新页面后重试。")

    @app.exception_handler(deps.TerminalRefused)
    async def _terminal(request: Request, exc: deps.TerminalRefused) -> Response:
        return JSONResponse({"error": "terminal_refused",
                             "message": "terminal not enrolled, revoked, or wrong credentials"},
                            status_code=401)

    @app.exception_handler(Refusal)
    async def _terminal_refusal(request: Request, exc: Refusal) -> Response:
        log.warning("terminal refused: %s (%s)", exc.reason, request.url.path[:120])
        return JSONResponse({"error": "terminal_refused", "reason": exc.reason,
                             "message": exc.message}, status_code=exc.status)

    @app.exception_handler(OperationalError)
    async def _database_down(request: Request, exc: OperationalError) -> Response:
        log.error("database unavailable: %s", type(exc.orig).__name__ if exc.orig else exc)
        return error_page(request, 503, "数据库暂时不可用",
                          "管理平台暂时无法访问数据库，您的操作没有保存，请稍后重试。")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return error_page(request, 400, "输入有误", "提交的内容不完整或格式不正确，请检查后重试。")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        titles = {404: ("页面不存在", "您要找的页面不存在。"),
                  405: ("不支持的操作", "此页面不支持该操作。"),
                  413: ("内容过大", "提交的内容过大，已拒收，没有保存任何内容。"),
                  429: ("请求过于频繁", "请求过于频繁，请稍后再试。")}
        title, message = titles.get(exc.status_code, ("出错了", str(exc.detail)))
        response = error_page(request, exc.status_code, title, message)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.get("/healthz", response_class=HTMLResponse, include_in_schema=False)
    def _health() -> str:
        return "ok"

    _health.permission = "public"  # type: ignore[attr-defined]
