"""The terminal reports to the central console (docs/console.md, docs/adr/0520).

`ConsoleLink` runs on its own daemon thread, never on the UI thread. Every `interval_seconds` it
sends the heartbeat (the same `TerminalReport` the platform heartbeat sends, plus whether the
terminal is out of service), sends the events queued since the last round, carries out the
commands the console answers with and acknowledges each with its outcome. Device changes wake
it at once, so a paper-out reaches the console within a round trip, not an interval.

Events: device fault and recovery, paper low/out/ok (from the device hub's status changes),
started and stopped, the flow-bundle update's outcome (when the updater's last outcome changes).
Only device names, states and versions travel; never a reason text a driver wrote, never
anything about a resident.

Usage (docs/adr/0640): a session begun, a service completed (the controller's `on_completed`)
and a 好差评 journaled (the outbox's `on_rating`) are sent as usage records: the service id,
the score, a 差评 reason category (one of the built-in reasons, or "other" for a flow's own
words, which never travel) and the time. No name, ID number, comment, case number or token.
Also (docs/adr/0740) the controller's `on_usage` codes (a service started, abandoned at a step,
printed or failed to print at a step, the identification method), elderly mode and English
turned on (once a session, from the preference store) and a 办不成事 report's service, step and
category code (the outbox's `on_problem`; the description stays home).

Commands (kiosk.platform.console_client.ConsoleCommand) run on the UI thread through
`runner.call_soon`: out of service with a message for residents and back in service through the
controller (a running session finishes first), an announcement on the attract screen until its
end time, a restart in the housekeeping quiet window (the launcher's clean stop at attract).
A diagnostics request (docs/adr/0702) is carried out on the link's own thread: the
technician's PII-free bundle (kiosk/technician/diagnostics.py) is written to a temporary
folder, uploaded (at most `DIAGNOSTICS_MAX_BYTES`) and acknowledged with its size.

A console that is down, slow or refusing is logged (once per change of state) and tried again
next round. Events, usage records and acknowledgements wait in the outbox's database
(kiosk/ops/console_queue.py, docs/adr/0701), each with an id the console stores once, so an
outage or a restart of the kiosk loses nothing and a resend doubles nothing. Nothing here
raises into the app.
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
import time as _time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from drivers.status import DeviceState, DeviceStatus, SupplyState
from flows.strings import RATING_REASON_KEYS, REPORT_CATEGORY_KEYS, STRINGS
from kiosk.core.events import log_event
from kiosk.core.session import Phase
from kiosk.ops.adoption import adoption_event
from kiosk.ops.console_queue import ConsoleQueue
from kiosk.ops.housekeeping import window_day
from kiosk.platform.console_client import ConsoleClient, ConsoleCommand, ConsoleError, event
from kiosk.platform.heartbeat import TerminalReport

log = logging.getLogger(__name__)

#: The console takes at most this many events per call (kiosk.console.wire.EventsIn).
EVENTS_PER_CALL = 100
#: How long a round waits for the UI thread to carry out the commands before acknowledging
#: (what is not done by then is acknowledged next round).
UI_WAIT_SECONDS = 5.0
#: The console's limit for a diagnostics upload (kiosk.console.diagnostics.MAX_BYTES).
DIAGNOSTICS_MAX_BYTES = 8 * 1024 * 1024
#: Remote operations that outlive a restart (out of service, announcement), in the data folder.
STATE_FILE_NAME = "console_state.json"
#: A heartbeat is due this much before a full interval (the wait's own jitter).
HEARTBEAT_SLACK = 0.5
_FAULT_STATES = frozenset({DeviceState.NO_DEVICE, DeviceState.OFFLINE, DeviceState.ERROR})
_USABLE_STATES = frozenset({DeviceState.READY, DeviceState.BUSY})
_PAPER_EVENTS = {SupplyState.LOW: "paper_low", SupplyState.OUT: "paper_out",
                 SupplyState.OK: "paper_ok"}
#: The built-in 差评 reasons' words (every language) -> their category on the console.
_REASON_CATEGORIES = {words: key.removeprefix("reason.") for key in RATING_REASON_KEYS
                      for words in STRINGS[key].values()}
_LOW_SCORES = (1, 2)
#: The built-in 办不成事 categories' words (every language) -> their code on the console.
_PROBLEM_CATEGORIES = {words: key.removeprefix("category.") for key in REPORT_CATEGORY_KEYS
                       for words in STRINGS[key].values()}
#: What the controller's on_usage may send (anything else is dropped here).
_USAGE_KINDS = frozenset({"started", "abandoned", "printed", "print_failed", "identified"})
_ID_METHODS = frozenset({"idcard", "smartcard", "qrcode", "face"})


def reason_category(reasons: Any) -> str | None:
    """The category of a 差评's first reason: a built-in reason's key, else "other" (a flow's
    own words stay on the terminal); None without reasons."""
    words = [str(r) for r in reasons or ()]
    if not words:
        return None
    return _REASON_CATEGORIES.get(words[0].strip(), "other")


def usage_record(kind: str, occurred_at: datetime, service: str = "", score: int | None = None,
                 category: str | None = None, **codes: Any) -> dict[str, Any]:
    """One usage record in wire form (kiosk.console.wire.UsageIn); ``codes``: step, method,
    problem, categories (empty ones left out)."""
    body: dict[str, Any] = {"kind": kind, "occurred_at": occurred_at.astimezone(UTC).isoformat()}
    if service:
        body["service"] = service
    body.update({key: value for key, value in codes.items() if value})
    if score is not None:
        body["score"] = score
    if category is not None:
        body["category"] = category
    return body


def status_events(device: str, old: DeviceStatus | None,
                  new: DeviceStatus) -> list[dict[str, Any]]:
    """The console events one device status change means (none for the first status)."""
    if old is None or old == new:
        return []
    found: list[dict[str, Any]] = []
    if new.state in _FAULT_STATES and old.state not in _FAULT_STATES:
        found.append(event("device_fault", device, new.state.value))
    elif new.state in _USABLE_STATES and old.state not in _USABLE_STATES:
        found.append(event("device_recovered", device, new.state.value))
    if new.supplies != old.supplies and new.supplies is not None:
        if new.supplies in _PAPER_EVENTS and not (
                new.supplies is SupplyState.OK and old.supplies in (None, SupplyState.UNKNOWN)):
            found.append(event(_PAPER_EVENTS[new.supplies], device))
        elif new.supplies in (SupplyState.JAMMED, SupplyState.COVER_OPEN):
            found.append(event("device_fault", device, new.supplies.value))
    return found


class ConsoleLink:
    """Heartbeats, events and remote operations between one terminal and the console."""

    def __init__(self, client: ConsoleClient, report: Callable[[], Any], controller: Any,
                 call_soon: Callable[[Callable[[], None]], None], interval_seconds: float,
                 *, is_out_of_service: Callable[[], bool] = lambda: False,
                 quiet_window: tuple[str, str] = ("03:00", "05:00"),
                 request_restart: Callable[[], None] = lambda: None,
                 is_idle: Callable[[], bool] = lambda: True,
                 last_update: Callable[[], dict[str, Any]] = dict,
                 clock: Callable[[], datetime] = datetime.now,
                 monotonic: Callable[[], float] = _time.monotonic,
                 state_file: Path | None = None, queue: ConsoleQueue | None = None,
                 diagnostics: Callable[[Path], Any] | None = None) -> None:
        self._client = client
        self._report = report
        self._controller = controller
        self._call_soon = call_soon
        self.interval_seconds = interval_seconds
        self._is_out_of_service = is_out_of_service
        self._window = (_hhmm(quiet_window[0]), _hhmm(quiet_window[1]))
        self._request_restart = request_restart
        self._is_idle = is_idle
        self._last_update = last_update
        self._clock = clock
        self._round = threading.Lock()  # one round at a time
        #: Writes the diagnostics bundle into a folder; returns an ExportResult (ok, path,
        #: detail): kiosk.technician.services.TechnicianServices.export.
        self._diagnostics = diagnostics
        #: Durable (the outbox's database) in a kiosk; in memory when none is given.
        self.queue = queue if queue is not None else ConsoleQueue(None)
        self._counted_prefs: set[str] = set()  # elderly / english counted this session
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._seen_update: dict[str, Any] | None = None
        self._announcement_until: datetime | None = None
        self._restart_pending = False
        self._not_before = datetime.min.replace(tzinfo=UTC)
        self._state = "ok"  # last logged state of the link (ok or an error kind)
        self._answered = False  # the console answered a call in this round
        self._monotonic = monotonic
        self._state_file = state_file
        self._next_heartbeat = 0.0
        self.rounds = 0
        self.heartbeats = 0
        self.failures = 0

    @property
    def state(self) -> str:
        """"ok", or the kind of the last failure (unreachable, refused, ...)."""
        return self._state

    @property
    def running(self) -> bool:
        """True while the link's thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    # -- what the terminal reports ---------------------------------------------------------
    def queue_event(self, body: dict[str, Any]) -> None:
        """Queue one event (see kiosk.platform.console_client.event) and wake the link."""
        body = dict(body)
        body.setdefault("occurred_at", self._clock().astimezone(UTC).isoformat())
        self._put("event", body)
        self._wake.set()

    def _put(self, kind: str, body: dict[str, Any]) -> None:
        try:
            self.queue.put(kind, body)
        except Exception as exc:  # a full disk never stops a device thread or a session
            log_event(log, "console_queue_failed", logging.ERROR, kind=kind,
                      error=type(exc).__name__)

    def on_device_status(self, device: str, old: DeviceStatus | None,
                         new: DeviceStatus) -> None:
        """A device hub status change (any thread): queue the events it means."""
        for body in status_events(device, old, new):
            self.queue_event(body)

    def queue_usage(self, body: dict[str, Any]) -> None:
        """Queue one usage record (see `usage_record`); sent with the next round."""
        self._put("usage", body)

    def on_phase(self, old: Phase, new: Phase, reason: str) -> None:
        """The session lifecycle's phase change: a session begun is counted."""
        if old is Phase.ATTRACT and new is Phase.ACTIVE:
            self._counted_prefs = set()
            self.queue_usage(usage_record("session", self._clock()))

    def on_usage(self, kind: str, service: str = "", step: str = "", method: str = "") -> None:
        """The controller's usage codes (started, abandoned, printed, print_failed at a step;
        identified by a method); anything else is dropped."""
        if kind not in _USAGE_KINDS or (method and method not in _ID_METHODS):
            return
        self.queue_usage(usage_record(kind, self._clock(), service=service, step=step,
                                      method=method))

    def on_preferences(self, prefs: Any) -> None:
        """The preference store changed: elderly mode or English turned on counts once a
        session (the reset at wipe is not a use)."""
        for kind, on in (("elderly", bool(getattr(prefs, "elderly", False))),
                         ("english", str(getattr(prefs, "locale", "")).startswith("en"))):
            if on and kind not in self._counted_prefs:
                self._counted_prefs.add(kind)
                self.queue_usage(usage_record(kind, self._clock()))

    def on_problem(self, report: Any) -> None:
        """The outbox journaled a 办不成事 report: its service, step and category code travel;
        the description and the category's words stay home."""
        words = str(report.category or "").strip()
        self.queue_usage(usage_record(
            "unresolved", self._clock(), service=str(report.service or ""),
            step=str(report.step or ""), problem=_PROBLEM_CATEGORIES.get(words, "other")))
        self._wake.set()

    def on_completed(self, service_id: str) -> None:
        """The controller counted a completed service (its id only)."""
        self.queue_usage(usage_record("completed", self._clock(), service=service_id))

    def on_rating(self, rating: Any) -> None:
        """The outbox journaled a 好差评: only the service, the score and a 差评's category
        leave the terminal (never the comment, the case number or the resident's token)."""
        score = int(rating.score)
        category = reason_category(rating.reasons) if score in _LOW_SCORES else None
        every = [reason_category([r]) for r in rating.reasons or ()][:6] if category else []
        self.queue_usage(usage_record("rating", self._clock(), service=str(rating.service),
                                      score=score, category=category,
                                      categories=list(dict.fromkeys(every))))
        self._wake.set()

    # -- the loop ------------------------------------------------------------------------------
    def start(self) -> None:
        """Queue the start event and begin the rounds on a daemon thread."""
        self.queue_event(event("started"))
        self._thread = threading.Thread(target=self._loop, name="kiosk-console-link",
                                        daemon=True)
        self._thread.start()

    def close(self, timeout_seconds: float = 5.0) -> None:
        """Stop the rounds; send the stop event (best effort, bounded by the client timeout)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_seconds)
        self.queue_event(event("stopped"))
        if not self._round.acquire(timeout=timeout_seconds):
            return  # a round is still stuck on a slow console: do not wait longer
        try:
            self._send_acks()
            self._send_events()
            self._send_usage()
        except ConsoleError as exc:  # the console is down: the stop waits on disk
            log_event(log, "console_stop_unreported", logging.WARNING, kind=exc.kind)
        except Exception as exc:
            log_event(log, "console_link_failed", logging.ERROR, error=type(exc).__name__)
        finally:
            self.queue.close()  # what was not sent stays on disk for the next start
            self._round.release()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_round()
            self._wake.wait(self.interval_seconds)
            self._wake.clear()

    def run_round(self) -> bool:
        """One round: heartbeat and commands (when one is due), acknowledgements, events;
        False when the console could not be reached or refused (logged; the next round tries
        again)."""
        with self._round:
            try:
                return self._round_once()
            except Exception as exc:  # the link must never take the terminal down
                self.failures += 1
                log_event(log, "console_link_failed", logging.ERROR, error=type(exc).__name__)
                return False

    def _round_once(self) -> bool:
        now = self._clock().astimezone(UTC)
        self._housekeep(now)
        if now < self._not_before:
            return False
        self.rounds += 1
        self._note_update()
        self._answered = False
        try:
            if self._monotonic() >= self._next_heartbeat:
                # attempted or not, the next is one interval away: an early wake (a device
                # change) sends only events, never a heartbeat the console would call too soon
                self._next_heartbeat = self._monotonic() + self.interval_seconds - HEARTBEAT_SLACK
                commands = self._client.heartbeat(self._report(),
                                                  out_of_service=self._is_out_of_service())
                self.heartbeats += 1
                self._answered = True
                self._carry_out(commands)
            self._send_acks()
            ok = self._send_events()
            self._send_usage()
        except ConsoleError as exc:
            self._failed(exc, now)
            return False
        # restored only by an answer: a round with nothing to send reached nobody
        if ok and self._answered and self._state != "ok":
            log_event(log, "console_link_restored", previous=self._state)
            self._state = "ok"
        return ok

    def _failed(self, exc: ConsoleError, now: datetime) -> None:
        self.failures += 1
        if exc.kind == "too_many":
            self._not_before = now + _seconds(exc.retry_after_seconds)
        if exc.kind != self._state:
            level = logging.ERROR if exc.kind in ("refused", "invalid") else logging.WARNING
            log_event(log, "console_link_down", level, kind=exc.kind, status=exc.status)
            self._state = exc.kind

    def _send_events(self) -> bool:
        self._drain("event", self._client.events, "console_events_dropped")
        return True

    def _send_usage(self) -> None:
        self._drain("usage", self._client.usage, "console_usage_dropped")

    def _drain(self, kind: str, send: Callable[[list[dict[str, Any]]], int],
               dropped: str) -> None:
        """Send the queued rows of ``kind`` in batches; a row leaves the queue only once the
        console has it (or refused it as malformed: no resend would mend that)."""
        while True:
            batch = self.queue.peek(kind, EVENTS_PER_CALL)
            if not batch:
                return
            try:
                send([item.body for item in batch])
            except ConsoleError as exc:
                if exc.kind != "invalid":
                    raise
                log_event(log, dropped, logging.ERROR, count=len(batch))
            self._answered = True
            self.queue.remove([item.row for item in batch])

    def _send_acks(self) -> None:
        while True:
            batch = self.queue.peek("ack", EVENTS_PER_CALL)
            if not batch:
                return
            for item in batch:
                try:
                    self._client.ack(int(item.body["command_id"]), bool(item.body["ok"]),
                                     str(item.body.get("outcome", "")))
                except ConsoleError as exc:
                    if exc.kind != "invalid":
                        raise
                self._answered = True
                self.queue.remove([item.row])

    def _note_update(self) -> None:
        try:
            update = _with_console_outcome(self._last_update())
        except Exception:  # the updater's report is optional
            return
        if self._seen_update is not None and update and update != self._seen_update:
            detail = f"{update.get('outcome', '')} {update.get('version', '')}".strip()
            self.queue_event(event("update_outcome", "", detail[:200]))
        if update and update != self._seen_update:  # staged rollout adoption (ADR 0721)
            adoption = adoption_event(update)
            if adoption is not None:
                self.queue_event(adoption)
        self._seen_update = update

    def _housekeep(self, now: datetime) -> None:
        """Take down an expired announcement; ask for a pending restart in the quiet window."""
        until = self._announcement_until
        if until is not None and now >= until:
            self._announcement_until = None
            self._call_soon(lambda: self._controller.set_announcement(""))
        if self._restart_pending and self._is_idle() and window_day(
                self._clock(), *self._window) is not None:
            self._restart_pending = False
            log_event(log, "console_restart_requested")
            self._request_restart()

    # -- remote operations ---------------------------------------------------------------------
    def _upload_diagnostics(self, command: ConsoleCommand) -> tuple[bool, str]:
        """Build the PII-free bundle and upload it (on the link's thread, not the UI's)."""
        if self._diagnostics is None:
            return False, "this terminal cannot build a diagnostics bundle"
        try:
            data, why = _read_bundle(self._diagnostics)
        except Exception as exc:  # a bundle that fails is acknowledged as failed
            return False, f"bundle not written: {type(exc).__name__}"
        if data is None:
            return False, why
        try:
            self._client.upload_diagnostics(command.id, data)
        except ConsoleError as exc:
            log_event(log, "console_diagnostics_not_uploaded", logging.WARNING, kind=exc.kind)
            return False, f"upload failed ({exc.kind}): {str(exc)[:120]}"
        log_event(log, "console_diagnostics_uploaded", id=command.id, size=len(data))
        return True, f"diagnostics bundle uploaded ({len(data) / 1024:.0f} KB)"

    def restore(self) -> None:
        """After a restart: hold the terminal out of service again if the console said so, and
        put a running announcement back (from the state file in the data folder)."""
        if self._state_file is None:
            return
        try:
            saved = json.loads(self._state_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            log_event(log, "console_state_unreadable", logging.WARNING, error=type(exc).__name__)
            return
        if not isinstance(saved, dict):
            return
        message = saved.get("out_of_service")
        if isinstance(message, str):
            log_event(log, "console_out_of_service_restored")
            self._call_soon(lambda: self._controller.set_remote_out_of_service(message))
        until = _parse_time(str(saved.get("announcement_until", "")))
        text = saved.get("announcement")
        if isinstance(text, str) and text and until is not None \
                and until > self._clock().astimezone(UTC):
            self._announcement_until = until
            self._call_soon(lambda: self._controller.set_announcement(text))

    def _save(self, **changes: Any) -> None:
        """Record a remote operation's lasting effect (no personal data: operator texts)."""
        if self._state_file is None:
            return
        try:
            saved = json.loads(self._state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            saved = {}
        if not isinstance(saved, dict):
            saved = {}
        saved.update(changes)
        try:
            tmp = self._state_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
            tmp.replace(self._state_file)
        except OSError as exc:
            log_event(log, "console_state_not_saved", logging.WARNING, error=type(exc).__name__)

    def _carry_out(self, commands: list[ConsoleCommand]) -> None:
        """Run each command on the UI thread; wait (bounded) so the acks go out this round."""
        for command in [c for c in commands if c.kind == "diagnostics"]:
            log_event(log, "console_command", id=command.id, kind=command.kind)
            ok, outcome = self._upload_diagnostics(command)
            self._put("ack", {"command_id": command.id, "ok": ok, "outcome": outcome[:200]})
        commands = [c for c in commands if c.kind != "diagnostics"]
        if not commands:
            return
        done = threading.Semaphore(0)
        for command in commands:
            log_event(log, "console_command", id=command.id, kind=command.kind)

            def run(command: ConsoleCommand = command) -> None:
                try:
                    ok, outcome = self._command(command)
                except Exception as exc:  # a command that fails is acknowledged as failed
                    ok, outcome = False, f"failed on the terminal: {type(exc).__name__}"
                self._put("ack", {"command_id": command.id, "ok": ok,
                                  "outcome": outcome[:200]})
                done.release()
            self._call_soon(run)
        for _ in commands:
            if not done.acquire(timeout=UI_WAIT_SECONDS):
                break

    def _command(self, command: ConsoleCommand) -> tuple[bool, str]:
        """Carry out one command (on the UI thread); (ok, outcome for the console)."""
        controller = self._controller
        if command.kind == "out_of_service":
            controller.set_remote_out_of_service(command.message)
            self._save(out_of_service=command.message)
            if controller.lifecycle.phase is Phase.OUT_OF_SERVICE:
                return True, "out of service screen shown"
            return True, "out of service after the current session"
        if command.kind == "return_to_service":
            controller.return_to_service()
            self._save(out_of_service=None)
            if controller.lifecycle.phase is Phase.OUT_OF_SERVICE:
                return True, "back in service; devices still keep it out of service"
            return True, "back in service"
        if command.kind == "announce":
            until = _parse_time(command.until)
            if until is None:
                return False, "announcement without a valid end time"
            self._announcement_until = until
            controller.set_announcement(command.message)
            self._save(announcement=command.message, announcement_until=until.isoformat())
            return True, f"announcement shown until {until.isoformat()}"
        if command.kind == "restart":
            self._restart_pending = True
            start, end = self._window
            return True, (f"restart scheduled in the quiet window {start:%H:%M}-{end:%H:%M}, "
                          "between sessions")
        return False, f"unknown command {command.kind[:40]!r}"


def _read_bundle(write: Callable[[Path], Any]) -> tuple[bytes | None, str]:
    """The bundle's bytes, or None and why not."""
    with tempfile.TemporaryDirectory(prefix="kiosk-diagnostics-") as folder:
        result = write(Path(folder))
        path = getattr(result, "path", None)
        if not getattr(result, "ok", False) or path is None:
            return None, f"bundle not written: {str(getattr(result, 'detail', ''))[:150]}"
        size = Path(path).stat().st_size
        if size > DIAGNOSTICS_MAX_BYTES:
            return None, (f"bundle too large to upload ({size // (1024 * 1024)} MB > "
                          f"{DIAGNOSTICS_MAX_BYTES // (1024 * 1024)} MB); export it in "
                          "technician mode")
        return Path(path).read_bytes(), ""


def _hhmm(text: str) -> time:
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes))


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=max(1.0, value))


