"""`kiosk doctor [--json]`: the technician's checks without a screen, one line per check.

Checks the configuration, the bundled font, the data folder and log folder, the service platform
(reachability and latency), every configured device (opened through the same hub the kiosk
uses), the outbox depth, the active flow bundle and the update status. Exit 0 when every needed
check passes, 1 otherwise, 2 for a configuration error. Informational checks (outbox, bundle,
updates) are printed as ``warn`` when not fine but do not change the exit code.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.boot.resources import FONT_PATH
from kiosk.boot.settings import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from kiosk.platform.connect import PlatformConnection

from kiosk.boot.logs import configure_logging
from kiosk.core.events import log_event

log = logging.getLogger(__name__)

#: How long devices get to report their first status (simulators start processes).
DEVICE_SETTLE_SECONDS = 8.0


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the report."""

    name: str
    ok: bool
    detail: str
    needed: bool = True


def _check_font() -> Check:
    return Check("font", FONT_PATH.is_file(), str(FONT_PATH))


def _check_data_dir(settings: Settings) -> Check:
    path = settings.data_dir
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path):
            pass
        return Check("data_dir", True, f"{path} writable")
    except OSError as exc:
        return Check("data_dir", False, f"{path}: {exc.strerror}")


def _check_platform(settings: Settings) -> tuple[Check, PlatformConnection | None]:
    from kiosk.platform.connect import PlatformConfigError, connect
    from kiosk.platform.errors import PlatformError

    try:
        connection = connect(settings)
    except PlatformConfigError as exc:
        return Check("platform", False, str(exc)), None
    base_url = connection.base_url
    started = time.perf_counter()
    try:
        health = connection.client.health()
        latency_ms = (time.perf_counter() - started) * 1000
        detail = f"{base_url} ok, version {health.version}, {latency_ms:.0f} ms"
        if connection.sandbox is not None:
            detail += " (embedded sandbox)"
        return Check("platform", True, detail), connection
    except PlatformError as exc:
        # kind and code (e.g. "unavailable: tls_failed"): a technician can tell a certificate
        # problem from a network one
        return Check("platform", False, f"{base_url}: {exc}"), connection


def _check_devices(settings: Settings) -> list[Check]:
    from kiosk.adapters.devices import DeviceHub

    hub = DeviceHub(settings.devices.model_dump(), call_soon=lambda fn: fn())
    hub.start(lambda name, event: None)
    deadline = time.monotonic() + DEVICE_SETTLE_SECONDS
    while time.monotonic() < deadline:
        if all(s.state.value != "busy" for s in hub.statuses().values()):
            break
        time.sleep(0.2)
    checks = []
    for name, url in hub.urls().items():
        status = hub.status(name)
        checks.append(Check(f"device.{name}", url == "none" or status.usable,
                            f"{url}: {status.describe()}", needed=url != "none"))
    hub.stop()
    return checks


def _check_terminal_facts(settings: Settings) -> list[Check]:
    from kiosk.technician.status import log_dir_fact, outbox_fact, update_facts

    log_dir = log_dir_fact(settings.data_dir / "log")
    checks = [Check(log_dir.name, log_dir.ok, log_dir.detail)]
    for fact in [outbox_fact(settings.data_dir),
                 *update_facts(settings.data_dir, settings.updates)]:
        checks.append(Check(fact.name, fact.ok, fact.detail, needed=False))
    return checks


def _guarded(name: str, check: Callable[[], list[Check]]) -> list[Check]:
    """Run one group of checks; an unexpected failure is a FAIL line, never a traceback."""
    try:
        return check()
    except Exception as exc:
        log_event(log, "doctor_check_failed", logging.ERROR, check=name,
                  error=type(exc).__name__)
        log.debug("doctor check failure", exc_info=True)
        detail = str(exc).splitlines()[0][:160] if str(exc) else ""
        return [Check(name, False, f"could not be checked: {type(exc).__name__}"
                      + (f" ({detail})" if detail else "") + "; see the log")]


def run_checks(settings: Settings) -> list[Check]:
    """All checks, in the order they are printed."""
    checks = [*_guarded("font", lambda: [_check_font()]),
              *_guarded("data_dir", lambda: [_check_data_dir(settings)]),
              *_guarded("terminal", lambda: _check_terminal_facts(settings))]
    found: list[PlatformConnection | None] = [None]

    def platform() -> list[Check]:
        check, found[0] = _check_platform(settings)
        return [check]
    checks += _guarded("platform", platform)
    try:
        checks += _guarded("devices", lambda: _check_devices(settings))
    finally:
        connection = found[0]
        if connection is not None:
            connection.close()  # also stops the embedded sandbox
    return checks


def main(argv: list[str]) -> int:
    """Print the checks; exit 0 when every needed one passes."""
    parser = argparse.ArgumentParser(prog="kiosk doctor", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--site", type=Path, help="site file (default: config/site.toml)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(site_file=args.site)
    except ConfigError as exc:
        if args.json:
            print(json.dumps({"ok": False, "config_error": str(exc)}, ensure_ascii=False))
        print(f"kiosk: configuration error:\n{exc}", file=sys.stderr)
        return 2
    os.environ.setdefault("KIOSK_DOCTOR", "1")
    try:  # drivers log (and log.exception) to the file, never onto the technician's console
        configure_logging(settings.data_dir / "log", settings.logging.level,
                          settings.logging.max_bytes, settings.logging.backups)
    except OSError as exc:
        print(f"kiosk doctor: the log folder cannot be written ({exc.strerror}); "
              "messages go to the console", file=sys.stderr)
    checks = run_checks(settings)
    ok = all(c.ok for c in checks if c.needed)
    if args.json:
        print(json.dumps({"ok": ok, "terminal_id": settings.terminal_id,
                          "profile": settings.profile, "checks": [asdict(c) for c in checks]},
                         ensure_ascii=False, indent=2))
    else:
        for check in checks:
            mark = "ok  " if check.ok else ("FAIL" if check.needed else "warn")
            print(f"{mark} {check.name:<26} {check.detail}")
        print("all needed checks passed" if ok else "some needed checks FAILED")
    return 0 if ok else 1
