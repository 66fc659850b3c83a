"""The terminals' side of the console: heartbeat, events, command acknowledgements.

Every call names its terminal in the path and proves it (kiosk/console/terminal_auth.py); a
token for another terminal, a revoked or unknown terminal gets 401. Bodies over
`wire.MAX_BODY_BYTES` get 413 before parsing; malformed ones 422 with the reason; a heartbeat
sooner than the configured minimum interval after the last one, or events beyond the
configured number per minute, get 429 with Retry-After.
Answers are JSON with an `error` and a `message` when something is refused.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from kiosk.console import fleet
from kiosk.console.db import as_utc
from kiosk.console.models import Command, Terminal, TerminalEvent
from kiosk.console.routes.deps import get_db, now, terminal_id
from kiosk.console.wire import MAX_BODY_BYTES, CommandAckIn, EventsIn, HeartbeatIn

router = APIRouter(prefix="/api/v1/terminals/{terminal_id}")
Model = TypeVar("Model", bound=BaseModel)


async def _read(request: Request, model: type[Model]) -> Model | JSONResponse:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise HTTPException(413)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(413)
    try:
        return model.model_validate_json(bytes(body))
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()][:5]
        return JSONResponse({"error": "invalid", "message": "; ".join(problems)},
                            status_code=422)


def _commands_json(commands: list[Command]) -> list[dict[str, Any]]:
    return [{"id": c.id, "kind": c.kind, "message": c.message,
             "until": (as_utc(c.created_at) + timedelta(hours=c.hours)).isoformat()
             if c.hours else ""} for c in commands]


@router.post("/heartbeat")
async def heartbeat(request: Request, terminal: str = Depends(terminal_id),
                    db: Session = Depends(get_db),
                    moment: datetime = Depends(now)) -> Response:
    """Store the terminal's state; answer with the commands waiting for it."""
    beat = await _read(request, HeartbeatIn)
    if isinstance(beat, JSONResponse):
        return beat
    minimum = request.app.state.settings.heartbeat_min_interval_seconds

    def work() -> Response:
        row = db.get(Terminal, terminal)
        assert row is not None  # terminal_id() found it
        if row.last_heartbeat_at is not None:
            since = (moment - as_utc(row.last_heartbeat_at)).total_seconds()
            if 0 <= since < minimum:
                return JSONResponse({"error": "too_many", "message": "heartbeat too soon"},
                                    status_code=429,
                                    headers={"Retry-After": str(int(minimum - since) + 1)})
        commands = fleet.apply_heartbeat(db, row, beat, moment)
        db.commit()
        return JSONResponse({"commands": _commands_json(commands),
                             "server_time": moment.isoformat()})

    return await run_in_threadpool(work)


@router.post("/events")
async def events(request: Request, terminal: str = Depends(terminal_id),
                 db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Store a batch of events."""
    batch = await _read(request, EventsIn)
    if isinstance(batch, JSONResponse):
        return batch

    limit = request.app.state.settings.events_per_minute

    def work() -> Response:
        row = db.get(Terminal, terminal)
        assert row is not None
        recent = db.scalar(select(func.count()).select_from(TerminalEvent).where(
            TerminalEvent.terminal_id == terminal,
            TerminalEvent.received_at > moment - timedelta(seconds=60)))
        if (recent or 0) + len(batch.events) > limit:
            return JSONResponse({"error": "too_many", "message": "too many events"},
                                status_code=429, headers={"Retry-After": "60"})
        stored = fleet.apply_events(db, row, batch.events, moment)
        db.commit()
        return JSONResponse({"stored": stored})

    return await run_in_threadpool(work)


@router.post("/commands/{command_id}/ack")
async def command_ack(request: Request, command_id: int, terminal: str = Depends(terminal_id),
                      db: Session = Depends(get_db),
                      moment: datetime = Depends(now)) -> Response:
    """The terminal's outcome of a command it collected."""
    ack = await _read(request, CommandAckIn)
    if isinstance(ack, JSONResponse):
        return ack

    def work() -> Response:
        command = db.get(Command, command_id)
        if command is None or command.terminal_id != terminal:
            return JSONResponse({"error": "not_found", "message": "no such command"},
                                status_code=404)
        row = db.get(Terminal, terminal)
        assert row is not None
        if command.state in ("done", "failed"):
            return JSONResponse({"state": command.state})  # a repeated ack changes nothing
        fleet.apply_command_ack(row, command, ack.ok, ack.outcome, moment)
        db.commit()
        return JSONResponse({"state": command.state})

    return await run_in_threadpool(work)
