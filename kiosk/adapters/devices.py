"""The device hub: opens every configured device by URL, keeps their status, and forwards
their events onto the UI thread. A device that cannot be opened, or vanishes, is a status,
never a crash; opening is retried in the background.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from drivers.interfaces import DeviceEvent
from drivers.status import DeviceState, DeviceStatus
from flows.ports import DeviceName
from kiosk.core.device_labels import DISABLED
from kiosk.core.events import log_event

log = logging.getLogger(__name__)

#: device name -> "module:factory"; each factory takes (url, **options) and returns a Device.
FACTORIES: dict[str, str] = {
    DeviceName.IDCARD: "drivers.idcard:open_idcard_reader",
    DeviceName.SMARTCARD: "drivers.smartcard:open_smartcard_reader",
    DeviceName.CAMERA: "drivers.camera:open_camera",
    DeviceName.SCANNER: "drivers.scanner:open_scanner",
    DeviceName.RECEIPT_PRINTER: "drivers.receipt:open_receipt_printer",
    DeviceName.DOCUMENT_PRINTER: "drivers.docprinter:open_document_printer",
}

HubListener = Callable[[str, DeviceEvent], None]


def hardware_options(hardware: Any) -> dict[str, dict[str, Any]]:
    """Factory options from the ``[hardware]`` settings (camera size, scanner baud rate)."""
    width, height = hardware.camera_size
    return {DeviceName.CAMERA: {"width": width, "height": height},
            DeviceName.SCANNER: {"baudrate": hardware.scanner_baud}}


class DeviceHub:
    """Owns the device objects; all callbacks reach ``listener`` through ``call_soon``."""

    def __init__(self, urls: dict[str, str], call_soon: Callable[[Callable[[], None]], None],
                 options: dict[str, dict[str, Any]] | None = None) -> None:
        self._urls = dict(urls)
        self._call_soon = call_soon
        self._options = options or {}
        self._devices: dict[str, Any] = {}
        self._status: dict[str, DeviceStatus] = {}
        self._lock = threading.Lock()
        self._listener: HubListener | None = None
        self._watchers: list[Callable[[str, DeviceStatus | None, DeviceStatus], None]] = []

    def watch(self, watcher: Callable[[str, DeviceStatus | None, DeviceStatus], None]) -> None:
        """Also call ``watcher(name, old, new)`` on every status change, on the thread that saw
        it (it must be quick and must not touch the UI: the console link queues an event)."""
        self._watchers.append(watcher)

    def start(self, listener: HubListener) -> None:
        """Open every configured device (failures become statuses)."""
        self._listener = listener
        for name in self._urls:
            self._open(name)

    def _open(self, name: str) -> None:
        url = self._urls[name]
        if url == "none":
            self._set_status(name, DISABLED)
            return
        try:
            module_name, factory_name = FACTORIES[name].split(":")
            factory = getattr(importlib.import_module(module_name), factory_name)
            device = factory(url, **self._options.get(name, {}))
            device.start(lambda event, _name=name: self._on_event(_name, event))
        except Exception as exc:  # any failure to open is a status, never a crash
            log_event(log, "device_open_failed", logging.WARNING, device=name,
                      error=type(exc).__name__, detail=str(exc)[:200])
            self._set_status(name, DeviceStatus(DeviceState.NO_DEVICE, f"cannot open: {exc}"[:200]))
            return
        with self._lock:
            self._devices[name] = device
        self._set_status(name, device.status())

    def retry_missing(self) -> None:
        """Try again to open devices that failed to open (called every few seconds)."""
        for name, url in self._urls.items():
            with self._lock:
                opened = name in self._devices
            if not opened and url != "none":
                self._open(name)

    def restart(self, name: str, url: str,
                options: dict[str, Any] | None = None) -> DeviceStatus:
        """Close and reopen one device with a new URL (technician mode), without an app restart;
        ``options`` (when given) replace that device's factory options."""
        with self._lock:
            old = self._devices.pop(name, None)
        if old is not None:
            _stop_quietly(old)
        self._urls[name] = url
        if options is not None:
            self._options[name] = dict(options)
        self._open(name)
        return self.status(name)

    def _on_event(self, name: str, event: DeviceEvent) -> None:
        if event.kind == "status" and isinstance(event.payload, DeviceStatus):
            self._set_status(name, event.payload)
            return
        listener = self._listener
        if listener is not None:
            self._call_soon(lambda: listener(name, event))

    def _set_status(self, name: str, status: DeviceStatus) -> None:
        with self._lock:
            old = self._status.get(name)
            self._status[name] = status
        if old != status:
            log_event(log, "device_status", device=name,
                      old=old.describe() if old else "-", new=status.describe())
            listener = self._listener
            if listener is not None:
                self._call_soon(lambda: listener(name, DeviceEvent("status", status, name)))
            for watcher in list(self._watchers):
                try:
                    watcher(name, old, status)
                except Exception as exc:  # a watcher must not break device handling
                    log_event(log, "device_watcher_failed", logging.WARNING,
                              error=type(exc).__name__)

    def status(self, name: str) -> DeviceStatus:
        """The last known status of ``name`` (NO_DEVICE when unknown)."""
        with self._lock:
            return self._status.get(name, DeviceStatus(DeviceState.NO_DEVICE, "not configured"))

    def statuses(self) -> dict[str, DeviceStatus]:
        """All statuses by device name."""
        with self._lock:
            return dict(self._status)

    def usable(self, name: str) -> bool:
        """True when ``name`` can serve a resident now."""
        return self.status(name).usable

    def get(self, name: str) -> Any | None:
        """The device object, or None when it is not open."""
        with self._lock:
            return self._devices.get(name)

    def simulator(self, name: str) -> Any | None:
        """The simulator handle of a simulated device (demo panel, tests), else None."""
        device = self.get(name)
        return getattr(device, "simulator", None)

    def urls(self) -> dict[str, str]:
        """The configured URL per device."""
        return dict(self._urls)

    def stop(self) -> None:
        """Stop every device."""
        with self._lock:
            devices = list(self._devices.values())
            self._devices.clear()
        for device in devices:
            _stop_quietly(device)


def _stop_quietly(device: Any) -> None:
    try:
        device.stop()
    except Exception as exc:  # stopping a broken device must not stop the app
        log_event(log, "device_stop_failed", logging.WARNING, error=type(exc).__name__)
