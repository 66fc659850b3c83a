"""Testing a device before its connection is saved: open it from the candidate URL with the
driver factory (separately from the running hub), make it do its job once, stop it.

- card readers: wait for a card to be read (``identity_read``), showing only a masked number;
- receipt printer: print a short test receipt at the chosen paper width;
- document printer: print a one-page test PDF (bundled CJK font);
- camera: grab a frame and run face detection; the result carries a PNG with the face box;
- scanner: wait for a scanned code.

On a simulator the test also plays the technician's hand (inserts a test card, shows a face,
scans a code), so a demo terminal can be tested end to end. A device that does not answer, a
bad URL, or a timeout is a `TestResult` with ``ok=False`` and the reason, never an exception.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from drivers.interfaces import DeviceEvent
from drivers.status import DeviceState, DeviceStatus
from flows.ports import DeviceName
from identifiers.masking import mask_id_number
from kiosk.adapters.devices import FACTORIES

#: How long a card reader or scanner test waits for the technician's card or code.
PRESENT_TIMEOUT_SECONDS = 20.0
#: How long a device gets to report a usable status after opening.
OPEN_TIMEOUT_SECONDS = 10.0
#: How long the camera test waits for a frame.
FRAME_TIMEOUT_SECONDS = 5.0
#: Device states that end a test at once (nothing there, or not answering).
FATAL_STATES = frozenset({DeviceState.NO_DEVICE, DeviceState.OFFLINE, DeviceState.ERROR})
TEST_CODE = "KIOSK-TEST-0001"
#: What the receipt driver says of a printer that never answered a status request.
NO_STATUS_REASON = "printer does not report status"


@dataclass(frozen=True, slots=True)
class TestResult:
    """The outcome of one device test; ``detail`` is technician-facing (no personal data)."""

    __test__ = False  # not a pytest test class

    ok: bool
    detail: str
    preview_png: bytes | None = None
    #: When set (and not ``ok``), the result depends on what the technician sees: the screen
    #: asks this question and a "yes" turns the result into a pass.
    confirm: str = ""

    def confirmed(self) -> TestResult:
        """The result after the technician confirmed what the device could not report."""
        return TestResult(True, f"{self.detail} — confirmed by the technician",
                          self.preview_png)


@dataclass(frozen=True, slots=True)
class TestOptions:
    """What the test needs besides the URL."""

    __test__ = False

    terminal_id: str = ""
    receipt_width_chars: int = 48
    camera_size: tuple[int, int] = (640, 480)
    scanner_baud: int = 9600
    present_timeout_seconds: float = PRESENT_TIMEOUT_SECONDS
    open_timeout_seconds: float = OPEN_TIMEOUT_SECONDS
    simulate_presentation: bool = True


class _Events:
    """Collects a device's events on a queue (they arrive on its worker thread)."""

    def __init__(self) -> None:
        self.queue: queue.Queue[DeviceEvent] = queue.Queue()

    def __call__(self, event: DeviceEvent) -> None:
        self.queue.put(event)

    def wait(self, kinds: set[str], device: Any, timeout_s: float,
             fail_on_status: bool = True) -> DeviceEvent | DeviceStatus | None:
        """The first event of ``kinds``, a fatal status, or None at the timeout."""
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.queue.get(timeout=min(left, 0.2))
            except queue.Empty:
                event = None
            if event is not None and event.kind in kinds:
                return event
            if fail_on_status:
                status = device.status()
                if status.state in FATAL_STATES and _settled(status):
                    return status
        return None


#: Initial statuses drivers report before their first real check.
_UNSETTLED_REASONS = frozenset({"not checked yet", "not started", "opening"})
#: Camera frames examined for a face before reporting "no face".
FACE_FRAMES = 8


def _settled(status: DeviceStatus) -> bool:
    return status.reason not in _UNSETTLED_REASONS


def open_device(device: str, url: str, options: dict[str, Any] | None = None) -> Any:
    """Build (not start) the driver for ``device`` from ``url`` with the hub's factory."""
    module_name, factory_name = FACTORIES[device].split(":")
    factory = getattr(importlib.import_module(module_name), factory_name)
    return factory(url, **(options or {}))


def _factory_options(device: str, opts: TestOptions) -> dict[str, Any]:
    if device == DeviceName.CAMERA:
        width, height = opts.camera_size
        return {"width": width, "height": height}
    if device == DeviceName.SCANNER:
        return {"baudrate": opts.scanner_baud}
    return {}