def _parse_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class LinkCredentials:
    """How this terminal proves itself to the console: a client certificate (https) or, in the
    demo profile's plain-http development mode only, a token."""

    cert: tuple[str, str] | None = None  # (certificate, key) files
    ca_file: str = ""
    token: str = ""


def link_credentials(settings: Any) -> LinkCredentials | None:
    """The credentials `[console]` names (falling back to `[platform]`'s certificate files, and
    in the demo profile to the throwaway PKI in the data folder); None when there are none
    (logged)."""
    console = settings.console
    if console.url.lower().startswith("https://"):
        platform = settings.platform
        files = {key: str(console.resolved(key) or platform.resolved(key) or "")
                 for key in ("ca_file", "cert_file", "key_file")}
        if not all(files.values()) and settings.profile == "demo":
            from kiosk.platform.connect import DEMO_PKI_DIR
            from kiosk.trust.ca import demo_pki

            demo = demo_pki(settings.data_dir / DEMO_PKI_DIR, settings.terminal_id).terminal
            found = {"ca_file": demo.ca_file, "cert_file": demo.cert_file,
                     "key_file": demo.key_file}
            files = {key: value or str(found[key]) for key, value in files.items()}
        missing = [key for key, value in files.items() if not Path(value).is_file()]
        if missing:
            log_event(log, "console_link_off", logging.ERROR,
                      reason="certificate files missing", keys=",".join(missing))
            return None
        return LinkCredentials((files["cert_file"], files["key_file"]), files["ca_file"])
    path = console.resolved_token_file()
    try:
        token = path.read_text(encoding="utf-8").strip() if path is not None else ""
    except (OSError, UnicodeDecodeError) as exc:
        log_event(log, "console_link_off", logging.ERROR, reason="token file unreadable",
                  path=str(path), error=type(exc).__name__)
        return None
    if not token:
        log_event(log, "console_link_off", logging.ERROR, reason="no token",
                  path=str(path) if path else "")
        return None
    return LinkCredentials(token=token)


