"""The submission journal and outbox (SQLite, WAL): applications, ratings and problem reports.

Every submission is written with its idempotency key BEFORE it is sent, so a crash, a kill or a
network loss at any instant leaves a row that the outbox delivers later with the same key; the
platform replays its first answer for a key, so nothing is lost and nothing is done twice.

Retention (docs/adr/0003-journal-retention.md): a pending row keeps the payload it must deliver
(it may hold personal answers); once delivered, the payload is erased and only the key, kind,
case number and times remain, and those are purged after `DELIVERED_RETENTION_DAYS`.

At rest (docs/adr/0426): every payload is sealed with the terminal's own key
(:mod:`kiosk.ops.sealing`, AES-256-GCM, key file ``outbox.key`` 0600 next to the database, made at
first start), bound to its row's kind and idempotency key; the database, WAL and SHM files are
0600 and erased payloads are overwritten (:mod:`kiosk.ops.journaldb`). Rows written in clear by an
older version are sealed when the outbox opens. A row that does not open (its key lost) is
marked refused with ``sealed_row_unreadable`` and reported, never sent half-read.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from flows import ports as fp
from kiosk.core.events import log_event
from kiosk.i18n import N_, current_locale, translate
from kiosk.ops.console_queue import ConsoleQueue
from kiosk.ops.journaldb import open_journal_db
from kiosk.ops.sealing import RowSealer, SealError, is_sealed
from kiosk.platform.errors import PlatformError

if TYPE_CHECKING:
    from kiosk.platform import models

log = logging.getLogger(__name__)

#: Delivered rows (without payload) are kept this long for reconciliation, then purged.
DELIVERED_RETENTION_DAYS = 30
#: Platform error kinds after which a submission is kept for later delivery.
QUEUED_TEXT = N_("网络暂时中断，您的申请已安全保存在本机，网络恢复后将自动提交")

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,               -- application | rating | problem_report
    idempotency_key TEXT NOT NULL UNIQUE,
    local_ref TEXT NOT NULL,
    payload TEXT,                     -- JSON to deliver; NULL once delivered
    state TEXT NOT NULL,              -- pending | delivered | refused
    result TEXT,                      -- JSON of the platform's answer (no personal data)
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS submissions_state ON submissions(state);
"""


@dataclass(frozen=True, slots=True)
class OutboxStats:
    """Counts for the heartbeat and the technician screen."""

    pending: int
    delivered: int
    refused: int


class SubmissionPlatform(Protocol):
    """The platform calls the outbox delivers (kiosk.platform.PlatformClient); each carries the
    journal's idempotency key, and a fault is a `PlatformError`."""

    def submit_application(self, service: str, resident_token: str,
                           answers: Mapping[str, Any], *, licences: Iterable[str] = (),
                           attachments: Iterable[models.WireAttachment] = (),
                           idempotency_key: str | None = None) -> models.WireApplicationResult:
        """Send an application."""

    def rate(self, service: str, score: int, *, reasons: Iterable[str] = (),
             comment: str = "", case_number: str = "", resident_token: str = "",
             idempotency_key: str | None = None) -> models.WireRatingReceipt:
        """Send a rating (好差评)."""

    def report_problem(self, service: str, step: str, category: str, description: str, *,
                       idempotency_key: str | None = None) -> models.WireProblemReportReceipt:
        """Send a 办不成事 report."""


