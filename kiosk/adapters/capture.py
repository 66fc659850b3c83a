"""Document capture for the session ports: photograph one paper material with the document
camera, straighten it, and hand the flow a JPEG. The image lives only in the session's
temporary folder and memory, and is deleted at the wipe.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from flows import ports as fp
from kiosk.i18n import N_, current_locale, translate

if TYPE_CHECKING:
    from kiosk.adapters.devices import DeviceHub
    from kiosk.core.session import SessionData

#: How long to wait for a fresh frame from the camera.
FRAME_WAIT_SECONDS = 2.0
NO_PAGE_TEXT = N_("没有找到材料的边缘，请把材料平放在拍摄区内，四角都在画面中")
NO_FRAME_TEXT = N_("摄像头暂时没有画面，请稍后再试或到窗口办理")


class DocumentCapture:
    """Callable used by KioskSessionPorts.capture_document."""

    def __init__(self, hub: DeviceHub) -> None:
        self._hub = hub

    def __call__(self, name: str, session: SessionData) -> fp.CapturedDocument | fp.PortFailure:
        """Take one page from the newest frame."""
        from drivers.camera.document import DocumentSession, PageStatus  # OpenCV: load on use

        camera = self._hub.get(fp.DeviceName.CAMERA)
        if camera is None:
            return fp.PortFailure(translate(NO_FRAME_TEXT, current_locale()), code="no_camera")
        latest = camera.latest()
        frame = camera.wait_newer(latest.seq if latest else -1, FRAME_WAIT_SECONDS)
        frame = frame or latest
        if frame is None:
            return fp.PortFailure(translate(NO_FRAME_TEXT, current_locale()), code="no_frame")
        pages = DocumentSession()
        result = pages.capture(frame.image)
        if result.status is not PageStatus.CAPTURED or result.page is None:
            return fp.PortFailure(translate(NO_PAGE_TEXT, current_locale()),
                                  code=str(result.status))
        jpeg = result.page.jpeg
        path = session.new_temp_file(".jpg")
        path.write_bytes(jpeg)
        pages.clear()
        return fp.CapturedDocument(name=name, content_type="image/jpeg",
                                   sha256=hashlib.sha256(jpeg).hexdigest(), data=jpeg)
