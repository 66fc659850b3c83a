"""The floor of `kiosk bench console`: a bare FastAPI app answering the same requests.

The same uvicorn set-up as the console (kiosk.console.server), the same routes, the same body
validation (kiosk.console.wire) and the same answer, with no database, no identity check and no
middleware: what a heartbeat costs on this machine before the console does any work.

    python -m kiosk.harness.bench.console_floor     prints "floor listening on URL"
"""

from __future__ import annotations

import signal
import threading
from datetime import UTC, datetime
from types import FrameType

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import ValidationError

from kiosk.console.server import start_server
from kiosk.console.wire import EventsIn, HeartbeatIn


def build_app() -> FastAPI:
    """The bare app: validate the body, answer like the console does."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/api/v1/terminals/{terminal_id}/heartbeat")
    async def heartbeat(request: Request, terminal_id: str) -> Response:
        try:
            HeartbeatIn.model_validate_json(await request.body())
        except ValidationError:
            return JSONResponse({"error": "invalid"}, status_code=422)
        return JSONResponse({"commands": [], "server_time": datetime.now(UTC).isoformat()})

    @app.post("/api/v1/terminals/{terminal_id}/events")
    async def events(request: Request, terminal_id: str) -> Response:
        try:
            batch = EventsIn.model_validate_json(await request.body())
        except ValidationError:
            return JSONResponse({"error": "invalid"}, status_code=422)
        return JSONResponse({"stored": len(batch.events)})

    @app.get("/healthz")
    async def health() -> Response:
        return PlainTextResponse("ok")

    return app


def main() -> int:
    """Serve the floor app on a free loopback port until SIGTERM."""
    handle = start_server(build_app())
    done = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(f"floor listening on {handle.url}", flush=True)
    done.wait()
    handle.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