def run_device_test(device: str, url: str, opts: TestOptions | None = None) -> TestResult:
    """Open ``device`` at ``url``, test it once, stop it; never raises."""
    opts = opts or TestOptions()
    if device not in FACTORIES:
        return TestResult(False, f"unknown device {device!r}")
    if url == "none":
        return TestResult(True, "device disabled (none): nothing to test")
    try:
        handle = open_device(device, url, _factory_options(device, opts))
    except Exception as exc:  # a bad URL or a missing daemon is a failed test, with the reason
        return TestResult(False, f"cannot open {url}: {_reason(exc)}")
    events = _Events()
    try:
        handle.start(events)
        test = _TESTS[device]
        return test(handle, events, opts)
    except Exception as exc:  # a driver fault must not reach the screen as a traceback
        return TestResult(False, f"test failed: {_reason(exc)}")
    finally:
        with contextlib.suppress(Exception):  # a broken device must not hide the result
            handle.stop()


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:200]


def _status_failure(status: DeviceStatus) -> TestResult:
    return TestResult(False, f"device {status.describe()}")


def _wait_usable(handle: Any, timeout_s: float) -> DeviceStatus:
    deadline = time.monotonic() + timeout_s
    status = handle.status()
    while time.monotonic() < deadline:
        status = handle.status()
        if status.usable or (status.state in FATAL_STATES and _settled(status)):
            return status
        time.sleep(0.1)
    return status


# -- per device --------------------------------------------------------------------------------
def _test_card_reader(handle: Any, events: _Events, opts: TestOptions) -> TestResult:
    simulator = getattr(handle, "simulator", None)
    status = _wait_usable(handle, opts.open_timeout_seconds)
    if not status.usable:
        return _status_failure(status)
    if simulator is not None and opts.simulate_presentation:
        _present_sim_card(simulator)
    got = events.wait({"identity_read", "read_failed"}, handle, opts.present_timeout_seconds)
    if got is None:
        return TestResult(False, f"reader ready, but no card was read within "
                                 f"{opts.present_timeout_seconds:.0f} s: place a card and test "
                                 "again")
    if isinstance(got, DeviceStatus):
        return _status_failure(got)
    if got.kind == "read_failed":
        return TestResult(False, f"the card could not be read: {got.payload}")
    identity = got.payload
    kind = getattr(getattr(identity, "kind", None), "value", "card")
    number = mask_id_number(getattr(identity, "id_number", "") or "")
    return TestResult(True, f"card read ({kind}, {number})")


def _present_sim_card(simulator: Any) -> None:
    if getattr(simulator, "card", None) is not None and not callable(simulator.card):
        return  # the ID card simulator already has a card in its field
    try:
        if hasattr(simulator, "cards"):  # ID card simulator: cards by key
            simulator.insert(next(iter(simulator.cards)))
        else:  # smart card simulator: a default social security card
            simulator.insert()
    except Exception:  # the test then simply times out with its reason
        pass


