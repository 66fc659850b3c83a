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
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from kiosk.resources import FONT_PATH
from kiosk.settings import ConfigError, Settings, load_settings

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


def _check_platform(settings: Settings) -> tuple[Check, object | None]:
    from kiosk.platform.client import PlatformClient
    from kiosk.platform.errors import PlatformError

    sandbox = None
    base_url = settings.platform.base_url
    if not base_url:
        from kiosk.sandbox.server import start_sandbox

        sandbox = start_sandbox(settings.data_dir / "sandbox.sqlite3")
        base_url = sandbox.url
    client = PlatformClient.from_settings(settings.platform, settings.terminal_id, base_url)
    started = time.perf_counter()
    try:
        health = client.health()
        latency_ms = (time.perf_counter() - started) * 1000
        detail = f"{base_url} ok, version {health.version}, {latency_ms:.0f} ms"
        if sandbox is not None:
            detail += " (embedded sandbox)"
        return Check("platform", True, detail), sandbox
    except PlatformError as exc:
        return Check("platform", False, f"{base_url}: {exc.kind}"), sandbox
    finally:
        client.close()


def _check_devices(settings: Settings) -> list[Check]:
    from kiosk.devices import DeviceHub

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
    for fact in [outbox_fact(settings.data_dir), *update_facts(settings.data_dir)]:
        checks.append(Check(fact.name, fact.ok, fact.detail, needed=False))
    return checks


def run_checks(settings: Settings) -> list[Check]:
    """All checks, in the order they are printed."""
    checks = [_check_font(), _check_data_dir(settings), *_check_terminal_facts(settings)]
    platform, sandbox = _check_platform(settings)
    checks.append(platform)
    try:
        checks += _check_devices(settings)
    finally:
        if sandbox is not None:
            sandbox.stop()  # type: ignore[attr-defined]
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
