"""The terminals' side of the console: heartbeat, events, command acknowledgements.

Every call names its terminal in the path and proves it (kiosk/console/terminal_auth.py); a
token for another terminal, a revoked or unknown terminal gets 401. Bodies over
`wire.MAX_BODY_BYTES` get 413 before anything else; then, in one worker-thread call (one
database session, one transaction): the terminal's identity, the body's validation (422 with
the reason), and the work. A heartbeat sooner than the configured minimum interval after the
last one, or events beyond the configured number per minute, get 429 with Retry-After.
Answers are JSON with an `error` and a `message` when something is refused.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from kiosk.console import delivery, diagnostics, fleet, stats
from kiosk.console.db import as_utc
from kiosk.console.models import (
    Command,
    DiagnosticsBundle,
    Terminal,
    TerminalEvent,
    UsageRecord,
)
from kiosk.console.routes.deps import TerminalRefused
from kiosk.console.wire import (
    MAX_BODY_BYTES,
    CommandAckIn,
    EventKind,
    EventsIn,
    HeartbeatIn,
    UsageBatchIn,
)
from kiosk.core.events import log_event


def _withdraw_paused(request: Request, db: Session) -> None:
    """Take back the stage of any rollout that just paused itself (kiosk/console/rollout.py);
    a repository problem never fails the terminal's request (the next report retries)."""
    from pathlib import Path

    from kiosk.console import rollout
    from kiosk.updates.repository import AdminError, Repository

    settings = request.app.state.settings
    try:
        rollout.withdraw_paused(db, Repository(Path(settings.update_repo_dir),
                                               Path(settings.update_keys_dir)))
    except (OSError, AdminError) as exc:
        log_event(_log, "rollout_withdraw_failed", logging.ERROR, error=type(exc).__name__)


_log = logging.getLogger("kiosk.console")


async def terminal_api(request: Request) -> None:
    """Marks a route as the terminal API: its handler must go through `_as_terminal`."""


terminal_api.permission = "terminal"  # type: ignore[attr-defined]

router = APIRouter(prefix="/api/v1/terminals/{terminal_id}",
                   dependencies=[Depends(terminal_api)])
Model = TypeVar("Model", bound=BaseModel)


async def _body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise HTTPException(413)
    return bytes(body)


def _invalid(exc: ValidationError) -> JSONResponse:
    problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()][:5]
    return JSONResponse({"error": "invalid", "message": "; ".join(problems)}, status_code=422)


async def _as_terminal(request: Request, model: type[Model],
                       work: Callable[[Session, Terminal, Model, datetime], Response]
                       ) -> Response:
    """Read the body, then in one worker call: identify the terminal, validate, do the work."""
    body = await _body(request)
    app = request.app

    def run() -> Response:
        moment: datetime = app.state.clock()
        with app.state.sessions() as db:
            found = app.state.identity.terminal_id(request, db)
            if found is None or found != request.path_params.get("terminal_id"):
                raise TerminalRefused()
            try:
                parsed = model.model_validate_json(body)
            except ValidationError as exc:
                return _invalid(exc)
            terminal = db.get(Terminal, found)
            assert terminal is not None  # the identity found it
            return work(db, terminal, parsed, moment)

    return await run_in_threadpool(run)


def _committed(db: Session, stored: int, duplicates: int) -> Response:
    """Commit; a resend racing its first delivery (same ids, another request) stored nothing."""
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        return JSONResponse({"stored": 0, "duplicates": stored + duplicates})
    answer = {"stored": stored}
    if duplicates:
        answer["duplicates"] = duplicates
    return JSONResponse(answer)


def _commands_json(commands: list[Command]) -> list[dict[str, Any]]:
    return [{"id": c.id, "kind": c.kind, "message": c.message,
             "until": (as_utc(c.created_at) + timedelta(hours=c.hours)).isoformat()
             if c.hours else ""} for c in commands]


@router.post("/heartbeat")
async def heartbeat(request: Request) -> Response:
    """Store the terminal's state; answer with the commands waiting for it."""
    minimum = request.app.state.settings.heartbeat_min_interval_seconds

    def work(db: Session, terminal: Terminal, beat: HeartbeatIn, moment: datetime) -> Response:
        if terminal.last_heartbeat_at is not None:
            since = (moment - as_utc(terminal.last_heartbeat_at)).total_seconds()
            if 0 <= since < minimum:
                return JSONResponse({"error": "too_many", "message": "heartbeat too soon"},
                                    status_code=429,
                                    headers={"Retry-After": str(int(minimum - since) + 1)})
        commands = fleet.apply_heartbeat(db, terminal, beat, moment)
        db.commit()
        return JSONResponse({"commands": _commands_json(commands),
                             "server_time": moment.isoformat()})

    return await _as_terminal(request, HeartbeatIn, work)