class Outbox:
    """Journal + delivery. Thread-safe; one connection per call (SQLite WAL)."""

    def __init__(self, path: Path, client: SubmissionPlatform,
                 clock: Callable[[], float] = time.time, key_path: Path | None = None) -> None:
        self.path = path
        self._client = client
        self._clock = clock
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.key_path = key_path or path.with_suffix(".key")
        #: Told of every journaled rating (the console link's statistics: it keeps only the
        #: service, score and reason category; kiosk.ops.console_link.ConsoleLink.on_rating).
        self.on_rating: Callable[[fp.Rating], None] | None = None
        self._sealer, replaced = RowSealer.from_key_file(self.key_path)
        if replaced:
            log_event(log, "outbox_key_replaced", logging.ERROR, path=str(self.key_path))
        with self._db() as db:
            db.executescript(SCHEMA)
        self._seal_clear_rows()

    def _seal_clear_rows(self) -> None:
        """Seal pending payloads written in clear by an older version, then drop the clear
        bytes from the WAL."""
        with self._lock, self._db() as db:
            rows = db.execute("SELECT id, kind, idempotency_key, payload FROM submissions "
                              "WHERE payload IS NOT NULL AND payload NOT LIKE 'aead1:%'"
                              ).fetchall()
            for row_id, kind, key, payload in rows:
                try:
                    sealed = self._seal(kind, key, json.loads(payload))
                except ValueError:
                    continue  # unreadable already: delivery marks it refused
                db.execute("UPDATE submissions SET payload=? WHERE id=?", (sealed, row_id))
            if rows:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                log_event(log, "outbox_rows_sealed", count=len(rows))

    def _seal(self, kind: str, key: str, payload: dict[str, Any]) -> str:
        plain = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return self._sealer.seal(plain, f"{kind}\0{key}")

    def _open(self, kind: str, key: str, stored: str) -> dict[str, Any]:
        """The payload of a row (SealError when it does not open)."""
        if not is_sealed(stored):
            return dict(json.loads(stored))  # written before sealing; sealed at next open
        return dict(json.loads(self._sealer.open(stored, f"{kind}\0{key}")))

    def _connect(self) -> sqlite3.Connection:
        return open_journal_db(self.path)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """One connection for one call, closed at once (not left to the garbage collector,
        which kept descriptors open in the soak)."""
        db = self._connect()
        try:
            yield db
        finally:
            db.close()

    # -- recording ---------------------------------------------------------------------------
    def _record(self, kind: str, key: str, payload: dict[str, Any]) -> str:
        """Write the row before sending; a retry with the same key reuses it."""
        now = self._clock()
        local_ref = "L" + uuid.uuid4().hex[:10].upper()
        with self._lock, self._db() as db:
            db.execute("INSERT OR IGNORE INTO submissions(kind, idempotency_key, local_ref, "
                       "payload, state, created_at, updated_at) VALUES (?,?,?,?,?,?,?)",
                       (kind, key, local_ref, self._seal(kind, key, payload),
                        "pending", now, now))
            row = db.execute("SELECT local_ref FROM submissions WHERE idempotency_key=?",
                             (key,)).fetchone()
        return str(row[0])

    def _mark(self, key: str, state: str, result: dict[str, Any] | None = None,
              error: str = "") -> None:
        with self._lock, self._db() as db:
            if state == "pending":
                db.execute("UPDATE submissions SET attempts=attempts+1, last_error=?, "
                           "updated_at=? WHERE idempotency_key=?", (error, self._clock(), key))
            else:
                db.execute("UPDATE submissions SET state=?, payload=NULL, result=?, "
                           "attempts=attempts+1, last_error=?, updated_at=? "
                           "WHERE idempotency_key=?",
                           (state, json.dumps(result or {}, ensure_ascii=False), error,
                            self._clock(), key))

    # -- the three kinds -------------------------------------------------------------------------
    def submit_application(self, token: str, request: fp.ApplicationRequest
                           ) -> fp.ApplicationOutcome | fp.PortFailure:
        """Journal, then send; a transient fault queues it (status QUEUED)."""
        key = request.idempotency_key or str(uuid.uuid4())
        payload = {"service": request.service, "token": token, "answers": dict(request.answers),
                   "licences": list(request.licences),
                   "attachments": [{"name": a.name, "content_type": a.content_type,
                                    "data": a.data.hex()} for a in request.attachments]}
        local_ref = self._record("application", key, payload)
        sent = self._deliver("application", key, payload)
        if isinstance(sent, fp.ApplicationOutcome | fp.PortFailure):
            return sent
        return fp.ApplicationOutcome(case_number=local_ref, status=fp.ApplicationStatus.QUEUED,
                                     reason=translate(QUEUED_TEXT, current_locale()))

    def rate(self, token: str, rating: fp.Rating) -> fp.RatingReceipt | fp.PortFailure:
        """Ratings are never lost: queued silently when offline."""
        key = rating.idempotency_key or str(uuid.uuid4())
        payload = {"token": token, "service": rating.service, "score": rating.score,
                   "reasons": list(rating.reasons), "comment": rating.comment,
                   "case_number": rating.case_number}
        local_ref = self._record("rating", key, payload)
        if self.on_rating is not None:
            try:
                self.on_rating(rating)
            except Exception as exc:  # statistics never stop a rating
                log_event(log, "rating_statistics_failed", logging.WARNING,
                          error=type(exc).__name__)
        sent = self._deliver("rating", key, payload)
        if sent is None:
            return fp.RatingReceipt(local_ref)
        return sent

    def report_problem(self, report: fp.ProblemReport
                       ) -> fp.ProblemReportReceipt | fp.PortFailure:
        """办不成事 reports are never lost: queued silently when offline."""
        key = report.idempotency_key or str(uuid.uuid4())
        payload = {"service": report.service, "step": report.step, "category": report.category,
                   "description": report.description}
        local_ref = self._record("problem_report", key, payload)
        sent = self._deliver("problem_report", key, payload)
        if sent is None:
            return fp.ProblemReportReceipt(local_ref, reply_within_days=5)
        return sent

    # -- delivery ----------------------------------------------------------------------------
    def _deliver(self, kind: str, key: str, payload: dict[str, Any]) -> Any:
        """Send one row; None when it stays pending (transient fault)."""
        if kind == "rating" and payload.get("case_number"):
            case_number = self._platform_case_number(str(payload["case_number"]))
            if case_number is None:  # rates a case still waiting here: send it after that
                self._mark(key, "pending", error="waiting_for_application")
                return None
            payload = {**payload, "case_number": case_number}
        try:
            answer = self._send(kind, key, payload)
        except PlatformError as exc:
            if exc.transient:
                self._mark(key, "pending", error=str(exc.kind))
                log_event(log, "submission_queued", kind=kind, error=str(exc.kind))
                return None
            self._mark(key, "refused", {"kind": str(exc.kind), "code": exc.code}, str(exc.kind))
            log_event(log, "submission_refused", logging.WARNING, kind=kind,
                      error=str(exc.kind), code=exc.code)
            return fp.PortFailure(exc.resident_text(current_locale()), code=str(exc.kind),
                                  retryable=False)
        result, outcome = answer
        self._mark(key, "delivered", result)
        log_event(log, "submission_delivered", kind=kind, replayed=result.get("replayed", False))
        return outcome

    def _platform_case_number(self, case_number: str) -> str | None:
        """The platform's number for a case the resident saw as a local reference (a queued
        application): None while that application is still pending, "" when it was refused."""
        with self._db() as db:
            row = db.execute("SELECT state, result FROM submissions WHERE kind='application' "
                             "AND local_ref=?", (case_number,)).fetchone()
        if row is None:
            return case_number  # already the platform's number
        state, result = row
        if state == "pending":
            return None
        return str(json.loads(result or "{}").get("case_number", "")) if state == "delivered" \
            else ""

    def _send(self, kind: str, key: str, payload: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        client = self._client
        if kind == "application":
            from kiosk.platform.models import WireAttachment

            attachments = [WireAttachment(name=a["name"], content_type=a["content_type"],
                                          data=bytes.fromhex(a["data"]))
                           for a in payload.get("attachments", [])]
            r = client.submit_application(payload["service"], payload["token"],
                                          payload["answers"], licences=payload["licences"],
                                          attachments=attachments, idempotency_key=key)
            outcome = fp.ApplicationOutcome(r.case_number, fp.ApplicationStatus(str(r.status)),
                                            r.reason, r.next_step, r.time_limit_days)
            return {"case_number": r.case_number, "status": str(r.status),
                    "replayed": r.replayed}, outcome
        if kind == "rating":
            receipt = client.rate(payload["service"], payload["score"],
                                  reasons=payload["reasons"], comment=payload["comment"],
                                  case_number=payload["case_number"],
                                  resident_token=payload["token"], idempotency_key=key)
            return {"rating_id": receipt.rating_id,
                    "replayed": receipt.replayed}, fp.RatingReceipt(receipt.rating_id)
        report = client.report_problem(payload["service"], payload["step"], payload["category"],
                                       payload["description"], idempotency_key=key)
        return ({"report_id": report.report_id},
                fp.ProblemReportReceipt(report.report_id, report.reply_within_days))

    def deliver_pending(self, limit: int = 20) -> int:
        """Try every pending row once (oldest first); return how many were delivered."""
        with self._lock, self._db() as db:
            rows = db.execute("SELECT kind, idempotency_key, payload FROM submissions "
                              "WHERE state='pending' ORDER BY id LIMIT ?", (limit,)).fetchall()
        delivered = 0
        for kind, key, stored in rows:
            try:
                payload = self._open(kind, key, stored)
            except (SealError, ValueError):
                self._mark(key, "refused", {"kind": "sealed_row_unreadable"},
                           "sealed_row_unreadable")
                log_event(log, "submission_unreadable", logging.ERROR, kind=kind)
                continue
            result = self._deliver(kind, key, payload)
            if result is None:
                break  # still offline: stop, try again later
            delivered += not isinstance(result, fp.PortFailure)
        return delivered

    def console_queue(self) -> ConsoleQueue:
        """What the console link owes the console (events, usage, acknowledgements): a table
        in this outbox's database, so it outlives an outage and a restart (docs/adr/0701)."""
        return ConsoleQueue(self.path)

    def stats(self) -> OutboxStats:
        """Counts by state."""
        with self._db() as db:
            counts = dict(db.execute("SELECT state, COUNT(*) FROM submissions GROUP BY state")
                          .fetchall())
        return OutboxStats(counts.get("pending", 0), counts.get("delivered", 0),
                           counts.get("refused", 0))

    def count(self, kind: str, state: str = "delivered") -> int:
        """How many rows of ``kind`` are in ``state`` (kept until retention purges them)."""
        with self._db() as db:
            row = db.execute("SELECT COUNT(*) FROM submissions WHERE kind=? AND state=?",
                             (kind, state)).fetchone()
        return int(row[0])

    def compact(self) -> int:
        """Purge delivered/refused rows past retention; return how many were removed."""
        cutoff = self._clock() - DELIVERED_RETENTION_DAYS * 86400
        with self._lock, self._db() as db:
            cursor = db.execute("DELETE FROM submissions WHERE state!='pending' AND updated_at<?",
                                (cutoff,))
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return cursor.rowcount
