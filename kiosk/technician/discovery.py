"""What can be connected: serial ports, PC/SC readers, cameras and printers, as device URLs.

Every probe is short and releases what it touched (a camera is opened non-blocking for one
capability query and closed; a serial port is not opened at all). A probe that cannot run (no
pcscd, no /dev/v4l) contributes nothing and a note, never an exception. In the demo profile
the simulators are always offered too.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import re
import shutil
import socket
import struct
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from flows.ports import DeviceName

SERIAL_BY_ID_DIR = Path("/dev/serial/by-id")
INPUT_BY_ID_DIR = Path("/dev/input/by-id")
#: Serial device nodes worth offering besides what pyserial lists.
DEFAULT_SERIAL_GLOBS: tuple[str, ...] = ("/dev/ttyUSB*", "/dev/ttyACM*")
#: A localhost CUPS/IPP server is probed on this port with this connect timeout.
IPP_PORT = 631
PROBE_TIMEOUT_SECONDS = 0.3
#: VIDIOC_QUERYCAP = _IOR('V', 0, struct v4l2_capability) (104 bytes).
VIDIOC_QUERYCAP = 0x80685600
V4L2_CAP_VIDEO_CAPTURE = 0x00000001
V4L2_CAP_DEVICE_CAPS = 0x80000000
SIM_URLS: dict[str, str] = {
    DeviceName.IDCARD: "sim://idcard", DeviceName.SMARTCARD: "sim://smartcard",
    DeviceName.CAMERA: "sim://camera", DeviceName.SCANNER: "sim://scanner",
    DeviceName.RECEIPT_PRINTER: "sim://receipt", DeviceName.DOCUMENT_PRINTER: "sim://docprinter",
}
SERIAL_DEVICES = (DeviceName.IDCARD, DeviceName.SCANNER, DeviceName.RECEIPT_PRINTER)


@dataclass(frozen=True, slots=True)
class SerialPort:
    """A serial port: its node, its stable /dev/serial/by-id name, and USB ids when known."""

    device: str
    by_id: str = ""
    vid: int | None = None
    pid: int | None = None
    description: str = ""

    @property
    def stable_path(self) -> str:
        """The by-id path when there is one (survives re-plugging), else the node."""
        return self.by_id or self.device

    def label(self) -> str:
        """Technician-facing one-liner."""
        ids = f" [{self.vid:04X}:{self.pid:04X}]" if self.vid is not None and \
            self.pid is not None else ""
        name = Path(self.by_id).name if self.by_id else self.device
        desc = f" {self.description}" if self.description and self.description != "n/a" else ""
        return f"{name}{ids}{desc}"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One connection a device could use."""

    device: str
    url: str
    label: str
    simulated: bool = False


@dataclass
class Discovery:
    """Everything found, with notes on probes that could not run."""

    serial_ports: list[SerialPort] = field(default_factory=list)
    pcsc_readers: list[str] = field(default_factory=list)
    cameras: list[str] = field(default_factory=list)
    printer_uris: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    candidates: dict[str, list[Candidate]] = field(default_factory=dict)

    def for_device(self, device: str) -> list[Candidate]:
        """The candidates for one device (configured first, then found, then simulators)."""
        return list(self.candidates.get(device, []))


# -- probes ------------------------------------------------------------------------------------
def serial_ports(extra_globs: Sequence[str] = (),
                 by_id_dir: Path = SERIAL_BY_ID_DIR) -> list[SerialPort]:
    """Serial ports from pyserial plus ``extra_globs`` (e.g. a simulator's pty link)."""
    from serial.tools import list_ports

    by_id: dict[str, str] = {}
    if by_id_dir.is_dir():
        for link in sorted(by_id_dir.iterdir()):
            with contextlib.suppress(OSError):
                by_id[os.path.realpath(link)] = str(link)
    found: dict[str, SerialPort] = {}
    for info in list_ports.comports(include_links=True):
        real = os.path.realpath(info.device)
        if real in found or (info.description == "n/a" and info.vid is None
                             and real not in by_id and "/ttyS" in real):
            continue  # built-in 16550 ports with nothing behind them are noise
        found[real] = SerialPort(real, by_id.get(real, ""), info.vid, info.pid,
                                 info.description or "")
    for pattern in (*DEFAULT_SERIAL_GLOBS, *extra_globs):
        for path in sorted(glob.glob(pattern)):
            real = os.path.realpath(path)
            if real not in found and os.path.exists(real):
                found[real] = SerialPort(path if path != real else real, by_id.get(real, ""))
    return list(found.values())


def pcsc_readers(list_readers: Callable[[], Iterable[object]] | None = None
                 ) -> tuple[list[str], str]:
    """PC/SC reader names and a note ("" when fine); tolerates no pcscd."""
    try:
        if list_readers is None:
            from smartcard.System import readers as system_readers

            return [str(r) for r in system_readers()], ""
        return [str(r) for r in list_readers()], ""
    except Exception as exc:  # no pcscd, no libpcsclite: a note, not a failure
        return [], f"PC/SC: {type(exc).__name__}: {str(exc)[:120]}"