@router.post("/events")
async def events(request: Request) -> Response:
    """Store a batch of events."""
    limit = request.app.state.settings.events_per_minute

    def work(db: Session, terminal: Terminal, batch: EventsIn, moment: datetime) -> Response:
        recent = db.scalar(select(func.count()).select_from(TerminalEvent).where(
            TerminalEvent.terminal_id == terminal.id,
            TerminalEvent.received_at > moment - timedelta(seconds=60)))
        if (recent or 0) + len(batch.events) > limit:
            return JSONResponse({"error": "too_many", "message": "too many events"},
                                status_code=429, headers={"Retry-After": "60"})
        fresh = delivery.not_seen(db, terminal, list(batch.events), moment)
        stored = fleet.apply_events(db, terminal, fresh, moment) if fresh else 0
        if any(ev.kind is EventKind.RELEASE for ev in fresh):
            _withdraw_paused(request, db)  # an automatic pause takes its stage back (ADR 0721)
        return _committed(db, stored, len(batch.events) - len(fresh))

    return await _as_terminal(request, EventsIn, work)


@router.post("/usage")
async def usage(request: Request) -> Response:
    """Store a batch of usage records (sessions, completed services, 好差评; docs/adr/0640)."""
    limit = request.app.state.settings.events_per_minute

    def work(db: Session, terminal: Terminal, batch: UsageBatchIn, moment: datetime
             ) -> Response:
        recent = db.scalar(select(func.count()).select_from(UsageRecord).where(
            UsageRecord.terminal_id == terminal.id,
            UsageRecord.received_at > moment - timedelta(seconds=60)))
        if (recent or 0) + len(batch.records) > limit:
            return JSONResponse({"error": "too_many", "message": "too many usage records"},
                                status_code=429, headers={"Retry-After": "60"})
        fresh = delivery.not_seen(db, terminal, list(batch.records), moment)
        stored = stats.store_usage(db, terminal, fresh, moment) if fresh else 0
        return _committed(db, stored, len(batch.records) - len(fresh))

    return await _as_terminal(request, UsageBatchIn, work)


@router.post("/commands/{command_id}/ack")
async def command_ack(request: Request, command_id: int) -> Response:
    """The terminal's outcome of a command it collected."""

    def work(db: Session, terminal: Terminal, ack: CommandAckIn, moment: datetime) -> Response:
        command = db.get(Command, command_id)
        if command is None or command.terminal_id != terminal.id:
            return JSONResponse({"error": "not_found", "message": "no such command"},
                                status_code=404)
        if command.state in ("done", "failed"):
            return JSONResponse({"state": command.state})  # a repeated ack changes nothing
        fleet.apply_command_ack(terminal, command, ack.ok, ack.outcome, moment)
        db.commit()
        return JSONResponse({"state": command.state})

    return await _as_terminal(request, CommandAckIn, work)


@router.post("/diagnostics/{command_id}")
async def diagnostics_upload(request: Request, command_id: int) -> Response:
    """The PII-free diagnostics bundle a terminal built for a diagnostics command
    (docs/adr/0702): a zip of at most `diagnostics.MAX_BYTES`, checked before it is kept."""
    app = request.app

    def identify() -> str:
        with app.state.sessions() as db:
            found = app.state.identity.terminal_id(request, db)
        if found is None or found != request.path_params.get("terminal_id"):
            raise TerminalRefused()
        return str(found)

    found = await run_in_threadpool(identify)  # before reading megabytes from anyone
    body = await _body(request, diagnostics.MAX_BYTES)

    def run() -> Response:
        moment: datetime = app.state.clock()
        with app.state.sessions() as db:
            command = db.get(Command, command_id)
            if command is None or command.terminal_id != found or \
                    command.kind != fleet.CommandKind.DIAGNOSTICS.value:
                return JSONResponse({"error": "not_found",
                                     "message": "no diagnostics command with this id"},
                                    status_code=404)
            if db.scalar(select(func.count()).select_from(DiagnosticsBundle).where(
                    DiagnosticsBundle.command_id == command_id)):
                return JSONResponse({"error": "conflict", "message": "already uploaded"},
                                    status_code=409)
            problem = diagnostics.problem(body)
            if problem is not None:
                return JSONResponse({"error": "invalid", "message": problem}, status_code=422)
            bundle = DiagnosticsBundle(terminal_id=found, command_id=command_id,
                                       size=len(body), sha256=hashlib.sha256(body).hexdigest(),
                                       content=body, received_at=moment)
            db.add(bundle)
            db.commit()
            return JSONResponse({"stored": bundle.id, "size": len(body)})

    return await run_in_threadpool(run)
