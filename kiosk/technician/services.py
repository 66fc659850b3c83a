"""Everything the technician screens need, without Kivy: one object built from the terminal's
parts, with blocking methods the screen runs on its worker thread.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.adapters.devices import hardware_options
from kiosk.boot.settings import DEFAULTS_FILE, SITE_FILE
from kiosk.core.accessibility import DEFAULT_VOLUME
from kiosk.core.events import log_event
from kiosk.i18n import N_
from kiosk.technician.device_tests import TestOptions, TestResult, run_device_test
from kiosk.technician.diagnostics import ExportResult, export_bundle, export_targets, recent_errors
from kiosk.technician.discovery import Discovery, discover
from kiosk.technician.pin import PinStore, pin_store_for, write_json_atomically
from kiosk.technician.sitefile import SiteWriteResult, update_site_file
from kiosk.technician.status import Fact, log_dir_fact, outbox_fact, platform_fact, update_facts

if TYPE_CHECKING:  # the pydantic models load when validating, not to start (ADR 0816)
    from kiosk.boot.settings import Settings

log = logging.getLogger(__name__)

#: Volume steps offered on the screen (percent).
VOLUME_STEP_PERCENT = 10
DEFAULT_VOLUME_PERCENT = DEFAULT_VOLUME
PREFS_FILE_NAME = "prefs.json"


def default_site_file() -> Path:
    """The site file the kiosk was started with (KIOSK_SITE_FILE, else config/site.toml)."""
    return Path(os.environ.get("KIOSK_SITE_FILE") or SITE_FILE)


def load_volume(data_dir: Path) -> int:
    """The volume a technician set (percent; the voice prompts read it)."""
    try:
        data = json.loads((data_dir / "technician" / PREFS_FILE_NAME).read_text("utf-8"))
        return max(0, min(100, int(data.get("volume_percent", DEFAULT_VOLUME_PERCENT))))
    except (OSError, ValueError, TypeError, AttributeError):
        return DEFAULT_VOLUME_PERCENT


def save_volume(data_dir: Path, percent: int) -> int:
    """Store the volume (clamped to 0..100) and return it."""
    value = max(0, min(100, int(percent)))
    write_json_atomically(data_dir / "technician" / PREFS_FILE_NAME, {"volume_percent": value})
    return value


@dataclass
class TechnicianServices:
    """The technician's view of one terminal. Blocking methods: call them off the UI thread."""

    settings: Settings
    hub: Any  # kiosk.adapters.devices.DeviceHub
    site_file: Path = field(default_factory=default_site_file)
    pins: PinStore | None = None
    client: Any = None  # kiosk.platform.client.PlatformClient
    defaults_file: Path = DEFAULTS_FILE
    serial_globs: Sequence[str] = ()
    probe_ipp: bool = True
    test_options: TestOptions | None = None
    device_test: Callable[[str, str, TestOptions], TestResult] = run_device_test
    on_saved: Callable[[Settings], None] | None = None
    #: Called with the new site volume (e.g. to make it the sessions' default).
    on_volume: Callable[[int], None] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.pins is None:
            self.pins = pin_store_for(self.settings.data_dir, profile=self.settings.profile)

    # -- facts -------------------------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        """The terminal's data folder."""
        return self.settings.data_dir

    @property
    def log_dir(self) -> Path:
        """Where the kiosk's logs are."""
        return self.data_dir / "log"

    def facts(self) -> list[Fact]:
        """Terminal id and site, platform, outbox, bundle, updates, log folder (blocking)."""
        s = self.settings
        facts = [Fact("terminal", True, f"{s.terminal_id}  {s.site_name}  ({s.profile})",
                      N_("{terminal}  {site}  （{profile}）"),
                      (("terminal", s.terminal_id), ("site", s.site_name),
                       ("profile", str(s.profile))))]
        if self.client is not None:
            facts.append(platform_fact(self.client, s.platform.base_url or "sandbox"))
        facts.append(outbox_fact(self.data_dir))
        facts += update_facts(self.data_dir, s.updates)
        facts.append(log_dir_fact(self.log_dir))
        return facts

    def recent_errors(self, limit: int = 12) -> list[str]:
        """The last warning/error log lines, already masked, shortened for the screen."""
        lines = recent_errors(self.log_dir, limit)
        out = []
        for line in lines:
            try:
                record = json.loads(line)
                text = " ".join(f"{k}={v}" for k, v in record.items() if k not in ("logger",))
            except ValueError:
                text = line
            out.append(text[:160])
        return out

    # -- devices -----------------------------------------------------------------------------
    def discover(self) -> Discovery:
        """What can be connected (blocking: probes)."""
        return discover(self.hub.urls(), self.settings.profile == "demo", self.serial_globs,
                        probe_ipp=self.probe_ipp)

    def options_for(self, hardware: dict[str, Any]) -> TestOptions:
        """Test options for the chosen parameters."""
        base = self.test_options or TestOptions()
        hw = self.settings.hardware.model_copy(update=hardware)
        return TestOptions(self.settings.terminal_id, hw.receipt_width_chars, hw.camera_size,
                           hw.scanner_baud, base.present_timeout_seconds,
                           base.open_timeout_seconds, base.simulate_presentation)

    def test_device(self, name: str, url: str, hardware: dict[str, Any]) -> TestResult:
        """Test ``name`` at ``url``. A real port in use by the running device is released
        for the test and the running device reopened afterwards."""
        current = self.hub.urls().get(name, "none")
        release = not url.startswith("sim://") and current != "none" and \
            not current.startswith("sim://")
        with self._lock:
            if release:
                self.hub.restart(name, "none")
            try:
                result = self.device_test(name, url, self.options_for(hardware))
            finally:
                if release:
                    self.hub.restart(name, current)
        log_event(log, "technician_device_test", device=name, url=url, ok=result.ok,
                  detail=result.detail)
        return result

    def save_device(self, name: str, url: str, hardware: dict[str, Any]) -> SiteWriteResult:
        """Write the site file (validated, atomic, backed up) and reopen the device."""
        changes: dict[str, Any] = {f"devices.{name}": url}
        changes.update({f"hardware.{k}": v for k, v in hardware.items()})
        with self._lock:
            result = update_site_file(self.site_file, changes, self.defaults_file)
            if not result.ok:
                log_event(log, "technician_save_refused", logging.WARNING, device=name,
                          reason=result.reason)
                return result
            self.settings = self.settings.model_copy(update={
                "devices": self.settings.devices.model_copy(update={name: url}),
                "hardware": self.settings.hardware.model_copy(update=hardware)})
            options = hardware_options(self.settings.hardware).get(name)
            status = self.hub.restart(name, url, options) if options is not None \
                else self.hub.restart(name, url)
        log_event(log, "technician_device_saved", device=name, url=url,
                  status=status.describe())
        if self.on_saved is not None:
            self.on_saved(self.settings)
        return result

    # -- export, volume ----------------------------------------------------------------------
    def export_targets(self) -> list[Path]:
        """Mounted USB sticks, then the data folder's exports."""
        return export_targets(self.data_dir)

    def export(self, dest: Path) -> ExportResult:
        """Write the diagnostics bundle to ``dest`` (blocking)."""
        statuses = {name: s.describe() for name, s in self.hub.statuses().items()}
        facts = {f.name: {"ok": f.ok, "detail": f.detail} for f in self.facts()}
        outbox = facts.get("outbox", {})
        config = self.settings.model_dump(mode="json")
        config["devices"] = {k: re.sub(r"(://)[^/@]+@", r"\1[removed]@", v)
                             for k, v in config["devices"].items()}
        return export_bundle(dest, config=config, statuses=statuses, log_dir=self.log_dir,
                             outbox=outbox, extra={"facts": facts, "time": time.time()},
                             terminal_id=self.settings.terminal_id)

    def volume(self) -> int:
        """The stored volume (percent)."""
        return load_volume(self.data_dir)

    def set_volume(self, percent: int) -> int:
        """Store the volume (percent) and return it."""
        value = save_volume(self.data_dir, percent)
        if self.on_volume is not None:
            self.on_volume(value)
        return value
