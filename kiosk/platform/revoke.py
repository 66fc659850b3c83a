"""Revoking the resident token at every wipe, best effort and never in the wipe's way (ADR 0413).

`TokenRevoker` hands tokens to its own daemon thread, which calls ``POST /v1/identity/revoke``
under the client's deadline; the queue is bounded and a full queue drops the oldest concern
(the token still expires on its own). `revoke_tokens_at_wipe` subscribes it to a session
lifecycle: when the phase becomes ``wiping`` the session still holds its token.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from typing import Any

from kiosk.core.events import log_event
from kiosk.platform.errors import PlatformError

LOG = logging.getLogger("kiosk.platform")
MAX_PENDING = 32


class TokenRevoker:
    """Revokes tokens on a background thread; `revoke` returns at once."""

    def __init__(self, client: Any, max_pending: int = MAX_PENDING) -> None:
        self._client = client
        self._queue: queue.Queue[str | None] = queue.Queue(max_pending)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.revoked = 0
        self.failed = 0

    def revoke(self, token: str) -> None:
        """Queue ``token`` for revocation (dropped, with a log line, when the queue is full)."""
        if not token:
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="token-revoke",
                                                daemon=True)
                self._thread.start()
        try:
            self._queue.put_nowait(token)
        except queue.Full:
            log_event(LOG, "token_revoke_dropped", logging.WARNING, reason="queue_full")

    def _run(self) -> None:
        while True:
            token = self._queue.get()
            try:
                if token is None:
                    return
                self._client.revoke_token(token)
                self.revoked += 1
                log_event(LOG, "token_revoked")
            except PlatformError as exc:
                self.failed += 1
                log_event(LOG, "token_revoke_failed", logging.WARNING, kind=exc.kind.value,
                          code=exc.code)
            except Exception as exc:  # never let a revocation take anything else down
                self.failed += 1
                log_event(LOG, "token_revoke_failed", logging.WARNING, error=type(exc).__name__)
            finally:
                self._queue.task_done()

    def join(self, timeout: float = 5.0) -> bool:
        """Wait until every queued token was tried (tests); False on timeout."""
        done = threading.Event()

        def wait() -> None:
            self._queue.join()
            done.set()

        threading.Thread(target=wait, daemon=True).start()
        return done.wait(timeout)

    def close(self) -> None:
        """Stop the thread after what is queued."""
        with self._lock:
            alive = self._thread is not None and self._thread.is_alive()
        if alive:
            with contextlib.suppress(queue.Full):
                self._queue.put_nowait(None)


def revoke_tokens_at_wipe(
    lifecycle: Any, revoker: TokenRevoker, cancel: Any = None
) -> None:
    """Revoke the session's resident token whenever ``lifecycle`` starts a wipe.

    ``cancel`` (optional, no arguments) runs first: the kiosk ends the worker's platform calls
    still in flight for the session being wiped.
    """

    def on_change(old: Any, new: Any, reason: str) -> None:
        if str(new) != "wiping":
            return
        if cancel is not None:
            cancelled = cancel()
            if cancelled:
                log_event(LOG, "platform_calls_cancelled", count=cancelled, reason=reason)
        session = getattr(lifecycle, "session", None)
        token = getattr(session, "resident_token", "") if session is not None else ""
        if token:
            revoker.revoke(token)

    lifecycle.on_change(on_change)