def _is_capture_node(path: str) -> bool:
    """Ask the V4L2 node for its capabilities (opened non-blocking, closed at once)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        buf = bytearray(104)
        fcntl.ioctl(fd, VIDIOC_QUERYCAP, buf)
        caps, device_caps = struct.unpack_from("<II", buf, 84)
        effective = device_caps if caps & V4L2_CAP_DEVICE_CAPS else caps
        return bool(effective & V4L2_CAP_VIDEO_CAPTURE)
    except OSError:
        return False
    finally:
        os.close(fd)


def cameras(pattern: str = "/dev/video*") -> list[str]:
    """Video capture nodes (metadata nodes of the same camera are left out)."""
    return [p for p in sorted(glob.glob(pattern)) if _is_capture_node(p)]


def printer_uris(configured: Iterable[str] = (), host: str = "127.0.0.1",
                 port: int = IPP_PORT) -> tuple[list[str], str]:
    """Configured ipp:// URIs plus the queues of a local CUPS server when one answers."""
    uris = [u for u in configured if u.startswith(("ipp://", "ipps://"))]
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_SECONDS):
            pass
    except OSError:
        return uris, f"no IPP server on {host}:{port}"
    lpstat = shutil.which("lpstat")
    if lpstat:
        try:
            out = subprocess.run([lpstat, "-h", f"{host}:{port}", "-e"], capture_output=True,
                                 text=True, timeout=3).stdout
            uris += [f"ipp://localhost:{port}/printers/{q}" for q in out.split() if q]
        except (OSError, subprocess.SubprocessError):
            pass
    if not any(u.startswith(f"ipp://localhost:{port}") for u in uris):
        uris.append(f"ipp://localhost:{port}/ipp/print")
    return list(dict.fromkeys(uris)), ""


def _evdev_scanners(by_id_dir: Path = INPUT_BY_ID_DIR) -> list[str]:
    if not by_id_dir.is_dir():
        return []
    return [str(p) for p in sorted(by_id_dir.iterdir()) if p.name.endswith("-event-kbd")]


# -- candidates ------------------------------------------------------------------------------------
def serial_url(device: str, port: SerialPort, baud: int | None = None) -> str:
    """The URL a driver needs for ``port`` (by-id names are stable across re-plugging)."""
    path = port.stable_path
    if device == DeviceName.IDCARD:
        return f"serial://{path}" + (f"?baud={baud}" if baud else "")
    if device == DeviceName.RECEIPT_PRINTER:
        return f"escpos+serial://{path}" + (f"?baud={baud}" if baud else "")
    return f"serial://{path}"


def discover(configured: dict[str, str], demo: bool, serial_globs: Sequence[str] = (),
             list_readers: Callable[[], Iterable[object]] | None = None,
             probe_ipp: bool = True) -> Discovery:
    """Probe everything and build the candidates per device."""
    found = Discovery()
    found.serial_ports = serial_ports(serial_globs)
    found.pcsc_readers, note = pcsc_readers(list_readers)
    if note:
        found.notes.append(note)
    found.cameras = cameras()
    configured_printers = [configured.get(DeviceName.DOCUMENT_PRINTER, "")]
    if probe_ipp:
        found.printer_uris, note = printer_uris(configured_printers)
        if note:
            found.notes.append(note)
    else:
        found.printer_uris = [u for u in configured_printers if u.startswith("ipp")]
    cands: dict[str, list[Candidate]] = {name: [] for name in SIM_URLS}

    def add(device: str, url: str, label: str, simulated: bool = False) -> None:
        if all(c.url != url for c in cands[device]):
            cands[device].append(Candidate(device, url, label, simulated))

    for device, url in configured.items():
        if device in cands and url and url != "none":
            add(device, url, f"当前: {url}", url.startswith("sim://"))
    for port in found.serial_ports:
        for device in SERIAL_DEVICES:
            add(device, serial_url(device, port), port.label())
    for reader in found.pcsc_readers:
        add(DeviceName.SMARTCARD, f"pcsc://{re.escape(reader)}", reader)
    for node in found.cameras:
        add(DeviceName.CAMERA, f"opencv://{node}", node)
    for path in _evdev_scanners():
        add(DeviceName.SCANNER, f"evdev://{path}", Path(path).name)
    for uri in found.printer_uris:
        add(DeviceName.DOCUMENT_PRINTER, uri, uri)
    if demo:
        for device, url in SIM_URLS.items():
            add(device, url, f"模拟器 {url}", True)
    for device in cands:
        add(device, "none", "停用 (none)")
    found.candidates = cands
    return found


def with_baud(url: str, baud: int) -> str:
    """``url`` with its ``?baud=`` set (serial idcard and ESC/POS serial URLs only)."""
    if not url.startswith(("serial://", "escpos+serial://")):
        return url
    base = re.sub(r"[?&]baud=\d+", "", url)
    return f"{base}{'&' if '?' in base else '?'}baud={baud}"


def baud_of(url: str) -> int | None:
    """The ``?baud=`` of a URL, if any."""
    match = re.search(r"[?&]baud=(\d+)", url)
    return int(match.group(1)) if match else None