def _test_receipt(handle: Any, events: _Events, opts: TestOptions) -> TestResult:
    from drivers.receipt import Align, Feed, Receipt, Rule, TextLine

    status = _wait_usable(handle, opts.open_timeout_seconds)
    if not status.usable:
        return _status_failure(status)
    receipt = Receipt((
        TextLine("打印测试 / PRINT TEST", Align.CENTER, bold=True),
        Rule(),
        TextLine(f"终端 {opts.terminal_id}"),
        TextLine(time.strftime("%Y-%m-%d %H:%M:%S")),
        TextLine(f"纸宽 {opts.receipt_width_chars} 字符"),
        TextLine("0123456789" * (opts.receipt_width_chars // 10)),
        Feed(1),
    ), width_chars=opts.receipt_width_chars)
    result = handle.print_receipt(receipt)
    after = result.details.get("status_after")
    if result.state == "unconfirmed" or getattr(after, "reason", "") == NO_STATUS_REASON:
        return TestResult(False, "sent, but nothing reported a status at this connection (a "
                                 "printer without status, or nothing there)",
                          confirm="测试凭条打印出来了吗？")
    if not result.ok:
        return TestResult(False, f"test receipt not printed: {result.state}: {result.reason}")
    return TestResult(True, f"test receipt printed ({opts.receipt_width_chars} chars per line)")


def test_page_pdf(terminal_id: str) -> bytes:
    """A one-page A4 test PDF with the bundled CJK font."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from kiosk.certificates.fonts import register_font

    font = register_font()
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    width, height = A4
    page.setFont(font, 24)
    page.drawCentredString(width / 2, height - 120, "打印测试页 / Test page")
    page.setFont(font, 14)
    page.drawString(72, height - 180, f"终端 {terminal_id}   {time.strftime('%Y-%m-%d %H:%M:%S')}")
    page.rect(36, 36, width - 72, height - 72)
    page.showPage()
    page.save()
    return out.getvalue()


test_page_pdf.__test__ = False  # type: ignore[attr-defined]


def _test_docprinter(handle: Any, events: _Events, opts: TestOptions) -> TestResult:
    status = _wait_usable(handle, opts.open_timeout_seconds)
    if not status.usable:
        return _status_failure(status)
    result = handle.print_pdf(test_page_pdf(opts.terminal_id), "kiosk-test-page")
    if not result.ok:
        return TestResult(False, f"test page not printed: {result.state}: {result.reason}")
    return TestResult(True, f"test page printed (job {result.job_id or '-'})")


def _test_camera(handle: Any, events: _Events, opts: TestOptions) -> TestResult:
    import cv2

    from drivers.camera.face import FaceAnalyser

    simulator = getattr(handle, "simulator", None)
    if simulator is not None and opts.simulate_presentation:
        simulator.set_scene("face")
    deadline = time.monotonic() + opts.open_timeout_seconds
    frame = None
    while frame is None and time.monotonic() < deadline:
        frame = handle.get(timeout_s=min(FRAME_TIMEOUT_SECONDS, opts.open_timeout_seconds))
        status = handle.status()
        if frame is None and status.state in FATAL_STATES and _settled(status):
            return _status_failure(status)
    if frame is None:
        return TestResult(False, f"no frame within {opts.open_timeout_seconds:.0f} s: "
                                 f"{handle.status().describe()}")
    analyser = FaceAnalyser()
    boxes = analyser.detect(cv2.cvtColor(frame.image, cv2.COLOR_BGR2GRAY))
    for _ in range(FACE_FRAMES if not boxes else 0):
        newer = handle.wait_newer(frame.seq, timeout_s=FRAME_TIMEOUT_SECONDS)
        if newer is None:
            break
        frame = newer
        boxes = analyser.detect(cv2.cvtColor(frame.image, cv2.COLOR_BGR2GRAY))
        if boxes:
            break
    image = frame.image.copy()
    for x, y, w, h in boxes:
        cv2.rectangle(image, (x, y), (x + w, y + h), (0, 200, 0), 3)
    ok_png, png = cv2.imencode(".png", image)
    width, height = frame.size
    faces = f"{len(boxes)} face(s) found" if boxes else "no face found (stand in front of it)"
    return TestResult(True, f"frame {width}x{height}, {faces}",
                      png.tobytes() if ok_png else None)


def _test_scanner(handle: Any, events: _Events, opts: TestOptions) -> TestResult:
    simulator = getattr(handle, "simulator", None)
    status = _wait_usable(handle, opts.open_timeout_seconds)
    if not status.usable:
        return _status_failure(status)
    if simulator is not None and opts.simulate_presentation:
        simulator.scan(TEST_CODE)
    got = events.wait({"code_scanned", "code_rejected"}, handle, opts.present_timeout_seconds)
    if got is None:
        return TestResult(False, f"scanner ready, but no code was scanned within "
                                 f"{opts.present_timeout_seconds:.0f} s")
    if isinstance(got, DeviceStatus):
        return _status_failure(got)
    kind = getattr(got.payload, "kind", "")
    if got.kind == "code_rejected":
        return TestResult(False, f"a code was read but rejected ({kind})")
    return TestResult(True, f"code scanned ({getattr(kind, 'value', kind) or 'text'})")


_TESTS: dict[str, Callable[[Any, _Events, TestOptions], TestResult]] = {
    DeviceName.IDCARD: _test_card_reader,
    DeviceName.SMARTCARD: _test_card_reader,
    DeviceName.RECEIPT_PRINTER: _test_receipt,
    DeviceName.DOCUMENT_PRINTER: _test_docprinter,
    DeviceName.CAMERA: _test_camera,
    DeviceName.SCANNER: _test_scanner,
}