def start_console_link(parts: Any) -> ConsoleLink | None:
    """Build and start the link for a composed terminal (kiosk.boot.composition.KioskParts),
    or None when `[console] url` is empty or the credentials cannot be read (logged)."""
    settings = parts.settings
    console = settings.console
    if not console.url:
        return None
    creds = link_credentials(settings)
    if creds is None:
        return None
    client = ConsoleClient(console.url, settings.terminal_id, creds.token,
                           timeout_seconds=console.timeout_seconds, cert=creds.cert,
                           ca_file=creds.ca_file)
    updater = parts.updater

    def last_update() -> dict[str, Any]:
        return dict(updater.heartbeat()) if updater is not None else {}

    collect = TerminalReport(parts.hub, parts.outbox, parts.lifecycle,
                             cert_file=settings.platform.resolved("cert_file"),
                             bundle_version=lambda: parts.bundle_version, last_update=last_update)
    hub = parts.hub

    def report() -> Any:
        """The platform heartbeat's report without the devices this site does not have
        (``none`` in [devices]): absent is not a fault."""
        full = collect()
        absent = {name for name, url in hub.urls().items() if url == "none"}
        return full.model_copy(update={"devices": {
            name: device for name, device in full.devices.items() if name not in absent},
            "last_update": _console_last_update(full.last_update)})
    lifecycle = parts.lifecycle
    technician = getattr(parts, "technician", None)  # its services write the bundle
    export = technician.services.export if technician is not None else None
    link = ConsoleLink(
        client, report, parts.controller, parts.runner.call_soon, console.interval_seconds,
        is_out_of_service=lambda: lifecycle.phase is Phase.OUT_OF_SERVICE,
        quiet_window=(settings.housekeeping.window_start, settings.housekeeping.window_end),
        request_restart=parts.restart_requested.set,
        is_idle=lambda: lifecycle.phase in (Phase.ATTRACT, Phase.OUT_OF_SERVICE),
        last_update=last_update, state_file=settings.data_dir / STATE_FILE_NAME,
        queue=parts.outbox.console_queue(), diagnostics=export)
    parts.hub.watch(link.on_device_status)
    wire_usage(parts, link)
    link.restore()
    link.start()
    return link


def _console_last_update(update: dict[str, Any]) -> dict[str, Any]:
    """The heartbeat's ``last_update`` in the console's shape (kiosk.console.wire.UpdateOutcome:
    it refuses the updater's own field names), with the plain-words summary (ADR 0731)."""
    if not update:
        return {}
    from kiosk.updates.plain import console_update

    return dict(console_update(update))


def _with_console_outcome(update: dict[str, Any]) -> dict[str, Any]:
    """The updater's fields plus ``outcome`` (ok/failed/...) and ``version``, which the
    ``update_outcome`` event's detail is made of (the console marks "failed")."""
    found = dict(update)
    if found:
        shaped = _console_last_update(found)
        found.update(outcome=shaped["outcome"], version=shaped["version"])
    return found


def wire_usage(parts: Any, link: Any) -> None:
    """Tell ``link`` (a ConsoleLink, or anything with its on_* methods) the usage of a
    composed terminal: sessions, the controller's codes and completions, journaled ratings and
    办不成事 reports, preference changes."""
    parts.lifecycle.on_change(link.on_phase)
    parts.controller.on_completed = link.on_completed
    parts.controller.on_usage = link.on_usage
    parts.outbox.on_rating = link.on_rating
    parts.outbox.on_problem = link.on_problem
    parts.prefs.subscribe(link.on_preferences)
